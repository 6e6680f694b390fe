import { explainFailure } from '../../nodes/AzureBlobStorage/transport/errors';
import { leaseIdProblem } from '../../nodes/AzureBlobStorage/helpers/lease';
import { tagFilterProblem } from '../../nodes/AzureBlobStorage/helpers/tagFilter';

describe('tag filter checks', () => {
	it.each([
		`"project" = 'alpha'`,
		`"project" = 'alpha' AND "stage" >= '2'`,
		`"a" > '1' and "b" <= 'x y' AND "c" < '' AND "d" = 'AND'`,
		`  "key with space" = 'v:1/2'  `,
	])('accepts %s', (filter) => {
		expect(tagFilterProblem(filter, 'container')).toBeUndefined();
	});

	it('accepts @container only across the account', () => {
		expect(tagFilterProblem(`@container = 'c' AND "a" = '1'`, 'account')).toBeUndefined();
		expect(tagFilterProblem(`@container = 'c'`, 'container')).toContain('@container');
	});

	it('refuses more than 10 conditions', () => {
		const filter = Array.from({ length: 11 }, (_, i) => `"t${i}" = 'v'`).join(' AND ');
		expect(tagFilterProblem(filter, 'account')).toContain('more than 10');
	});

	it('names the position of a mistake', () => {
		expect(tagFilterProblem(`"a" = '1' AND b = '2'`, 'account')).toContain('at character 15');
	});
});

describe('lease ID checks', () => {
	it('accepts GUIDs and refuses anything else', () => {
		expect(leaseIdProblem('3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeUndefined();
		expect(leaseIdProblem('3F2504E0-4F89-11D3-9A0C-0305E82C3301')).toBeUndefined();
		expect(leaseIdProblem('lease-1')).toContain('is not a lease ID');
		expect(leaseIdProblem(' 3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toContain('space');
	});
});

describe('Azure\'s refusal of a tag filter', () => {
	it('is worded as a filter problem for Find by Tags requests only', () => {
		const failure = { code: 'InvalidQueryParameterValue', statusCode: 400, azureMessage: 'Error parsing query' };
		expect(explainFailure({ ...failure, url: 'https://a.blob.core.windows.net/?comp=blobs&where=x' }).message).toBe(
			'Azure refused a value in the request, such as the tag filter',
		);
		expect(explainFailure({ ...failure, url: 'https://a.blob.core.windows.net/c?restype=container&comp=list' }).message).toBe('Error parsing query');
	});

	it('HTTP 501 says the endpoint does not support the operation', () => {
		expect(explainFailure({ statusCode: 501 }).message).toBe('This storage account or endpoint does not support this operation');
	});
});
