import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { BlobStorageConnection } from '../transport/client';

/** What an operation returns for one input item: JSON objects, or full items (with binary data). */
export type OperationResult = IDataObject | IDataObject[] | INodeExecutionData | INodeExecutionData[];

/**
 * One operation: its UI fields and what it does for one input item. The router owns the loop,
 * "Continue On Fail", pairing and error translation, so an operation only does its work.
 */
export interface ItemOperation {
	description: INodeProperties[];
	/**
	 * `signal` fires when the execution is cancelled or the item's Operation Timeout passes; pass
	 * it to every Azure call (it also carries the item's request timeout and retries).
	 */
	execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal): Promise<OperationResult>;
}

/**
 * An operation for which batching is the point (e.g. deleting thousands of blobs with Blob
 * Batch): it gets all input items at once and returns output items that already carry their
 * `pairedItem` (the input item each one came from). The router still owns the scope (timeouts
 * from the first item's options, cancel), error translation and "Continue On Fail" for a
 * failure of the whole batch; per-blob outcomes are the operation's own output items.
 */
export interface BatchOperation {
	description: INodeProperties[];
	executeBatch(
		this: IExecuteFunctions,
		itemIndexes: number[],
		connection: BlobStorageConnection,
		signal: AbortSignal,
	): Promise<INodeExecutionData[]>;
}

export type NodeOperation = ItemOperation | BatchOperation;

export function isBatchOperation(operation: NodeOperation): operation is BatchOperation {
	return typeof (operation as BatchOperation).executeBatch === 'function';
}
