/** Shapes Azure's blob and container properties into the JSON of output items. */
import type { IDataObject } from 'n8n-workflow';

function iso(date: Date | undefined): string | undefined {
	return date ? date.toISOString() : undefined;
}

function base64(data: Uint8Array | undefined): string | undefined {
	return data && data.length ? Buffer.from(data).toString('base64') : undefined;
}

/** Drops undefined values so items stay tidy in the n8n table view. */
export function compact(object: IDataObject): IDataObject {
	// A loop, not Object.entries/fromEntries: this runs for every output item (a 10,000-blob
	// listing spent 0.1 s here, as much as reading the pages).
	const result: IDataObject = {};
	for (const key in object) {
		if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
		const value = object[key];
		if (value !== undefined) result[key] = value;
	}
	return result;
}

interface BlobPropertiesLike {
	contentLength?: number;
	contentType?: string;
	contentEncoding?: string;
	contentLanguage?: string;
	contentDisposition?: string;
	cacheControl?: string;
	contentMD5?: Uint8Array;
	etag?: string;
	lastModified?: Date;
	createdOn?: Date;
	accessTier?: string;
	blobType?: string;
	leaseState?: string;
	leaseStatus?: string;
	serverEncrypted?: boolean;
}

export function blobJson(
	container: string,
	name: string,
	url: string,
	properties: BlobPropertiesLike,
	extra: { metadata?: Record<string, string>; tags?: Record<string, string> } = {},
): IDataObject {
	return compact({
		name,
		container,
		url,
		size: properties.contentLength,
		contentType: properties.contentType,
		contentEncoding: properties.contentEncoding,
		contentLanguage: properties.contentLanguage,
		contentDisposition: properties.contentDisposition,
		cacheControl: properties.cacheControl,
		contentMD5: base64(properties.contentMD5),
		etag: properties.etag,
		lastModified: iso(properties.lastModified),
		createdOn: iso(properties.createdOn),
		accessTier: properties.accessTier,
		blobType: properties.blobType,
		leaseState: properties.leaseState,
		metadata: extra.metadata,
		tags: extra.tags,
	});
}

/** The blob URL without any SAS query string (a SAS must never reach an output item). */
export function publicUrl(url: string): string {
	const index = url.indexOf('?');
	return index === -1 ? url : url.slice(0, index);
}
