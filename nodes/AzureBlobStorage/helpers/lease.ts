/** Lease IDs: the "Lease ID" option of write operations and the fields of Blob > Lease. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { textValue } from './params';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A sentence saying what is wrong with a lease ID, or undefined when it is a GUID. */
export function leaseIdProblem(value: string): string | undefined {
	if (GUID.test(value)) return undefined;
	const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
	if (value.trim() !== value && GUID.test(value.trim())) return `${shown} starts or ends with a space; remove it (e.g. {{ $json.leaseId.trim() }})`;
	return `${shown} is not a lease ID: Azure lease IDs are GUIDs such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301`;
}

/** An optional lease ID (empty means none), checked before any request. */
export function leaseIdValue(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field = 'Lease ID'): string | undefined {
	const text = textValue(ctx, value, itemIndex, field);
	if (text === '') return undefined;
	const problem = leaseIdProblem(text);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `${field} ${problem}`, {
			itemIndex,
			description: 'Use the leaseId output by Blob > Lease (Acquire or Change), or leave the field empty when the blob is not leased.',
		});
	}
	return text;
}

/** A lease ID that must be given (Renew, Release, Change). */
export function requiredLeaseId(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field: string): string {
	const leaseId = leaseIdValue(ctx, value, itemIndex, field);
	if (!leaseId) {
		throw new NodeOperationError(ctx.getNode(), `${field} is empty`, {
			itemIndex,
			description: 'Enter the leaseId output by Blob > Lease with Acquire (or Change), e.g. {{ $json.leaseId }}.',
		});
	}
	return leaseId;
}
