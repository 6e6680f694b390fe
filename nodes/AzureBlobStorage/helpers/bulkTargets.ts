/**
 * Which blobs a bulk operation (Delete Many, Set Tier Many) acts on: every blob under a prefix
 * (listed page by page), or one blob per input item. Also shapes the one output item per blob.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BatchAction, BatchOutcome, BatchTarget } from '../transport/blobBatch';
import { batchFailureReason, runInBatches } from '../transport/blobBatch';
import type { BlobStorageConnection } from '../transport/client';
import { containerClient } from '../transport/client';
import { listBlobPages } from '../transport/listBlobs';
import { errorItemJson, toNodeError } from '../transport/errors';
import { assertBlobName, assertNoSecret, getContainerName } from './locators';
import { booleanValue, integerValue, readChoice, readOptions, textValue } from './params';

export type BulkSelection = 'prefix' | 'items';

export function bulkTargetFields(verb: string): INodeProperties[] {
	return [
		{
			displayName: 'Blobs',
			name: 'selection',
			type: 'options',
			default: 'prefix',
			options: [
				{ name: 'All Under a Prefix', value: 'prefix', description: `${verb} every blob whose name starts with the prefix` },
				{ name: 'Named by Input Items', value: 'items', description: `${verb} one blob per input item` },
			],
			description: 'Which blobs to act on',
		},
		{
			displayName: 'Prefix',
			name: 'prefix',
			type: 'string',
			default: '',
			placeholder: 'e.g. exports/2024/',
			description: 'Blob names start with this, e.g. a "folder" like exports/2024/',
			displayOptions: { show: { selection: ['prefix'] } },
		},
		{
			displayName: 'Blob Name',
			name: 'blobName',
			type: 'string',
			default: '={{ $json.name }}',
			description: "The blob of this input item, with any folder prefix (by default the item's name field, as Get Many outputs it)",
			displayOptions: { show: { selection: ['items'] } },
		},
	];
}

export interface BulkTargets {
	/** Groups of targets, consumed as they come (a listing yields one page at a time). */
	groups: AsyncIterable<BatchTarget[]>;
	/** Items whose container or blob name was refused before any request: their own outcome. */
	refused: Array<{ itemIndex: number; container?: string; name?: string; reason: string }>;
	/**
	 * After the run: an item saying the listing broke off, when it failed after some pages had
	 * already been acted on (the outcomes so far are kept and reported; nothing is lost silently).
	 * A listing that fails before its first page is an error of the whole run instead.
	 */
	listingStopped: (past: string) => INodeExecutionData | undefined;
}

interface ListingState {
	listed: number;
	last?: string;
	error?: unknown;
}

/**
 * The prefix (item 0), checked. With `emptyRefused` (what the operation would do, e.g. "delete"),
 * an empty prefix (the whole container) is refused.
 */
function readPrefix(ctx: IExecuteFunctions, connection: BlobStorageConnection, emptyRefused: string | undefined): string {
	const prefix = assertNoSecret(ctx, textValue(ctx, ctx.getNodeParameter('prefix', 0, ''), 0, 'Prefix'), 0, 'Prefix', connection);
	if (emptyRefused !== undefined && prefix === '') {
		throw new NodeOperationError(ctx.getNode(), `Prefix is empty, which would ${emptyRefused} every blob in the container`, {
			itemIndex: 0,
			description: 'Enter the prefix of the blobs to act on, e.g. exports/2024/. To remove a whole container use Container → Delete.',
		});
	}
	return prefix;
}

function readSelection(ctx: IExecuteFunctions): BulkSelection {
	return readChoice<BulkSelection>(ctx, 'selection', 0, 'Blobs', ['prefix', 'items'], 'prefix');
}

/** Every blob under the prefix, a page (up to 5,000) at a time, paired with input item 0. */
async function* listed(
	connection: BlobStorageConnection,
	container: string,
	prefix: string,
	signal: AbortSignal,
	state: ListingState,
): AsyncIterable<BatchTarget[]> {
	const pages = listBlobPages(containerClient(connection, container), { prefix, pageSize: LIST_PAGE_SIZE, abortSignal: signal });
	try {
		for await (const page of pages) {
			const items = page.blobs;
			state.listed += items.length;
			if (items.length) state.last = items[items.length - 1].name;
			yield items.map((blob) => ({ container, name: blob.name, itemIndex: 0 }));
		}
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (state.listed === 0 || signal.aborted) throw error;
		state.error = error;
	}
}

/** Blobs per listing page: Azure's maximum. */
const LIST_PAGE_SIZE = 5000;

function listingStoppedItem(
	ctx: IExecuteFunctions,
	connection: BlobStorageConnection,
	state: ListingState,
	container: string,
	prefix: string,
	past: string,
): INodeExecutionData | undefined {
	if (state.error === undefined) return undefined;
	const failure = errorItemJson(toNodeError(ctx.getNode(), state.error, { secrets: connection.secrets, sas: connection.sas }));
	const json: IDataObject = {
		container,
		prefix,
		outcome: 'failed',
		error:
			`Listing the blobs under "${prefix}" broke off after ${state.listed.toLocaleString('en-US')} blobs: ${String(failure.error)}. ` +
			`The blobs listed up to "${state.last ?? ''}" are reported above; blobs after it were not ${past}. Run the node again to go on.`,
		listedBlobs: state.listed,
	};
	if (failure.code !== undefined) json.code = failure.code;
	if (failure.httpCode !== undefined) json.httpCode = failure.httpCode;
	return { json, pairedItem: { item: 0 } };
}

async function* once(targets: BatchTarget[]): AsyncIterable<BatchTarget[]> {
	yield targets;
}

function bulkTargets(
	ctx: IExecuteFunctions,
	itemIndexes: number[],
	connection: BlobStorageConnection,
	signal: AbortSignal,
	selection: BulkSelection,
	prefix: string,
): BulkTargets {
	if (selection === 'prefix') {
		const container = getContainerName(ctx, 0, connection);
		const state: ListingState = { listed: 0 };
		return {
			groups: listed(connection, container, prefix, signal, state),
			refused: [],
			listingStopped: (past) => listingStoppedItem(ctx, connection, state, container, prefix, past),
		};
	}
	const targets: BatchTarget[] = [];
	const refused: BulkTargets['refused'] = [];
	for (const itemIndex of itemIndexes) {
		let container: string | undefined;
		let name: string | undefined;
		try {
			container = getContainerName(ctx, itemIndex, connection);
			const raw = textValue(ctx, ctx.getNodeParameter('blobName', itemIndex, ''), itemIndex, 'Blob Name');
			if (raw === '') throw new Error('Blob Name is empty');
			name = assertBlobName(ctx, raw, itemIndex, 'Blob Name', connection);
			targets.push({ container, name, itemIndex });
		} catch (error) {
			refused.push({ itemIndex, container, reason: toNodeError(ctx.getNode(), error, { itemIndex, secrets: connection.secrets }).message });
		}
	}
	return { groups: once(targets), refused, listingStopped: () => undefined };
}

/** One output item for one blob's outcome, paired with the input item that named it. */
function outcomeItem(outcome: BatchOutcome, success: { outcome: string; extra?: IDataObject }): INodeExecutionData {
	const { target } = outcome;
	const base: IDataObject = { name: target.name, container: target.container };
	const notFound = outcome.status === 404 && (outcome.code === 'BlobNotFound' || outcome.code === undefined);
	let json: IDataObject;
	if (outcome.ok) json = { ...base, outcome: success.outcome, ...success.extra };
	else if (notFound) json = { ...base, outcome: 'not found' };
	else {
		json = { ...base, outcome: 'failed', error: outcome.reason ?? 'Unknown failure' };
		if (outcome.code) json.code = outcome.code;
		if (outcome.status) json.httpCode = String(outcome.status);
	}
	return { json, pairedItem: { item: target.itemIndex } };
}

/** An item whose container or blob name was refused before any request. */
function refusedItem(refused: BulkTargets['refused'][number]): INodeExecutionData {
	const json: IDataObject = { outcome: 'failed', error: refused.reason };
	if (refused.name !== undefined) json.name = refused.name;
	if (refused.container !== undefined) json.container = refused.container;
	return { json, pairedItem: { item: refused.itemIndex } };
}

function pairedIndex(item: INodeExecutionData): number {
	const paired = item.pairedItem;
	return typeof paired === 'object' && paired !== null && !Array.isArray(paired) ? paired.item : 0;
}

/** Input order, then name order (as Azure lists): batches finish in any order. */
function sortOutcomes(items: INodeExecutionData[]): INodeExecutionData[] {
	return items.sort((a, b) => {
		const byItem = pairedIndex(a) - pairedIndex(b);
		if (byItem !== 0) return byItem;
		const [x, y] = [String(a.json.name ?? ''), String(b.json.name ?? '')];
		return x < y ? -1 : x > y ? 1 : 0;
	});
}

/** The outcomes, then the item saying the listing broke off, when it did. */
function withListingStop(items: INodeExecutionData[], stopped: INodeExecutionData | undefined): INodeExecutionData[] {
	if (stopped) items.push(stopped);
	return items;
}

export const batchesInFlightOption: INodeProperties = {
	displayName: 'Batches in Flight',
	name: 'batchesInFlight',
	type: 'number',
	default: 4,
	typeOptions: { minValue: 1, maxValue: 16 },
	description: 'How many batches of up to 256 blobs are sent at the same time. More is faster until Azure throttles (HTTP 503).',
};

export function dryRunOption(past: string): INodeProperties {
	return {
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description: `Whether to only list the blobs that would be ${past}, without changing anything`,
	};
}

/**
 * A bulk operation's whole run: the blobs (a prefix listing or the input items), then either the
 * dry run's list or the batches, one output item per blob in input and name order, and the item
 * saying the listing broke off when it did.
 */
export async function runBulk(
	ctx: IExecuteFunctions,
	itemIndexes: number[],
	connection: BlobStorageConnection,
	signal: AbortSignal,
	bulk: {
		/** What an empty prefix would do, e.g. 'delete'; undefined allows an empty prefix. */
		emptyPrefixRefused?: string;
		action: BatchAction;
		/** Outcome of a dry run, e.g. 'would be deleted'. */
		wouldBe: string;
		success: { outcome: string; extra?: IDataObject };
		/** What the blobs after a broken-off listing were not, e.g. 'deleted'. */
		past: string;
	},
): Promise<INodeExecutionData[]> {
	const selection = readSelection(ctx);
	const options = readOptions<{ dryRun?: unknown; batchesInFlight?: unknown }>(ctx, 0);
	const dryRun = booleanValue(ctx, options.dryRun, 0, 'Dry Run', false);
	const inFlight = integerValue(ctx, options.batchesInFlight, 0, 'Batches in Flight', { min: 1, max: 16 }, 4);
	const prefix = selection === 'prefix' ? readPrefix(ctx, connection, bulk.emptyPrefixRefused) : '';
	const { groups, refused, listingStopped } = bulkTargets(ctx, itemIndexes, connection, signal, selection, prefix);

	const output: INodeExecutionData[] = refused.map(refusedItem);
	if (dryRun) {
		for await (const group of groups) {
			for (const target of group) {
				output.push({ json: { name: target.name, container: target.container, outcome: bulk.wouldBe, dryRun: true }, pairedItem: { item: target.itemIndex } });
			}
		}
		return withListingStop(sortOutcomes(output), listingStopped('listed'));
	}
	await runInBatches(connection, groups, bulk.action, {
		inFlight,
		signal,
		failureReason: batchFailureReason(ctx.getNode(), connection),
		onOutcomes: (outcomes) => output.push(...outcomes.map((outcome) => outcomeItem(outcome, bulk.success))),
	});
	return withListingStop(sortOutcomes(output), listingStopped(bulk.past));
}
