/**
 * The node's single per-item loop: picks the operation, runs it for every input item, pairs
 * each output item with its input, and turns failures into n8n errors (or, with "Continue On
 * Fail", into an output item carrying the error while the next items still run).
 *
 * Each item runs in its own scope: an abort signal that fires when the execution is cancelled
 * or when the item's Operation Timeout passes, carrying the item's request timeout and retries
 * to every request the item makes. With "Parallel Items" above 1, up to that many items are in
 * flight at once; the output keeps the input order and pairing either way.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ItemLimits } from '../helpers/requestOptions';
import { readItemLimits, readParallelItems } from '../helpers/requestOptions';
import type { BatchOperation, NodeOperation, OperationResult } from '../helpers/types';
import { isBatchOperation } from '../helpers/types';
import type { AuthenticationMethod, BlobStorageConnection } from '../transport/client';
import { connect } from '../transport/client';
import type { ErrorContext } from '../transport/errors';
import { errorItemJson, toNodeError } from '../transport/errors';
import { attachLimits } from '../transport/policies';
import { apiCallOperations } from './apiCall/ApiCall.resource';
import { blobOperations } from './blob/Blob.resource';
import { containerOperations } from './container/Container.resource';

const operations: Record<string, Record<string, NodeOperation>> = {
	apiCall: apiCallOperations,
	blob: blobOperations,
	container: containerOperations,
};

function isExecutionData(value: IDataObject | INodeExecutionData): value is INodeExecutionData {
	return typeof value.json === 'object' && value.json !== null && !Array.isArray(value.json);
}

function toItems(result: OperationResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((entry) => {
		const item = isExecutionData(entry) ? entry : { json: entry };
		return { ...item, pairedItem: { item: itemIndex } };
	});
}

interface ItemScope {
	signal: AbortSignal;
	deadline: { fired: boolean; timeoutMs: number };
	dispose(): void;
}

/** An abort signal for one item: the execution's cancel, or the item's Operation Timeout. */
function itemScope(cancel: AbortSignal | undefined, limits: ItemLimits): ItemScope {
	const controller = new AbortController();
	const deadline = { fired: false, timeoutMs: limits.operationTimeoutMs };
	const onCancel = () => controller.abort(cancel?.reason);
	if (cancel?.aborted) controller.abort(cancel.reason);
	else cancel?.addEventListener('abort', onCancel, { once: true });
	const timer = setTimeout(() => {
		deadline.fired = true;
		controller.abort();
	}, limits.operationTimeoutMs);
	attachLimits(controller.signal, limits);
	return {
		signal: controller.signal,
		deadline,
		dispose() {
			clearTimeout(timer);
			cancel?.removeEventListener('abort', onCancel);
		},
	};
}

/** Runs `work` but gives up when the scope's signal fires, whatever `work` is waiting for. */
async function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
	let onAbort: () => void = () => undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => {
			const error = new Error('The operation was aborted');
			error.name = 'AbortError';
			reject(error);
		};
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, { once: true });
	});
	aborted.catch(() => undefined);
	work.catch(() => undefined);
	try {
		return await Promise.race([work, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/** A batch operation: one scope (limits of the first item) for all items. */
async function runBatch(
	ctx: IExecuteFunctions,
	operation: BatchOperation,
	authentication: AuthenticationMethod,
	cancel: AbortSignal | undefined,
): Promise<INodeExecutionData[]> {
	const itemIndexes = ctx.getInputData().map((_, index) => index);
	let connection: BlobStorageConnection | undefined;
	let scope: ItemScope | undefined;
	try {
		const limits = readItemLimits(ctx, 0, optionsOf(ctx, 0));
		connection = await connect(ctx, authentication, { limits });
		scope = itemScope(cancel, limits);
		return await untilAborted(scope.signal, operation.executeBatch.call(ctx, itemIndexes, connection, scope.signal));
	} catch (thrown) {
		const error = toNodeError(ctx.getNode(), thrown, { secrets: connection?.secrets, sas: connection?.sas, deadline: scope?.deadline });
		if (!cancel?.aborted && ctx.continueOnFail()) {
			return itemIndexes.map((itemIndex) => ({ json: errorItemJson(error), pairedItem: { item: itemIndex } }));
		}
		throw error;
	} finally {
		scope?.dispose();
	}
}

function optionsOf(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as unknown;
	return typeof options === 'object' && options !== null && !Array.isArray(options) ? (options as IDataObject) : {};
}

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = operations[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not known for "${resource}"`);
	}
	const cancel = this.getExecutionCancelSignal?.();
	const authentication = this.getNodeParameter('authentication', 0) as AuthenticationMethod;
	if (isBatchOperation(operation)) return [await runBatch(this, operation, authentication, cancel)];
	const parallelItems = items.length > 1 ? readParallelItems(this, optionsOf(this, 0)) : 1;
	const itemOperation = operation;

	// One client (and credential work) per run, shared by every item.
	let connecting: Promise<BlobStorageConnection> | undefined;
	let connection: BlobStorageConnection | undefined;
	const connectOnce = (limits: ItemLimits) => {
		connecting ??= connect(this, authentication, { limits }).then((built) => (connection = built));
		return connecting;
	};

	/** One item: its output items, or the error to stop the node with. */
	const runItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
		let scope: ItemScope | undefined;
		try {
			const limits = readItemLimits(this, itemIndex, optionsOf(this, itemIndex));
			const built = await connectOnce(limits);
			scope = itemScope(cancel, limits);
			const result = await untilAborted(scope.signal, itemOperation.execute.call(this, itemIndex, built, scope.signal));
			return toItems(result, itemIndex);
		} catch (thrown) {
			const context: ErrorContext = { itemIndex, secrets: connection?.secrets, sas: connection?.sas, deadline: scope?.deadline, signal: scope?.signal };
			const error = toNodeError(this.getNode(), thrown, context);
			if (!cancel?.aborted && this.continueOnFail()) {
				return [{ json: errorItemJson(error), pairedItem: { item: itemIndex } }];
			}
			throw error;
		} finally {
			scope?.dispose();
		}
	};

	const results: INodeExecutionData[][] = new Array(items.length);
	if (parallelItems === 1) {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) results[itemIndex] = await runItem(itemIndex);
		return [results.flat()];
	}

	// Up to `parallelItems` in flight. The first failure (without Continue On Fail) or a cancel
	// stops new items from starting; the items already running finish, and the failure of the
	// lowest item index is reported, as a one-at-a-time run would have reported it.
	let next = 0;
	const failures = new Map<number, unknown>();
	const worker = async () => {
		while (next < items.length && failures.size === 0 && !cancel?.aborted) {
			const itemIndex = next++;
			try {
				results[itemIndex] = await runItem(itemIndex);
			} catch (error) {
				failures.set(itemIndex, error);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(parallelItems, items.length) }, worker));
	if (failures.size) throw failures.get(Math.min(...failures.keys()));
	if (cancel?.aborted) {
		throw new NodeOperationError(this.getNode(), 'The execution was cancelled before all items were processed');
	}
	return [results.flat()];
}
