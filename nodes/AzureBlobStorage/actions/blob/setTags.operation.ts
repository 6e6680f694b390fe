import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { publicUrl } from '../../helpers/format';
import { leaseIdValue } from '../../helpers/lease';
import { getBlobTarget } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readTags } from '../../helpers/namedValues';
import { readChoice, readOptions } from '../../helpers/params';
import { tagsProblem } from '../../helpers/validation';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import {
	blobLocator,
	containerLocator,
	forOperation,
	leaseIdOption,
	nameValueOption,
	requestOptionFields,
} from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'setTags', [
	containerLocator,
	blobLocator,
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		default: 'replace',
		options: [
			{
				name: 'Merge',
				value: 'merge',
				description: 'Add these tags and change the values of those given; keep the other tags',
			},
			{ name: 'Replace', value: 'replace', description: 'The blob gets exactly these tags; tags not listed are removed' },
		],
	},
	nameValueOption(
		'Tags',
		'tags',
		'Blob index tags (up to 10 per blob), searchable with Find by Tags. Letters, digits, spaces and + - . / : = _ only.',
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [leaseIdOption, ...requestOptionFields],
	},
]);

/** A tag condition matching exactly these tags, so a merge does not undo a change made meanwhile. */
function sameTagsCondition(tags: Record<string, string>): string | undefined {
	const entries = Object.entries(tags);
	return entries.length ? entries.map(([name, value]) => `"${name}" = '${value}'`).join(' AND ') : undefined;
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const mode = readChoice(this, 'mode', itemIndex, 'Mode', ['replace', 'merge'], 'replace');
	const given = readTags(this, this.getNodeParameter('tags', itemIndex, {}) as NamedValues, itemIndex, connection) ?? {};
	const options = readOptions<{ leaseId?: unknown }>(this, itemIndex);
	const leaseId = leaseIdValue(this, options.leaseId, itemIndex);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);

	let tags = given;
	let tagConditions: string | undefined;
	if (mode === 'merge') {
		const existing = (await blobClient.getTags({ abortSignal: signal })).tags;
		tags = { ...existing, ...given };
		const problem = tagsProblem(tags);
		if (problem) {
			throw new NodeOperationError(this.getNode(), `Tags: merged with the blob's ${Object.keys(existing).length} existing tags, the blob ${problem}`, {
				itemIndex,
				description: 'Use Mode "Replace" to drop tags, or merge fewer tags.',
			});
		}
		tagConditions = sameTagsCondition(existing);
	}
	await blobClient.setTags(tags, { conditions: { leaseId, tagConditions }, abortSignal: signal });
	return { name: blobName, container, url: publicUrl(blobClient.url), tags };
}
