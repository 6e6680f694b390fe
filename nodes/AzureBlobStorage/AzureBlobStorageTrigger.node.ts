import type { ContainerClient } from '@azure/storage-blob';
import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { containerLocator } from './actions/common.descriptions';
import { blobJson, publicUrl } from './helpers/format';
import { testBlobStorageCredential } from './methods/credentialTest';
import { searchContainers } from './methods/listSearch';
import { downloadContent } from './trigger/blobContent';
import type { BlobChange, BlobEventType, DetectionResult } from './trigger/changeDetector';
import { ChangeDetector } from './trigger/changeDetector';
import { authenticationProperty } from './helpers/credentialChoices';
import { binaryPropertyOption } from './trigger/descriptions';
import type { ListedBlobDetails } from './trigger/listing';
import { listWatchedBlobs } from './trigger/listing';
import { connectTrigger } from './trigger/connection';
import { compileNameFilter } from './trigger/nameFilter';
import type { PollSettings } from './trigger/parameters';
import { readAuthentication, readContainer, readEvents, readPollSettings, readPrefix } from './trigger/parameters';
import { decodePollState, readPollState, stateBytes } from './trigger/pollState';
import { fingerprint } from './trigger/fingerprints';
import type { BlobStorageConnection } from './transport/client';
import { containerClient } from './transport/client';
import { toNodeError } from './transport/errors';

/** n8n 2.x gives a poll 5 minutes unless its scheduler says otherwise; n8n 1.x has no budget. */
const DEFAULT_POLL_BUDGET_MS = 5 * 60_000;
/** The trigger's state is refused beyond this size (see README: about 8 bytes per blob, or the compressed names). */
export const MAX_STATE_BYTES = 16 * 1024 * 1024;
/** When Azure's answer has no Date header, the local clock is trusted only this far back. */
const LOCAL_CLOCK_SLACK_SECONDS = 300;

interface Watch {
	container: string;
	prefix: string;
	events: Set<BlobEventType>;
	settings: PollSettings;
	client: ContainerClient;
}

function pollBudgetMs(ctx: IPollFunctions): number {
	const budget = typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : undefined;
	return typeof budget === 'number' && Number.isFinite(budget) && budget > 0 ? budget : DEFAULT_POLL_BUDGET_MS;
}

/** What is watched, as a short fingerprint: when it changes, the trigger starts over. */
function scopeOf(connection: BlobStorageConnection, watch: Watch): string {
	const { includeSubfolders, nameFilter } = watch.settings;
	const account = publicUrl(connection.service.url);
	return fingerprint(JSON.stringify([account, watch.container, watch.prefix, includeSubfolders, nameFilter]), 12).toString('base64');
}

function firstWatched(events: Set<BlobEventType>): BlobEventType {
	return (['created', 'updated', 'deleted'] as const).find((type) => events.has(type)) ?? 'created';
}

async function eventItem(
	ctx: IPollFunctions,
	watch: Watch,
	change: BlobChange<ListedBlobDetails>,
	abortSignal: AbortSignal,
): Promise<INodeExecutionData> {
	const blobClient = watch.client.getBlobClient(change.name);
	const url = publicUrl(blobClient.url);
	if (!change.blob) {
		return { json: { event: change.type, container: watch.container, name: change.name, url } };
	}
	const details = change.blob.details!;
	const json: IDataObject = {
		event: change.type,
		...blobJson(watch.container, change.name, url, details.properties, {
			metadata: watch.settings.includeMetadata ? (details.metadata ?? {}) : undefined,
		}),
	};
	if (!watch.settings.download) return { json };
	const content = await downloadContent(ctx.helpers, {
		blobClient,
		blobName: change.name,
		etag: change.blob.etag,
		binaryPropertyName: watch.settings.binaryPropertyName,
		abortSignal,
	});
	if (content.skipped) json.downloadSkipped = content.skipped;
	return content.binary ? { json, binary: content.binary } : { json };
}

/** "Fetch Test Event": the newest matching blob, as the first watched event type; no state is touched. */
async function testEvent(ctx: IPollFunctions, watch: Watch, abortSignal: AbortSignal): Promise<INodeExecutionData[][]> {
	let newest: BlobChange<ListedBlobDetails> | undefined;
	const type = firstWatched(watch.events);
	await listWatchedBlobs(
		watch.client,
		{ ...watch.settings, prefix: watch.prefix, filter: compileNameFilter(watch.settings.nameFilter), abortSignal },
		{
			start: () => undefined,
			blob: (blob) => {
				const current = newest?.blob;
				if (!current || blob.lastModified > current.lastModified || (blob.lastModified === current.lastModified && blob.name > current.name)) {
					newest = { type, name: blob.name, blob };
				}
			},
		},
		() => Math.floor(Date.now() / 1000),
	);
	if (!newest) {
		const where = watch.prefix ? ` under "${watch.prefix}"` : '';
		const filter = watch.settings.nameFilter ? ` matching "${watch.settings.nameFilter}"` : '';
		throw new NodeOperationError(ctx.getNode(), `No blob in container "${watch.container}"${where}${filter} to show as a test event`, {
			description: 'Upload a blob that matches the trigger\'s settings, then fetch the test event again.',
		});
	}
	if (type === 'deleted') newest = { type, name: newest.name };
	return [[await eventItem(ctx, watch, newest, abortSignal)]];
}

async function detectChanges(
	ctx: IPollFunctions,
	connection: BlobStorageConnection,
	watch: Watch,
	stored: unknown,
	abortSignal: AbortSignal,
): Promise<DetectionResult<ListedBlobDetails>> {
	const previousState = readPollState(stored);
	const previous = previousState ? decodePollState(previousState) : undefined;
	const options = {
		scope: scopeOf(connection, watch),
		events: watch.events,
		maxEvents: watch.settings.maxEvents,
		emitExisting: watch.settings.emitExisting,
	};
	let detector: ChangeDetector<ListedBlobDetails> | undefined;
	await listWatchedBlobs(
		watch.client,
		{ ...watch.settings, prefix: watch.prefix, filter: compileNameFilter(watch.settings.nameFilter), abortSignal },
		{
			start: (listingTime) => (detector = new ChangeDetector(previous, listingTime, options)),
			blob: (blob) => detector!.add(blob),
		},
		() => Math.floor(Date.now() / 1000) - LOCAL_CLOCK_SLACK_SECONDS,
	);
	const result = detector!.finish();
	const bytes = stateBytes(result.state);
	if (bytes > MAX_STATE_BYTES) {
		throw new NodeOperationError(ctx.getNode(), `The trigger's state would take ${Math.round(bytes / 1024 / 1024)} MiB, more than the ${MAX_STATE_BYTES / 1024 / 1024} MiB it allows`, {
			description: `${result.state.count.toLocaleString('en-US')} blobs are watched. Watch a narrower Folder (Prefix) or File Name Filter, turn off Blob Deleted (it keeps every name), or use the Event Grid trigger, which keeps no state.`,
		});
	}
	return result;
}

async function pollBlobChanges(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const connection = await connectTrigger(this, readAuthentication(this));
	const budget = pollBudgetMs(this);
	const deadline = new AbortController();
	const timer = setTimeout(() => deadline.abort(), budget);
	const staticData = this.getWorkflowStaticData('node');
	let leased = false;
	try {
		const container = readContainer(this, connection);
		const watch: Watch = {
			container,
			prefix: readPrefix(this, connection),
			events: readEvents(this),
			settings: readPollSettings(this, connection),
			client: containerClient(connection, container),
		};
		if (this.getMode() === 'manual') return await testEvent(this, watch, deadline.signal);

		// A poll that overlaps a slower one (n8n starts polls on schedule, not after the last one
		// ended) skips: both would otherwise report the same changes.
		const now = Date.now();
		if (typeof staticData.busyUntil === 'number' && staticData.busyUntil > now) return null;
		staticData.busyUntil = now + budget;
		leased = true;

		const result = await detectChanges(this, connection, watch, staticData.state, deadline.signal);
		const items: INodeExecutionData[] = [];
		for (const change of result.changes) items.push(await eventItem(this, watch, change, deadline.signal));
		// Saved by n8n with the execution it starts (or, after a poll that finds nothing, kept in
		// memory and found again by the next poll if n8n restarts in between).
		staticData.state = result.state as unknown as IDataObject;
		return items.length > 0 ? [items] : null;
	} catch (error) {
		if (deadline.signal.aborted) {
			throw new NodeOperationError(this.getNode(), `The poll did not finish within ${Math.round(budget / 1000)} s`, {
				description:
					'Listing the watched blobs (or downloading them) took longer than n8n allows one poll. Nothing was reported and nothing is lost: the next poll tries again. Watch a narrower Folder (Prefix), lower Max Events per Poll when downloading, or use the Event Grid trigger for very large containers.',
			});
		}
		throw toNodeError(this.getNode(), error, { secrets: connection.secrets, sas: connection.sas });
	} finally {
		clearTimeout(timer);
		if (leased) delete staticData.busyUntil;
	}
}

export class AzureBlobStorageTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Azure Blob Storage Trigger',
		name: 'azureBlobStorageTrigger',
		icon: { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow when blobs are created, updated or deleted in a container, by polling',
		defaults: { name: 'Azure Blob Storage Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'azureBlobStorageSharedKeyApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['sharedKey'] } },
			},
			{
				name: 'azureBlobStorageConnectionStringApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['connectionString'] } },
			},
			{
				name: 'azureBlobStorageSasApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['sas'] } },
			},
			{
				name: 'azureBlobStorageOAuth2Api',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
			{
				name: 'azureBlobStorageClientCredentialsOAuth2Api',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['clientCredentials'] } },
			},
			{
				name: 'azureBlobStorageClientCertificateApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['clientCertificate'] } },
			},
			{
				name: 'azureBlobStorageManagedIdentityApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['managedIdentity'] } },
			},
			{
				name: 'azureBlobStorageWorkloadIdentityApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['workloadIdentity'] } },
			},
		],
		properties: [
			authenticationProperty,
			{ ...containerLocator, description: 'The container to watch' },
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['created', 'updated'],
				options: [
					{
						name: 'Blob Created',
						value: 'created',
						description: 'A blob with a name not seen before appears',
					},
					{
						name: 'Blob Deleted',
						value: 'deleted',
						description:
							'A blob disappears. Found by comparing each poll\'s full listing with the names of all watched blobs, which the trigger then keeps in its state (a few bytes per blob, compressed).',
					},
					{
						name: 'Blob Updated',
						value: 'updated',
						description: 'A blob is overwritten or its metadata changes: same name, new ETag. Several changes between two polls give one event.',
					},
				],
				description:
					'Which changes start the workflow. Every poll lists the blobs under the folder (Azure cannot filter a listing by time, about one request per 5,000 blobs); only what changed is compared and kept.',
			},
			{
				displayName: 'Folder (Prefix)',
				name: 'prefix',
				type: 'string',
				default: '',
				placeholder: 'e.g. incoming/2024/',
				description: 'Watch only blobs whose names start with this text; end it with "/" to watch a folder. Empty: the whole container.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Download Blob',
						name: 'download',
						type: 'boolean',
						default: false,
						description:
							'Whether to download each created or updated blob and output it as a file, streamed into n8n\'s binary data store. Each poll then takes as long as its downloads; keep Max Events per Poll moderate for large files.',
					},
					{
						displayName: 'Emit Existing Blobs on First Poll',
						name: 'emitExisting',
						type: 'boolean',
						default: false,
						description:
							'Whether the first poll after activation reports every blob already there as created (once, up to Max Events per Poll at a time). Off: the first poll only takes note of what exists.',
					},
					{
						displayName: 'File Name Filter',
						name: 'nameFilter',
						type: 'string',
						default: '',
						placeholder: 'e.g. *.csv, *.xlsx',
						description:
							'Only blobs whose names match one of these patterns (comma-separated, any case). A pattern without "/" matches the file name: *.csv, report-??.pdf; with "/" the whole name: in/*/orders.csv. Text without wildcards matches the end of the name: .csv.',
					},
					{
						displayName: 'Include Metadata',
						name: 'includeMetadata',
						type: 'boolean',
						default: false,
						description: 'Whether to output each blob\'s metadata. Makes each listing page larger.',
					},
					{
						displayName: 'Include Subfolders',
						name: 'includeSubfolders',
						type: 'boolean',
						default: true,
						description: 'Whether to watch blobs in every "subfolder" under the prefix. Off: only blobs directly in it (one level).',
					},
					{
						displayName: 'Max Events per Poll',
						name: 'maxEvents',
						type: 'number',
						default: 500,
						typeOptions: { minValue: 1, maxValue: 10000 },
						description:
							'The most events one poll reports (oldest first); the rest come with the next polls, none is lost. Bounds the size of one execution.',
					},
					{
						...binaryPropertyOption,
						displayOptions: { show: { download: [true] } },
					},
				],
			},
		],
	};

	methods = {
		listSearch: { searchContainers },
		credentialTest: { azureBlobStorageCredentialTest: testBlobStorageCredential },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollBlobChanges.call(this);
	}
}
