import type { PublicAccessType } from '@azure/storage-blob';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { assertContainerName } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata } from '../../helpers/namedValues';
import { choiceValue, readChoice, readOptions, readText } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { mayBeOwnEarlierTry } from '../../transport/policies';
import { forOperation, nameValueOption, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('container', 'create', [
	{
		displayName: 'Container Name',
		name: 'containerName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. invoices',
		description: '3-63 lower-case letters, digits and single hyphens',
	},
	{
		displayName: 'If Container Exists',
		name: 'ifExists',
		type: 'options',
		default: 'fail',
		options: [
			{ name: 'Fail', value: 'fail', description: 'Stop with an error' },
			{ name: 'Skip', value: 'skip', description: 'Go on and output the existing container with created: false' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			nameValueOption(
				'Metadata',
				'metadata',
				'Name/value pairs stored with the new container. Names: letters, digits, underscores; values: printable ASCII.',
			),
			{
				displayName: 'Public Access',
				name: 'publicAccess',
				type: 'options',
				default: 'none',
				options: [
					{ name: 'None (Private)', value: 'none' },
					{ name: 'Blob (Anonymous Read of Blobs)', value: 'blob' },
					{ name: 'Container (Anonymous Read and List)', value: 'container' },
				],
				description: 'Anonymous read access. Most accounts forbid it; keep None unless you serve public files.',
			},
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const name = assertContainerName(this, readText(this, 'containerName', itemIndex, 'Container Name'), itemIndex, 'Container Name', connection);
	const ifExists = readChoice(this, 'ifExists', itemIndex, 'If Container Exists', ['fail', 'skip'], 'fail');
	const options = readOptions<{ metadata?: NamedValues; publicAccess?: unknown }>(this, itemIndex);
	const metadata = readMetadata(this, options.metadata, itemIndex, connection);
	const publicAccess = choiceValue(this, options.publicAccess, itemIndex, 'Public Access', ['none', 'blob', 'container'], 'none');
	const client = containerClient(connection, name);
	const access: PublicAccessType | undefined = publicAccess === 'none' ? undefined : publicAccess;
	const request = { access, metadata, abortSignal: signal };
	if (ifExists === 'skip') {
		const response = await client.createIfNotExists(request);
		const properties = response.succeeded ? response : await client.getProperties({ abortSignal: signal });
		return compact({
			name,
			url: publicUrl(client.url),
			created: response.succeeded,
			etag: properties.etag,
			lastModified: properties.lastModified?.toISOString(),
		});
	}
	let response: { etag?: string; lastModified?: Date };
	try {
		response = await client.create(request);
	} catch (error) {
		// A retried create whose first try was applied (its answer lost) finds the container:
		// this item created it.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (!mayBeOwnEarlierTry(error, 409)) throw error;
		response = await client.getProperties({ abortSignal: signal });
	}
	return compact({
		name,
		url: publicUrl(client.url),
		created: true,
		etag: response.etag,
		lastModified: response.lastModified?.toISOString(),
	});
}
