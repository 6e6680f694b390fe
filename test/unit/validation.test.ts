import {
	blobNameProblem,
	containerNameProblem,
	metadataKeyProblem,
	tagsProblem,
} from '../../nodes/AzureBlobStorage/helpers/validation';

describe('container names', () => {
	it.each(['abc', 'my-container', 'a1-b2-c3', 'x'.repeat(63), '$root', '$logs', '$web'])('accepts %s', (name) => {
		expect(containerNameProblem(name)).toBeUndefined();
	});

	it.each([
		['', 'is empty'],
		['ab', 'has 2 characters'],
		['x'.repeat(64), 'has 64 characters'],
		['MyContainer', 'upper-case'],
		['my--container', 'single hyphens'],
		['-leading', 'single hyphens'],
		['trailing-', 'single hyphens'],
		['under_score', 'single hyphens'],
		['dots.not.allowed', 'single hyphens'],
	])('rejects %j and says why (%s)', (name, why) => {
		expect(containerNameProblem(name)).toContain(why);
	});
});

describe('blob names', () => {
	it('accepts names with folders, spaces and unicode up to 1024 characters', () => {
		expect(blobNameProblem('reports/2024/jan report ü.csv')).toBeUndefined();
		expect(blobNameProblem('a'.repeat(1024))).toBeUndefined();
	});

	it('rejects empty names, names over 1024 characters and names Azure would silently rename', () => {
		expect(blobNameProblem('')).toBe('is empty');
		expect(blobNameProblem('a'.repeat(1025))).toContain('1025 characters');
		expect(blobNameProblem('folder/')).toContain('ends with "/"');
		expect(blobNameProblem('name.')).toContain('ends with "."');
	});
});

describe('metadata and tags', () => {
	it('accepts C#-identifier metadata names and rejects others', () => {
		expect(metadataKeyProblem('invoice_id')).toBeUndefined();
		expect(metadataKeyProblem('_x1')).toBeUndefined();
		expect(metadataKeyProblem('1abc')).toContain('not a valid metadata name');
		expect(metadataKeyProblem('with-dash')).toContain('not a valid metadata name');
	});

	it('limits tags to 10 with bounded key and value lengths', () => {
		const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
		expect(tagsProblem(eleven)).toContain('at most 10');
		expect(tagsProblem({ ['k'.repeat(129)]: 'v' })).toContain('1 to 128');
		expect(tagsProblem({ k: 'v'.repeat(257) })).toContain('longer than 256');
		expect(tagsProblem({ project: 'x', stage: 'prod' })).toBeUndefined();
	});
});
