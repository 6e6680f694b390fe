import type { BlobClient } from '@azure/storage-blob';
import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { IfBlobExists } from '../../helpers/existingBlob';
import { existingBlob, writeConditions } from '../../helpers/existingBlob';
import { leaseIdValue } from '../../helpers/lease';
import { blobJson, publicUrl } from '../../helpers/format';
import { assertBlobName, assertContainerName, getContainerName, readBlobNameField } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata } from '../../helpers/namedValues';
import { choiceValue, integerValue, readChoice, readOptions, readText, textValue } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { azureFailureError } from '../../transport/errors';
import { signatureSpellings, signSas } from '../../transport/sasSigning';
import {
	accessTierOption,
	blobLocator,
	containerLocator,
	forOperation,
	ifBlobExists,
	leaseIdOption,
	nameValueOption,
	requestOptionFields,
} from '../common.descriptions';

/** Copy Blob From URL (synchronous) takes sources up to 256 MiB; larger ones are copied asynchronously. */
export const SYNC_COPY_MAX_BYTES = 256 * 1024 * 1024;
const POLL_INTERVAL_MS = 2000;

export const description: INodeProperties[] = forOperation('blob', 'copy', [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		default: 'account',
		options: [
			{ name: 'Blob in This Account', value: 'account', description: 'A blob of the storage account this credential opens' },
			{
				name: 'URL',
				value: 'url',
				description: 'Any URL Azure can read: a blob of another account with a SAS that allows read, or a public file',
			},
		],
		description: 'Where the blob to copy is. Azure copies server-side; no bytes pass through n8n.',
	},
	{
		...containerLocator,
		displayName: 'Source Container',
		name: 'sourceContainer',
		description: 'The container that holds the blob to copy',
		displayOptions: { show: { source: ['account'] } },
	},
	{
		...blobLocator,
		displayName: 'Source Blob',
		name: 'sourceBlob',
		description: 'The blob to copy, with any folder prefix, e.g. reports/2024/jan.csv',
		modes: (blobLocator.modes ?? []).map((mode) =>
			mode.name === 'list' ? { ...mode, typeOptions: { ...mode.typeOptions, searchListMethod: 'searchSourceBlobs' } } : mode,
		),
		displayOptions: { show: { source: ['account'] } },
	},
	{
		displayName: 'Source URL',
		name: 'sourceUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://otheraccount.blob.core.windows.net/exports/data.csv?sv=...&sig=...',
		description: 'A URL Azure itself can read. Its SAS never appears in the output.',
		displayOptions: { show: { source: ['url'] } },
	},
	{ ...containerLocator, displayName: 'Destination Container', description: 'The container to copy into' },
	{
		displayName: 'Destination Blob Name',
		name: 'blobName',
		type: 'string',
		default: '',
		placeholder: 'e.g. archive/2024/jan.csv',
		description: "Name of the new blob, with any folder prefix. Empty: the source blob's name.",
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		default: 'copy',
		options: [
			{ name: 'Copy', value: 'copy', description: 'Keep the source' },
			{
				name: 'Move',
				value: 'move',
				description:
					'Delete the source after the copy succeeded, and only if it did not change meanwhile (checked by ETag)',
			},
		],
		description: 'Whether to keep or delete the source blob. Move needs a source in this account.',
		displayOptions: { show: { source: ['account'] } },
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
			{
				displayName: 'Copy Method',
				name: 'copyMethod',
				type: 'options',
				default: 'auto',
				options: [
					{
						name: 'Auto',
						value: 'auto',
						description: 'One synchronous request for blobs of this account up to 256 MiB, otherwise an asynchronous copy',
					},
					{ name: 'Asynchronous', value: 'async', description: 'Start the copy in Azure and check until it is done' },
				],
				description:
					'How Azure copies. Synchronous is one request and done; asynchronous suits any size and sources outside the account, and is checked every 2 seconds.',
			},
			{
				displayName: 'Copy Timeout (Seconds)',
				name: 'copyTimeout',
				type: 'number',
				default: 3600,
				typeOptions: { minValue: 1, maxValue: 86400 },
				description:
					'How long to wait for an asynchronous copy. When it passes (or the execution is cancelled) the copy is aborted in Azure, which removes the unfinished blob.',
			},
			{
				...leaseIdOption,
				description:
					'The ID of the lease held on the destination blob (the leaseId output by Blob > Lease). Azure refuses to overwrite a leased blob without it. Leave empty when it is not leased.',
			},
			nameValueOption('Metadata', 'metadata', "Name/value pairs for the new blob. Without any, the source's metadata is copied."),
			...requestOptionFields,
		],
	},
]);

interface CopyOptions {
	accessTier?: unknown;
	copyMethod?: unknown;
	copyTimeout?: unknown;
	leaseId?: unknown;
	metadata?: NamedValues;
}

interface CopySource {
	/** The URL Azure reads (for a blob of this account: its URL, plus a SAS where needed). */
	url: string;
	/** The URL for the output: never with a SAS. */
	shown: string;
	client?: BlobClient;
	container?: string;
	blobName?: string;
	etag?: string;
	size?: number;
}

function sourceLocator(ctx: IExecuteFunctions, itemIndex: number): { mode: string; value: string } {
	const raw = ctx.getNodeParameter('sourceBlob', itemIndex) as unknown;
	if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && '__rl' in raw) {
		const locator = raw as INodeParameterResourceLocator;
		return { mode: String(locator.mode), value: textValue(ctx, locator.value, itemIndex, 'Source Blob') };
	}
	return { mode: 'name', value: textValue(ctx, raw, itemIndex, 'Source Blob') };
}

/** The source blob of this account: container and name (from the pickers or a blob URL), checked. */
function accountSource(ctx: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection) {
	const blob = sourceLocator(ctx, itemIndex);
	if (blob.value === '') {
		throw new NodeOperationError(ctx.getNode(), 'Source Blob is empty', { itemIndex, description: 'Enter the name of the blob to copy, e.g. reports/2024/jan.csv.' });
	}
	if (blob.mode === 'url') {
		const url = URL.canParse(blob.value) ? new URL(blob.value) : undefined;
		const segments = url ? url.pathname.split('/').filter(Boolean) : [];
		const pathStyle = url ? /^[\d.]+$|^localhost$|^\[/.test(url.hostname) : false;
		const [container, ...rest] = pathStyle ? segments.slice(1) : segments;
		if (!url || !container || rest.length === 0) {
			throw new NodeOperationError(ctx.getNode(), 'Source Blob URL is not a blob URL', {
				itemIndex,
				description: 'Enter https://<account>.blob.core.windows.net/<container>/<blob>, or pick Source "URL" for other accounts.',
			});
		}
		const own = new URL(connection.service.url);
		if (url.host !== own.host || (pathStyle && segments[0] !== connection.accountName)) {
			throw new NodeOperationError(ctx.getNode(), 'Source Blob URL points at another storage account', {
				itemIndex,
				description: 'Pick Source "URL" to copy from another account (with a SAS that allows read).',
			});
		}
		return {
			container: assertContainerName(ctx, decodeURIComponent(container), itemIndex, 'Container in the Source Blob URL:', connection),
			blobName: assertBlobName(ctx, rest.map(decodeURIComponent).join('/'), itemIndex, 'Blob name in the Source Blob URL', connection),
		};
	}
	return {
		container: getContainerName(ctx, itemIndex, connection, 'sourceContainer', 'Source Container'),
		blobName: assertBlobName(ctx, blob.value, itemIndex, 'Source Blob', connection),
	};
}

/** A short-lived read SAS for a source of this account, for Azure to read it in a synchronous copy. */
async function readableSourceUrl(connection: BlobStorageConnection, client: BlobClient, container: string, blobName: string, signal: AbortSignal) {
	if (connection.method === 'sas' || (connection.method === 'connectionString' && connection.sas)) return client.url;
	const signed = await signSas(
		connection,
		{ container, blob: blobName, permissions: 'r', startsOn: new Date(Date.now() - 5 * 60_000), expiresOn: new Date(Date.now() + 60 * 60_000) },
		signal,
	);
	connection.secrets.push(...signatureSpellings(signed.signature));
	return `${client.url}?${signed.token}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, { once: true });
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
	});
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const sourceKind = readChoice(this, 'source', itemIndex, 'Source', ['account', 'url'], 'account');
	const mode = sourceKind === 'account' ? readChoice(this, 'mode', itemIndex, 'Mode', ['copy', 'move'], 'copy') : 'copy';
	const ifExists = readChoice<IfBlobExists>(this, 'ifExists', itemIndex, 'If Blob Exists', ['fail', 'overwrite', 'skip'], 'fail');
	const options = readOptions<CopyOptions>(this, itemIndex);
	const metadata = readMetadata(this, options.metadata, itemIndex, connection);
	const tier = options.accessTier === undefined ? undefined : choiceValue(this, options.accessTier, itemIndex, 'Access Tier', ['Hot', 'Cool', 'Cold', 'Archive'], 'Hot');
	const copyMethod = choiceValue(this, options.copyMethod, itemIndex, 'Copy Method', ['auto', 'async'], 'auto');
	const leaseId = leaseIdValue(this, options.leaseId, itemIndex);
	const copyTimeoutMs = integerValue(this, options.copyTimeout, itemIndex, 'Copy Timeout (Seconds)', { min: 1, max: 86400 }, 3600) * 1000;

	// The source: read its properties first when it is in this account (size, and the ETag a Move relies on).
	let source: CopySource;
	if (sourceKind === 'account') {
		const { container, blobName } = accountSource(this, itemIndex, connection);
		const client = containerClient(connection, container).getBlobClient(blobName);
		const properties = await client.getProperties({ abortSignal: signal });
		source = { url: client.url, shown: publicUrl(client.url), client, container, blobName, etag: properties.etag, size: properties.contentLength };
	} else {
		const sourceUrl = readText(this, 'sourceUrl', itemIndex, 'Source URL').trim();
		if (!URL.canParse(sourceUrl) || !/^https?:$/.test(new URL(sourceUrl).protocol)) {
			throw new NodeOperationError(this.getNode(), 'Source URL is not an http(s) URL', {
				itemIndex,
				description: 'Enter the full URL of the file, e.g. https://account.blob.core.windows.net/container/file.csv?<SAS>',
			});
		}
		const signature = new URL(sourceUrl).searchParams.get('sig');
		if (signature) connection.secrets.push(...signatureSpellings(signature));
		source = { url: sourceUrl, shown: publicUrl(sourceUrl) };
	}

	const container = getContainerName(this, itemIndex, connection);
	const fallbackName = source.blobName ?? decodeURIComponent(new URL(source.shown).pathname.split('/').filter(Boolean).pop() ?? '');
	const blobName =
		readBlobNameField(this, 'blobName', itemIndex, 'Destination Blob Name', connection) ||
		assertBlobName(this, fallbackName, itemIndex, 'Destination Blob Name (taken from the source)', connection);
	if (mode === 'move' && source.container === container && source.blobName === blobName) {
		throw new NodeOperationError(this.getNode(), 'Move needs a destination other than the source', {
			itemIndex,
			description: 'Change the Destination Container or Destination Blob Name; moving a blob onto itself would delete it.',
		});
	}
	const destination = containerClient(connection, container).getBlobClient(blobName);
	const url = publicUrl(destination.url);
	const base = { name: blobName, container, url, source: source.shown, ...(source.blobName ? { sourceContainer: source.container, sourceBlob: source.blobName } : {}) };

	if (ifExists === 'skip') {
		const existing = await existingBlob(destination, signal);
		if (existing) return { ...blobJson(container, blobName, url, existing), ...base, skipped: true };
	}

	const conditions = { ...writeConditions(ifExists), ...(leaseId ? { leaseId } : {}) };
	const sourceConditions = source.etag ? { ifMatch: source.etag } : undefined;
	const synchronous = copyMethod === 'auto' && source.client !== undefined && source.size !== undefined && source.size <= SYNC_COPY_MAX_BYTES;
	let copyId: string | undefined;
	let copyStatus: string | undefined;
	if (synchronous) {
		const readable = await readableSourceUrl(connection, source.client!, source.container!, source.blobName!, signal);
		const result = await destination.syncCopyFromURL(readable, { metadata, tier, conditions, sourceConditions, abortSignal: signal });
		copyId = result.copyId;
		copyStatus = result.copyStatus ?? 'success';
	} else {
		// The poller's start request only; the checks below are our own, to honour Copy Timeout and cancel.
		const poller = await destination.beginCopyFromURL(source.url, { metadata, tier, conditions, sourceConditions, abortSignal: signal });
		// The SDK's poll state carries the copy id while the copy is pending (result is set once done).
		const started = poller.getOperationState() as { copyId?: string; result?: { copyId?: string; copyStatus?: string } };
		copyId = started.copyId ?? started.result?.copyId;
		copyStatus = started.result?.copyStatus ?? 'pending';
		const deadline = Date.now() + copyTimeoutMs;
		let timedOut = false;
		while (copyStatus === 'pending') {
			if (signal.aborted || Date.now() >= deadline) {
				timedOut = !signal.aborted;
				// The item's signal may have fired already: the abort request gets its own short limit.
				if (copyId) await destination.abortCopyFromURL(copyId, { abortSignal: AbortSignal.timeout(15_000) }).catch(() => undefined);
				break;
			}
			await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())), signal);
			if (signal.aborted || Date.now() >= deadline) continue;
			copyStatus = (await destination.getProperties({ abortSignal: signal })).copyStatus ?? 'success';
		}
		if (signal.aborted) throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
		if (timedOut) {
			throw new NodeOperationError(this.getNode(), `The copy did not finish within the Copy Timeout of ${copyTimeoutMs / 1000} s and was aborted`, {
				itemIndex,
				description: 'Azure removed the unfinished blob. Raise "Copy Timeout (Seconds)" (and "Operation Timeout (Seconds)") for very large or slow copies.',
			});
		}
	}
	if (copyStatus && copyStatus !== 'success') {
		throw azureFailureError(
			this.getNode(),
			{ code: 'CopyFailed', azureMessage: `Copy ${copyStatus}`, container, blob: blobName },
			{ itemIndex, secrets: connection.secrets },
		);
	}

	let sourceDeleted: boolean | undefined;
	if (mode === 'move') {
		try {
			await source.client!.delete({ conditions: { ifMatch: source.etag }, abortSignal: signal });
			sourceDeleted = true;
		} catch (error) {
			const status = (error as { statusCode?: number }).statusCode;
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
			if (status !== 412) throw error;
			throw new NodeOperationError(this.getNode(), `The source blob "${source.blobName}" changed during the move and was kept`, {
				itemIndex,
				description: `The copy "${blobName}" in container "${container}" holds the source as it was when the move started; the source was not deleted because someone changed it meanwhile.`,
			});
		}
	}

	const properties = await destination.getProperties({ abortSignal: signal });
	const json: IDataObject = {
		...blobJson(container, blobName, url, properties, { metadata: properties.metadata }),
		...base,
		copyId,
		copyStatus,
		copyMethod: synchronous ? 'sync' : 'async',
		...(mode === 'move' ? { moved: true, sourceDeleted } : {}),
		...(ifExists === 'skip' ? { skipped: false } : {}),
	};
	return json;
}
