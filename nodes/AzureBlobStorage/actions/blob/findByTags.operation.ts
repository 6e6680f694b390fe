import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { publicUrl } from '../../helpers/format';
import { assertNoSecret, getContainerName } from '../../helpers/locators';
import { integerValue, readBoolean, readChoice, readOptions, readText } from '../../helpers/params';
import { tagFilterProblem } from '../../helpers/tagFilter';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { containerLocator, forOperation, requestOptionFields, returnAllAndLimit } from '../common.descriptions';
import { readLimit } from './getAll.operation';

export const description: INodeProperties[] = forOperation('blob', 'findByTags', [
	{
		displayName: 'Search In',
		name: 'scope',
		type: 'options',
		default: 'container',
		options: [
			{ name: 'One Container', value: 'container', description: 'Only blobs of the chosen container' },
			{ name: 'Whole Account', value: 'account', description: 'Blobs of every container of the storage account' },
		],
	},
	{ ...containerLocator, displayOptions: { show: { scope: ['container'] } } },
	{
		displayName: 'Tag Filter',
		name: 'filter',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. "project" = \'alpha\' AND "stage" >= \'2\'',
		description:
			'Tag names in double quotes, values in single quotes, conditions joined by AND (up to 10); operators =, >, >=, <, <= (values compare as text). Across the account, @container = \'name\' narrows to one container.',
	},
	...returnAllAndLimit,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				default: 5000,
				typeOptions: { minValue: 1, maxValue: 5000 },
				description: 'How many blobs to ask Azure for per request (at most 5,000)',
			},
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const scope = readChoice(this, 'scope', itemIndex, 'Search In', ['container', 'account'], 'container');
	const filter = assertNoSecret(this, readText(this, 'filter', itemIndex, 'Tag Filter'), itemIndex, 'Tag Filter', connection);
	const problem = tagFilterProblem(filter, scope);
	if (problem) {
		throw new NodeOperationError(this.getNode(), `Tag Filter ${problem}`, {
			itemIndex,
			description: 'Example: "project" = \'alpha\' AND "stage" >= \'2\' (tag names in double quotes, values in single quotes, AND between conditions).',
		});
	}
	const returnAll = readBoolean(this, 'returnAll', itemIndex, 'Return All', false);
	const limit = returnAll ? Infinity : readLimit(this, itemIndex);
	const options = readOptions<{ pageSize?: unknown }>(this, itemIndex);
	const pageSize = integerValue(this, options.pageSize, itemIndex, 'Page Size', { min: 1, max: 5000 }, 5000);
	const maxPageSize = Math.min(pageSize, Number.isFinite(limit) ? limit : 5000);

	let pages;
	if (scope === 'container') {
		const container = getContainerName(this, itemIndex, connection);
		pages = containerClient(connection, container).findBlobsByTags(filter, { abortSignal: signal }).byPage({ maxPageSize });
	} else {
		if (connection.scopedContainer !== undefined) {
			throw new NodeOperationError(this.getNode(), `The credential's SAS grants access to container "${connection.scopedContainer}" only, so it cannot search the whole account`, {
				itemIndex,
				description: 'Set "Search In" to One Container, or use a credential with an account SAS, a key or Entra ID.',
			});
		}
		pages = connection.service.findBlobsByTags(filter, { abortSignal: signal }).byPage({ maxPageSize });
	}

	const results: IDataObject[] = [];
	const baseUrl = publicUrl(connection.service.url).replace(/\/$/, '');
	for await (const page of pages) {
		for (const blob of page.blobs) {
			results.push({
				name: blob.name,
				container: blob.containerName,
				url: `${baseUrl}/${encodeURIComponent(blob.containerName)}/${blob.name.split('/').map(encodeURIComponent).join('/')}`,
				tags: blob.tags ?? {},
			});
			if (results.length >= limit) return results;
		}
	}
	return results;
}
