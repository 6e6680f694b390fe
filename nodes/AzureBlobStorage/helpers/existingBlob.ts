/** "If Blob Exists" for the operations that create blobs: the check before, the condition during. */
import type { BlobClient, BlobGetPropertiesResponse, BlobRequestConditions } from '@azure/storage-blob';
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BlobStorageConnection } from '../transport/client';
import { assertNoSecret } from './locators';
import { textValue } from './params';
import { headerValueProblem } from './validation';

export type IfBlobExists = 'fail' | 'overwrite' | 'skip';

/** The blob's properties, or undefined when there is no such blob. */
export async function existingBlob(blob: BlobClient, abortSignal?: AbortSignal): Promise<BlobGetPropertiesResponse | undefined> {
	return await blob.getProperties({ abortSignal }).catch((error: { statusCode?: number }) => {
		if (error.statusCode === 404) return undefined;
		throw error;
	});
}

/**
 * The write condition that makes Azure itself refuse to replace a blob unless overwriting was
 * asked for (If-None-Match: *), so two runs racing cannot both write; with an ETag, overwriting
 * happens only if the blob is unchanged since that ETag was read (If-Match).
 */
export function writeConditions(ifExists: IfBlobExists, ifMatch?: string): BlobRequestConditions | undefined {
	if (ifExists !== 'overwrite') return { ifNoneMatch: '*' };
	return ifMatch ? { ifMatch } : undefined;
}

/** An ETag as Azure compares it: quoted ("0x..."), or * for "any existing blob". */
export function normalizeEtag(etag: string): string | undefined {
	if (etag === '') return undefined;
	if (etag === '*' || /^(W\/)?".*"$/.test(etag)) return etag;
	return `"${etag}"`;
}

/** The "Only If ETag Matches" option, checked (header-safe text) and quoted as Azure expects. */
export function readIfMatch(
	ctx: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
	connection?: Pick<BlobStorageConnection, 'secrets'>,
): string | undefined {
	const text = textValue(ctx, value, itemIndex, 'Only If ETag Matches');
	if (text === '') return undefined;
	assertNoSecret(ctx, text, itemIndex, 'Only If ETag Matches', connection);
	// Checked as typed: an ETag with a stray space or line break would never match.
	const problem = headerValueProblem(text);
	if (problem) throw new NodeOperationError(ctx.getNode(), `Only If ETag Matches ${problem}`, { itemIndex });
	return normalizeEtag(text);
}
