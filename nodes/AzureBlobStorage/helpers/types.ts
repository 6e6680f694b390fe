import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { BlobStorageConnection } from '../transport/client';

/** What an operation returns for one input item: JSON objects, or full items (with binary data). */
export type OperationResult = IDataObject | IDataObject[] | INodeExecutionData | INodeExecutionData[];

/**
 * One operation: its UI fields and what it does for one input item. The router owns the loop,
 * "Continue On Fail", pairing and error translation, so an operation only does its work.
 */
export interface NodeOperation {
	description: INodeProperties[];
	/**
	 * `signal` fires when the execution is cancelled or the item's Operation Timeout passes; pass
	 * it to every Azure call (it also carries the item's request timeout and retries).
	 */
	execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal): Promise<OperationResult>;
}
