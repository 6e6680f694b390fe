/**
 * Shared Key signing of one Blob service request, for the credentials' `authenticate` (which n8n
 * calls when a credential is used in its HTTP Request node). Pure: no SDK client, no I/O.
 *
 * The signature covers the method, the content headers, every x-ms-* header, the path and the
 * query, so whatever n8n's HTTP client would add or rewrite after signing (a Content-Type for a
 * bodiless PUT, a JSON re-encoding of a text body, "+" for a space in the query) is fixed here
 * before signing: the request leaves with exactly the bytes, headers and URL that were signed.
 *
 * https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 */
import { createHmac } from 'crypto';

/** The Blob service version sent when the request names none: the one @azure/storage-blob 12.32 uses. */
export const BLOB_API_VERSION = '2026-04-06';

/** What n8n hands a credential's `authenticate`: IHttpRequestOptions or the HTTP Request node's legacy options. */
export interface OutgoingRequest {
	method?: string;
	url?: string | URL;
	uri?: string | URL;
	baseURL?: string | URL;
	qs?: Record<string, unknown>;
	headers?: Record<string, unknown>;
	body?: unknown;
	form?: unknown;
	formData?: unknown;
	[key: string]: unknown;
}

/** A request the credential refuses to sign or authorize; the message names what to change. */
export class SigningError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'SigningError';
	}
}

/** The target of the request: url/uri, resolved against baseURL the way n8n's HTTP client does. */
export function requestTarget(options: OutgoingRequest): URL {
	const raw = options.url ?? options.uri;
	const target = raw === undefined || raw === null ? '' : String(raw);
	const base = options.baseURL === undefined || options.baseURL === null ? '' : String(options.baseURL);
	let absolute = target;
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && base) {
		// axios joins them as text (combineURLs), it does not resolve them like a browser.
		absolute = target ? `${base.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}` : base;
	}
	if (!URL.canParse(absolute)) {
		throw new SigningError('The request has no valid URL to sign', 'Enter the full URL, e.g. https://<account>.blob.core.windows.net/<container>?restype=container&comp=list.');
	}
	return new URL(absolute);
}

/**
 * Refuses a request that is not for the credential's blob endpoint: another host or port, another
 * scheme, or (on an IP-address endpoint such as Azurite) another account in the path. A Shared Key
 * signature does not cover the host, so one made for another host could be replayed against the
 * account; a SAS or token would simply be handed over.
 */
export function assertForEndpoint(url: URL, endpoint: string, credentialName: string): void {
	const allowed = new URL(endpoint);
	const where = `${allowed.protocol}//${allowed.host}${allowed.pathname.replace(/\/+$/, '')}`;
	if (url.host.toLowerCase() !== allowed.host.toLowerCase()) {
		throw new SigningError(
			`The ${credentialName} credential only signs requests for its storage account at ${where}, not for ${url.host}`,
			'Send the request to the blob endpoint of the storage account the credential is for, or use a credential for that other account.',
		);
	}
	if (url.protocol !== allowed.protocol) {
		throw new SigningError(
			`The ${credentialName} credential signs requests to ${allowed.host} over ${allowed.protocol.replace(':', '')} only, not ${url.protocol.replace(':', '')}`,
			`Use ${where} as the start of the URL.`,
		);
	}
	const accountPath = allowed.pathname.replace(/\/+$/, '');
	if (accountPath && url.pathname !== accountPath && !url.pathname.startsWith(`${accountPath}/`)) {
		throw new SigningError(
			`The ${credentialName} credential only signs requests under ${where}; the URL's path does not start with ${accountPath}`,
			`On an IP-address endpoint the account is the first part of the path: ${where}/<container>/<blob>.`,
		);
	}
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerText(name: string, value: unknown): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw new SigningError(`Header "${name}" must be text, not ${Array.isArray(value) ? 'a list' : typeof value}`);
}

/** Headers with lower-case names and text values; absent (undefined/null) headers are dropped. */
function normalizeHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers ?? {})) {
		if (value === undefined || value === null) continue;
		if (!HEADER_NAME.test(name)) throw new SigningError(`"${name}" is not a valid HTTP header name`);
		const key = name.toLowerCase();
		const text = headerText(name, value);
		if (key in result && result[key] !== text) {
			throw new SigningError(`Header "${name}" is given twice with different values`, 'Header names are case-insensitive: keep one of them.');
		}
		result[key] = text;
	}
	return result;
}

function isStream(body: unknown): body is NodeJS.ReadableStream {
	return typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';
}

function isPlainData(body: unknown): boolean {
	return typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && !ArrayBuffer.isView(body) && !isStream(body);
}

/**
 * The body as the bytes that will be sent, and the Content-Length / Content-Type that go with
 * them. Text and JSON become a Buffer: n8n's HTTP client re-encodes a string body whose type is
 * JSON (and trims it), which would change what was signed.
 */
function normalizeBody(options: OutgoingRequest, headers: Record<string, string>, method: string): unknown {
	if (options.form !== undefined || options.formData !== undefined) {
		throw new SigningError(
			'Azure Blob Storage takes the request body as it is, not as form fields',
			'In the HTTP Request node choose Body Content Type "Raw", "JSON" or "n8n Binary File".',
		);
	}
	let body = options.body;
	if (body === null || body === '') body = undefined;
	let defaultType = 'application/octet-stream';
	if (isPlainData(body)) {
		body = Buffer.from(JSON.stringify(body), 'utf8');
		defaultType = 'application/json';
	} else if (typeof body === 'string') {
		body = Buffer.from(body, 'utf8');
	} else if (body !== undefined && ArrayBuffer.isView(body) && !Buffer.isBuffer(body)) {
		body = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	} else if (body instanceof ArrayBuffer) {
		body = Buffer.from(body);
	}
	const hasBody = body !== undefined;
	if (Buffer.isBuffer(body)) {
		headers['content-length'] = String(body.length);
	} else if (isStream(body)) {
		const length = headers['content-length'];
		if (length === undefined || !/^\d+$/.test(length.trim())) {
			throw new SigningError(
				'A streamed request body needs a Content-Length header',
				'Azure needs to know the size of the body before it arrives. Send the file from a binary field (n8n sets Content-Length), or add the header.',
			);
		}
		headers['content-length'] = length.trim();
	} else if (['PUT', 'POST', 'PATCH'].includes(method)) {
		headers['content-length'] = '0';
	}
	// Without one, the HTTP client adds application/x-www-form-urlencoded to PUT/POST/PATCH.
	if (headers['content-type'] === undefined && (hasBody || ['PUT', 'POST', 'PATCH'].includes(method))) {
		headers['content-type'] = defaultType;
	}
	return body;
}

/** Appends query parameters to a URL the way Azure reads them back (%20 for a space, never "+"). */
function withQuery(url: URL, qs: Record<string, unknown> | undefined): URL {
	const pairs: string[] = [];
	for (const [name, value] of Object.entries(qs ?? {})) {
		if (value === undefined || value === null) continue;
		if (typeof value === 'object') {
			throw new SigningError(
				`Query parameter "${name}" is ${Array.isArray(value) ? 'a list' : 'an object'}`,
				'Azure takes text: several values go comma-separated in one parameter, e.g. include=metadata,tags.',
			);
		}
		pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
	}
	if (!pairs.length) return url;
	const result = new URL(url.toString());
	result.search = result.search ? `${result.search}&${pairs.join('&')}` : `?${pairs.join('&')}`;
	return result;
}

/**
 * The request in the form that is signed and sent: absolute URL with the query in it, lower-case
 * text headers, a byte body with its length and type, an x-ms-version and an x-ms-date. Returns a
 * copy: the caller's options (which n8n may echo back to the editor) stay as they were.
 */
export function canonicalRequest(options: OutgoingRequest, endpoint: string, credentialName: string): { request: OutgoingRequest; url: URL; headers: Record<string, string> } {
	const method = String(options.method ?? 'GET').toUpperCase();
	const url = withQuery(requestTarget(options), options.qs);
	assertForEndpoint(url, endpoint, credentialName);
	const headers = normalizeHeaders(options.headers);
	if (headers.authorization !== undefined) {
		throw new SigningError('The request already has an Authorization header', 'Remove it: the credential authorizes the request itself.');
	}
	const body = normalizeBody(options, headers, method);
	headers['x-ms-version'] ??= BLOB_API_VERSION;
	headers['x-ms-date'] ??= new Date().toUTCString();
	const request: OutgoingRequest = { ...options, method, headers, body };
	delete request.qs;
	delete request.baseURL;
	if (options.url !== undefined) request.url = url.toString();
	else request.uri = url.toString();
	return { request, url, headers };
}

/*
 * Azure sorts the x-ms-* headers the way .NET compares text in the en-US culture, not by character
 * code: "-" and "'" count only when everything else is equal, and "_" sorts before the digits.
 * Primary weights below follow that order for the characters a header name can have.
 */
const PRIMARY_ORDER = "!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz";

function weight(level: number, char: string | undefined): number {
	if (char === undefined) return 1; // end of the name
	if (level === 0) {
		const index = PRIMARY_ORDER.indexOf(char.toLowerCase());
		return index < 0 ? 0 : index + 2;
	}
	if (level === 1) return char >= 'A' && char <= 'Z' ? 2 : 0;
	return char === "'" ? 2 : char === '-' ? 3 : 0;
}

/** Whether header name `a` sorts before `b` in Azure's canonical order. */
export function headerNameSortsBefore(a: string, b: string): boolean {
	let level = 0;
	let i = 0;
	let j = 0;
	while (level < 3) {
		if (level === 2 && i !== j) return i > j;
		const wa = weight(level, a[i]);
		const wb = weight(level, b[j]);
		if (wa === 1 && wb === 1) {
			i = 0;
			j = 0;
			level++;
		} else if (wa === wb) {
			i++;
			j++;
		} else if (wa === 0) {
			i++;
		} else if (wb === 0) {
			j++;
		} else {
			return wa < wb;
		}
	}
	return false;
}

function canonicalizedHeaders(headers: Record<string, string>): string {
	return Object.keys(headers)
		.filter((name) => name.startsWith('x-ms-'))
		.sort((a, b) => (headerNameSortsBefore(a, b) ? -1 : 1))
		.map((name) => `${name}:${headers[name].trim()}\n`)
		.join('');
}

function decode(text: string): string {
	let decoded: string | undefined;
	try {
		decoded = decodeURIComponent(text);
	} catch {
		decoded = undefined;
	}
	if (decoded === undefined) {
		throw new SigningError('The URL has a broken %-escape (a "%" not followed by two hex digits)', 'Write %25 for a "%" in a name or value.');
	}
	return decoded;
}

function canonicalizedResource(accountName: string, url: URL): string {
	let resource = `/${accountName}${url.pathname || '/'}`;
	const values = new Map<string, string[]>();
	for (const part of url.search.replace(/^\?/, '').split('&')) {
		if (!part) continue;
		const eq = part.indexOf('=');
		const name = decode(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
		const value = eq < 0 ? '' : decode(part.slice(eq + 1));
		values.set(name, [...(values.get(name) ?? []), value]);
	}
	for (const name of [...values.keys()].sort()) {
		resource += `\n${name}:${values.get(name)!.sort().join(',')}`;
	}
	return resource;
}

/** The string Azure signs for a request (Blob service, version 2009-09-19 and later). */
export function stringToSign(method: string, headers: Record<string, string>, url: URL, accountName: string): string {
	const header = (name: string) => headers[name] ?? '';
	const contentLength = header('content-length');
	return [
		method.toUpperCase(),
		header('content-encoding'),
		header('content-language'),
		contentLength === '0' ? '' : contentLength,
		header('content-md5'),
		header('content-type'),
		header('date'),
		header('if-modified-since'),
		header('if-match'),
		header('if-none-match'),
		header('if-unmodified-since'),
		header('range'),
		canonicalizedHeaders(headers) + canonicalizedResource(accountName, url),
	].join('\n');
}

export interface SharedKey {
	accountName: string;
	accountKey: string;
	/** The account's blob endpoint; requests for anything else are refused. */
	endpoint: string;
}

/** A signed copy of the request: `Authorization: SharedKey <account>:<signature>`. */
export function signWithSharedKey(options: OutgoingRequest, key: SharedKey, credentialName: string): OutgoingRequest {
	const { request, url, headers } = canonicalRequest(options, key.endpoint, credentialName);
	const signature = createHmac('sha256', Buffer.from(key.accountKey, 'base64'))
		.update(stringToSign(String(request.method), headers, url, key.accountName), 'utf8')
		.digest('base64');
	headers.authorization = `SharedKey ${key.accountName}:${signature}`;
	return request;
}

export interface SasGrant {
	/** The account's blob endpoint; requests for anything else are refused. */
	endpoint: string;
	/** The SAS token, without "?". */
	sasToken: string;
	/** Set for a container SAS: the only container it grants. */
	container?: string;
}

/**
 * A copy of the request carrying the SAS. The token's fields go into `qs`, not into the URL: n8n
 * attaches the URL (not the query parameters) to the errors it records, so the signature stays
 * out of execution data.
 */
export function authorizeWithSas(options: OutgoingRequest, grant: SasGrant, credentialName: string): OutgoingRequest {
	const { request, url } = canonicalRequest(options, grant.endpoint, credentialName);
	if (url.searchParams.has('sig')) {
		throw new SigningError('The URL already has a SAS signature (sig=...)', 'Remove the SAS from the URL: the credential adds its own.');
	}
	if (grant.container !== undefined) {
		const accountPath = new URL(grant.endpoint).pathname.replace(/\/+$/, '');
		const rest = url.pathname.slice(accountPath.length).split('/').filter(Boolean);
		const container = rest[0] === undefined ? undefined : decode(rest[0]);
		if (container !== grant.container) {
			throw new SigningError(
				`The ${credentialName} credential is a SAS for container "${grant.container}" only; the request is for ${container === undefined ? 'the whole account' : `container "${container}"`}`,
				`Send requests under ${grant.endpoint}/${grant.container}/, or use an account SAS.`,
			);
		}
	}
	request.qs = Object.fromEntries(new URLSearchParams(grant.sasToken));
	return request;
}
