/**
 * One full listing of the watched blobs, page by page (5,000 blobs per request), handing each
 * matching blob to the caller as soon as its page arrives, so memory holds one page, not the
 * container. Azure has no server-side filter by modification time, so every poll lists the
 * whole prefix; what the trigger keeps and compares beyond that grows with what changed.
 */
import type { BlobItem, ContainerClient } from '@azure/storage-blob';

import { listBlobPages } from '../transport/listBlobs';
import type { ListedBlob } from './changeDetector';
import type { NameFilter } from './nameFilter';

export const LIST_PAGE_SIZE = 5000;

export interface ListingOptions {
	prefix: string;
	/** false: only blobs directly under the prefix (one folder level). */
	includeSubfolders: boolean;
	includeMetadata: boolean;
	filter: NameFilter;
	abortSignal: AbortSignal;
}

export type ListedBlobDetails = Pick<BlobItem, 'properties' | 'metadata'>;

export interface ListingVisitor {
	/** Called once, before any blob, with Azure's time on the first page (seconds since the epoch). */
	start(listingTime: number): void;
	blob(blob: ListedBlob<ListedBlobDetails>): void;
}

function seconds(date: Date): number {
	return Math.floor(date.getTime() / 1000);
}

export function toListedBlob(item: BlobItem): ListedBlob<ListedBlobDetails> {
	return {
		name: item.name,
		etag: item.properties.etag ?? '',
		lastModified: seconds(item.properties.lastModified),
		details: { properties: item.properties, metadata: item.metadata },
	};
}

/**
 * Lists the blobs under the prefix that pass the filter. `fallbackTime` is used when Azure's
 * answer carries no Date header (a proxy may drop it).
 */
export async function listWatchedBlobs(
	container: ContainerClient,
	options: ListingOptions,
	visitor: ListingVisitor,
	fallbackTime: () => number,
): Promise<number> {
	const pages = listBlobPages(container, {
		prefix: options.prefix || undefined,
		delimiter: options.includeSubfolders ? undefined : '/',
		includeMetadata: options.includeMetadata,
		pageSize: LIST_PAGE_SIZE,
		abortSignal: options.abortSignal,
	});
	let started = false;
	let matched = 0;
	for await (const page of pages) {
		if (!started) {
			started = true;
			visitor.start(page.date ? seconds(page.date) : fallbackTime());
		}
		for (const item of page.blobs) {
			if (!options.filter(item.name)) continue;
			matched++;
			visitor.blob(toListedBlob(item));
		}
	}
	if (!started) visitor.start(fallbackTime());
	return matched;
}
