/** "If Blob Exists" for the operations that create blobs: the check before, the condition during. */
import type { BlobClient, BlobGetPropertiesResponse, BlobRequestConditions } from '@azure/storage-blob';

export type IfBlobExists = 'fail' | 'overwrite' | 'skip';

/** The blob's properties, or undefined when there is no such blob. */
export async function existingBlob(blob: BlobClient, abortSignal?: AbortSignal): Promise<BlobGetPropertiesResponse | undefined> {
	return await blob.getProperties({ abortSignal }).catch((error: { statusCode?: number }) => {
		if (error.statusCode === 404) return undefined;
		throw error;
	});
}

/**
 * The write condition (If-None-Match: *) that makes Azure itself refuse to replace a blob unless
 * overwriting was asked for, so two runs racing cannot both write.
 */
export function writeConditions(ifExists: IfBlobExists): BlobRequestConditions | undefined {
	return ifExists === 'overwrite' ? undefined : { ifNoneMatch: '*' };
}
