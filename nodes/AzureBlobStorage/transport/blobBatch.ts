/**
 * Blob Batch: many deletes or tier changes in one request (at most 256 per batch), a few batches
 * in flight, one outcome per blob. A sub-request Azure refused is reported for that blob; a batch
 * that failed as a whole is reported for every blob in it. Nothing is dropped.
 */
import type { AccessTier, BatchSubResponse, BlobClient } from '@azure/storage-blob';
import { BlobBatch } from '@azure/storage-blob';
import type { INode } from 'n8n-workflow';

import type { BlobStorageConnection } from './client';
import { containerClient } from './client';
import { errorItemJson, toNodeError } from './errors';
import { redactSecrets } from './redact';

export const BATCH_SIZE = 256;

export interface BatchTarget {
	container: string;
	name: string;
	/** The input item this blob came from. */
	itemIndex: number;
}

export type BatchAction = { kind: 'delete'; deleteSnapshots: boolean } | { kind: 'setTier'; tier: AccessTier; rehydratePriority?: 'High' | 'Standard' };

export interface BatchOutcome {
	target: BatchTarget;
	ok: boolean;
	/** HTTP status of the sub-request (absent when the whole batch failed before Azure answered). */
	status?: number;
	code?: string;
	reason?: string;
}

/** Translates a whole-batch failure into a short reason for each of its blobs. */
export type FailureReason = (error: unknown) => { reason: string; code?: string; status?: number };

async function addSubRequest(batch: BlobBatch, connection: BlobStorageConnection, client: BlobClient, action: BatchAction) {
	if (action.kind === 'delete') {
		const options = { deleteSnapshots: action.deleteSnapshots ? ('include' as const) : undefined };
		if (connection.tokenCredential) await batch.deleteBlob(client.url, connection.tokenCredential as never, options);
		else await batch.deleteBlob(client, options);
	} else {
		const options = { rehydratePriority: action.rehydratePriority };
		if (connection.tokenCredential) await batch.setBlobAccessTier(client.url, connection.tokenCredential as never, action.tier, options);
		else await batch.setBlobAccessTier(client, action.tier, options);
	}
}

function subResponseOutcome(target: BatchTarget, response: BatchSubResponse | undefined, secrets: readonly string[]): BatchOutcome {
	if (!response) return { target, ok: false, reason: 'Azure sent no answer for this blob in the batch response' };
	const ok = response.status >= 200 && response.status < 300;
	if (ok) return { target, ok, status: response.status };
	const code = response.errorCode ?? response.headers?.get('x-ms-error-code') ?? undefined;
	const message = (response.statusMessage || '').split('\n')[0].replace(/RequestId:.*$/, '').trim();
	return { target, ok, status: response.status, code, reason: redactSecrets(message || `HTTP ${response.status}`, secrets) };
}

/** One batch of blobs that all sit in one container. */
async function submitOne(
	connection: BlobStorageConnection,
	targets: BatchTarget[],
	action: BatchAction,
	signal: AbortSignal,
	failureReason: FailureReason,
): Promise<BatchOutcome[]> {
	try {
		const container = containerClient(connection, targets[0].container);
		const batch = new BlobBatch();
		for (const target of targets) await addSubRequest(batch, connection, container.getBlobClient(target.name), action);
		// A container SAS allows container-level batches only; otherwise the account-level endpoint
		// (Azurite answers a container-level batch under an account SAS with HTTP 500).
		const batchClient = connection.scopedContainer ? container.getBlobBatchClient() : connection.service.getBlobBatchClient();
		const response = await batchClient.submitBatch(batch, { abortSignal: signal });
		const responses = response.subResponses ?? [];
		// The SDK places each sub-response at its Content-ID, the index of its sub-request.
		return targets.map((target, index) => subResponseOutcome(target, responses[index], connection.secrets));
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a cancel: the router reports it
		if (signal.aborted) throw error;
		const { reason, code, status } = failureReason(error);
		return targets.map((target) => ({ target, ok: false, status, code, reason: `The batch failed as a whole: ${reason}` }));
	}
}

/**
 * Runs the action on every target that `targets` yields, in batches of up to 256 blobs of one
 * container, with up to `inFlight` batches at once. Targets are consumed as they come (a listing
 * can feed them page by page); `onOutcomes` gets each batch's outcomes when it is done.
 */
export async function runInBatches(
	connection: BlobStorageConnection,
	targets: AsyncIterable<BatchTarget[]>,
	action: BatchAction,
	options: { inFlight: number; signal: AbortSignal; failureReason: FailureReason; onOutcomes: (outcomes: BatchOutcome[]) => void },
): Promise<void> {
	const running = new Set<Promise<void>>();
	let failure: unknown;
	const launch = (chunk: BatchTarget[]) => {
		const task: Promise<void> = submitOne(connection, chunk, action, options.signal, options.failureReason)
			.then(options.onOutcomes, (error: unknown) => {
				failure ??= error;
			})
			.finally(() => running.delete(task));
		running.add(task);
	};
	const pending = new Map<string, BatchTarget[]>();
	for await (const group of targets) {
		for (const target of group) {
			const list = pending.get(target.container) ?? [];
			list.push(target);
			pending.set(target.container, list);
			if (list.length === BATCH_SIZE) {
				pending.delete(target.container);
				while (running.size >= options.inFlight) await Promise.race(running);
				if (failure !== undefined) throw failure;
				launch(list);
			}
		}
	}
	for (const list of pending.values()) {
		while (running.size >= options.inFlight) await Promise.race(running);
		if (failure !== undefined) throw failure;
		launch(list);
	}
	await Promise.all(running);
	if (failure !== undefined) throw failure;
}

/** A whole-batch failure, translated as any other Azure failure (secrets removed). */
export function batchFailureReason(node: INode, connection: BlobStorageConnection): FailureReason {
	return (error) => {
		const json = errorItemJson(toNodeError(node, error, { secrets: connection.secrets, sas: connection.sas }));
		const status = Number(json.httpCode);
		return {
			reason: String(json.error),
			code: typeof json.code === 'string' ? json.code : undefined,
			status: Number.isInteger(status) && status > 0 ? status : undefined,
		};
	};
}
