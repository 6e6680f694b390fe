/**
 * "Download Blob" for both triggers: the blob's content, streamed into n8n's binary data store
 * (as the Download operation does), attached to the event's output item.
 *
 * The download is pinned to the ETag the event reports, so the bytes are always those of that
 * version. When the blob changed or disappeared since (Azure answers 412 or 404), the item is
 * still output, without the file and with `downloadSkipped` saying why; the newer version comes
 * with its own event. Any other failure is an error.
 */
import type { BlobClient } from '@azure/storage-blob';
import type { IBinaryKeyData } from 'n8n-workflow';

import type { BinaryHelpers } from '../helpers/binaryStore';
import { binaryStoreRefusal } from '../helpers/binaryStore';
import { normalizeEtag } from '../helpers/existingBlob';
import { downloadBlob, storableContent } from '../transport/transfer';

export type { BinaryHelpers };

export interface ContentRequest {
	blobClient: BlobClient;
	blobName: string;
	/** The version to download; undefined downloads whatever is current. */
	etag?: string;
	binaryPropertyName: string;
	abortSignal?: AbortSignal;
}

export interface DownloadedContent {
	binary?: IBinaryKeyData;
	/** Why there is no file, when there is none. */
	skipped?: string;
}

function statusOf(error: unknown): number | undefined {
	const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
	return typeof status === 'number' ? status : undefined;
}

export async function downloadContent(helpers: BinaryHelpers, request: ContentRequest): Promise<DownloadedContent> {
	const { blobClient, blobName, etag, abortSignal } = request;
	let download;
	try {
		download = await downloadBlob(blobClient, { abortSignal, conditions: etag ? { ifMatch: normalizeEtag(etag) } : undefined });
	} catch (error) {
		const status = statusOf(error);
		if (status === 404) return { skipped: 'The blob was deleted before it could be downloaded' };
		if (status === 412) return { skipped: 'The blob changed before it could be downloaded; the newer version is reported by its own event' };
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the triggers translate it with toNodeError
		throw error;
	}
	const { stream, response } = download;
	const size = response.contentLength ?? 0;
	const refusal = await binaryStoreRefusal(helpers, size, 'The blob');
	if (refusal) {
		stream.destroy();
		return { skipped: `${refusal.message}. ${refusal.fix.replace(', or download a part with the Range options', '')}` };
	}
	const fileName = blobName.split('/').pop() || blobName;
	const contentType = response.contentType || 'application/octet-stream';
	// Checked against the blob's Content-MD5, as the Download operation does.
	const { content } = await storableContent(stream, size, { expectedMD5: response.contentMD5 }, blobName);
	const binary = await helpers.prepareBinaryData(content, fileName, contentType);
	if (!binary.mimeType || binary.mimeType === 'application/octet-stream') binary.mimeType = contentType;
	binary.fileName = fileName;
	return { binary: { [request.binaryPropertyName]: binary } };
}
