import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { blobJson, publicUrl } from '../../helpers/format';
import type { IfBlobExists } from '../../helpers/existingBlob';
import { existingBlob, writeConditions } from '../../helpers/existingBlob';
import { getContainerName, readBlobNameField } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata } from '../../helpers/namedValues';
import { booleanValue, choiceValue, readChoice, readOptions, readText } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { azureFailureError } from '../../transport/errors';
import {
	accessTierOption,
	containerLocator,
	forOperation,
	ifBlobExists,
	nameValueOption,
	requestOptionFields,
} from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'uploadFromUrl', [
	containerLocator,
	{
		displayName: 'Blob Name',
		name: 'blobName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. imports/2024/export.csv',
		description: 'Name of the blob to create, including any folder prefix',
	},
	{
		displayName: 'Source URL',
		name: 'sourceUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://otheraccount.blob.core.windows.net/exports/data.csv?sv=...&sig=...',
		description:
			'A URL Azure itself can read: a public file, or a blob with a SAS that allows read. Azure copies it server-side; no bytes pass through n8n, so size does not matter.',
	},
	ifBlobExists,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			accessTierOption,
			nameValueOption(
				'Metadata',
				'metadata',
				"Name/value pairs for the new blob. Without any, the source blob's metadata is copied.",
			),
			{
				displayName: 'Wait for Completion',
				name: 'waitForCompletion',
				type: 'boolean',
				default: true,
				description:
					'Whether to wait until Azure has finished the copy (checked every few seconds). Off: the node returns at once with copyStatus "pending" and the copy goes on in Azure.',
			},
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const container = getContainerName(this, itemIndex, connection);
	const blobName = readBlobNameField(this, 'blobName', itemIndex, 'Blob Name', connection);
	if (!blobName) {
		throw new NodeOperationError(this.getNode(), 'Blob Name is empty', { itemIndex, description: 'Enter the name of the blob to create, e.g. imports/data.csv.' });
	}
	const sourceUrl = readText(this, 'sourceUrl', itemIndex, 'Source URL').trim();
	if (!URL.canParse(sourceUrl) || !/^https?:$/.test(new URL(sourceUrl).protocol)) {
		throw new NodeOperationError(this.getNode(), 'Source URL is not an http(s) URL', {
			itemIndex,
			description: 'Enter the full URL of the file, e.g. https://account.blob.core.windows.net/container/file.csv?<SAS>',
		});
	}
	const ifExists = readChoice<IfBlobExists>(this, 'ifExists', itemIndex, 'If Blob Exists', ['fail', 'overwrite', 'skip'], 'fail');
	const options = readOptions<{ accessTier?: unknown; metadata?: NamedValues; waitForCompletion?: unknown }>(this, itemIndex);
	const metadata = readMetadata(this, options.metadata, itemIndex, connection);
	const tier = options.accessTier === undefined ? undefined : choiceValue(this, options.accessTier, itemIndex, 'Access Tier', ['Hot', 'Cool', 'Cold', 'Archive'], 'Hot');
	const waitForCompletion = booleanValue(this, options.waitForCompletion, itemIndex, 'Wait for Completion', true);
	const abortSignal = signal;

	const blockBlob = containerClient(connection, container).getBlockBlobClient(blobName);
	const url = publicUrl(blockBlob.url);
	const source = publicUrl(sourceUrl);

	if (ifExists === 'skip') {
		const existing = await existingBlob(blockBlob, abortSignal);
		if (existing) return { ...blobJson(container, blobName, url, existing), source, skipped: true };
	}

	const poller = await blockBlob.beginCopyFromURL(sourceUrl, {
		metadata,
		tier,
		conditions: writeConditions(ifExists),
		abortSignal,
		intervalInMs: 2000,
	});
	if (!waitForCompletion) {
		// A copy still running has its id in the poll state, not yet in a result.
		const state = poller.getOperationState();
		return {
			name: blobName,
			container,
			url,
			source,
			copyId: state.result?.copyId ?? (state as { copyId?: string }).copyId,
			copyStatus: state.result?.copyStatus ?? 'pending',
		};
	}
	// Cancelling the execution aborts the copy in Azure (Abort Copy), which removes the blob.
	const onAbort = () => void poller.cancelOperation().catch(() => undefined);
	abortSignal?.addEventListener('abort', onAbort, { once: true });
	let result;
	try {
		result = await poller.pollUntilDone();
	} finally {
		abortSignal?.removeEventListener('abort', onAbort);
	}
	if (result.copyStatus && result.copyStatus !== 'success') {
		throw azureFailureError(
			this.getNode(),
			{
				code: 'CopyFailed',
				azureMessage: `Copy ${result.copyStatus}`,
				container,
				blob: blobName,
				requestId: result.requestId,
			},
			{ itemIndex, secrets: connection.secrets },
		);
	}
	const properties = await blockBlob.getProperties({ abortSignal });
	return {
		...blobJson(container, blobName, url, properties, { metadata: properties.metadata }),
		source,
		copyId: result.copyId,
		copyStatus: result.copyStatus ?? 'success',
		...(ifExists === 'skip' ? { skipped: false } : {}),
	};
}
