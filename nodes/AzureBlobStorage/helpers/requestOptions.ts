/**
 * Timeouts and retries, offered in every operation's Options and applied by the router to every
 * request the item makes (see transport/policies.ts for what they do).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RequestLimits } from '../transport/policies';
import { DEFAULT_LIMITS } from '../transport/policies';
import { integerValue } from './params';

export const DEFAULT_OPERATION_TIMEOUT_SECONDS = 3600;

export const requestOptionFields: INodeProperties[] = [
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		default: 3, // DEFAULT_LIMITS.maxRetries, as a literal for n8n's lint
		typeOptions: { minValue: 0, maxValue: 10 },
		description:
			'How often a request is tried again after a transient failure (connection reset, timeout, HTTP 408, 429, 500, 502, 503, 504), waiting longer each time and as long as Azure asks with Retry-After (up to 60 s). Other failures are reported at once.',
	},
	{
		displayName: 'Parallel Items',
		name: 'parallelItems',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1, maxValue: 64 },
		description:
			'How many input items are worked on at the same time (taken from the first item). Many small files go much faster with 8-16; output order and pairing stay as the input. Each item in flight holds its own transfer buffers, so keep it low for large files.',
	},
	{
		displayName: 'Operation Timeout (Seconds)',
		name: 'operationTimeout',
		type: 'number',
		default: 3600, // DEFAULT_OPERATION_TIMEOUT_SECONDS
		typeOptions: { minValue: 1, maxValue: 86400 },
		description:
			'The longest one item may take, retries and large transfers included. Raise it for very large files on slow links; lower it to fail fast.',
	},
	{
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		default: 30, // DEFAULT_LIMITS.requestTimeoutMs / 1000
		typeOptions: { minValue: 1, maxValue: 3600 },
		description:
			'A request is abandoned (and retried) when no data has moved for this long: no answer, or a transfer that stalls. Large transfers that keep moving are never cut off.',
	},
];

export const MAX_PARALLEL_ITEMS = 64;

/** "Parallel Items", read from the first item: it shapes the loop, not one item. */
export function readParallelItems(ctx: IExecuteFunctions, options: IDataObject): number {
	return integerValue(ctx, options.parallelItems, 0, 'Parallel Items', { min: 1, max: MAX_PARALLEL_ITEMS }, 1);
}

export interface ItemLimits extends RequestLimits {
	operationTimeoutMs: number;
}

/** The item's timeouts and retries from its Options, checked. */
export function readItemLimits(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject): ItemLimits {
	const seconds = integerValue(ctx, options.requestTimeout, itemIndex, 'Request Timeout (Seconds)', { min: 1, max: 3600 }, DEFAULT_LIMITS.requestTimeoutMs / 1000);
	const maxRetries = integerValue(ctx, options.maxRetries, itemIndex, 'Max Retries', { min: 0, max: 10 }, DEFAULT_LIMITS.maxRetries);
	const operationSeconds = integerValue(ctx, options.operationTimeout, itemIndex, 'Operation Timeout (Seconds)', { min: 1, max: 86400 }, DEFAULT_OPERATION_TIMEOUT_SECONDS);
	return { requestTimeoutMs: seconds * 1000, maxRetries, operationTimeoutMs: operationSeconds * 1000 };
}
