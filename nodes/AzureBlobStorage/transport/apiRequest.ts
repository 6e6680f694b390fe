/**
 * Any Blob service REST request, sent through the connection's own Azure SDK pipeline: the
 * ServiceClient behind `connection.service` (@azure/core-client's public `sendRequest`) runs the
 * same policies as every other operation of the node, so Shared Key signing, the Entra ID bearer
 * token with n8n's refresh, and the package's retry and timeout policies all apply unchanged. A
 * SAS (SAS credentials, SAS connection strings) travels in the client's URL; it is appended here.
 */
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { parseXML } from '@azure/core-xml';

import type { BlobStorageConnection } from './client';
import { InputError } from './errors';
import { keepBodyAsText, keptBodyText } from './policies';

export const API_METHODS = ['DELETE', 'GET', 'HEAD', 'POST', 'PUT'] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** The version sent when neither the request nor the SDK names one (the SDK's own, 12.32). */
const FALLBACK_API_VERSION = '2026-04-06';

interface SdkServiceClient {
	sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
	version?: string;
}

/** Any of the SDK's storage clients (service, container, blob): each carries its pipeline. */
type SdkStorageClient = object;

/** The @azure/core-client ServiceClient the SDK built for a storage client (with its pipeline). */
function serviceClientOf(storageClient: SdkStorageClient): SdkServiceClient {
	const client = (storageClient as { storageClientContext?: SdkServiceClient }).storageClientContext;
	if (!client || typeof client.sendRequest !== 'function') {
		throw new Error('The Azure SDK client has an unexpected shape; the package cannot send a raw request through it');
	}
	return client;
}

/** The x-ms-version the SDK sends with its own requests. */
export function sdkApiVersion(connection: BlobStorageConnection): string {
	return apiVersionOf(serviceClientOf(connection.service));
}

function apiVersionOf(client: SdkServiceClient): string {
	const version = client.version;
	return typeof version === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(version) ? version : FALLBACK_API_VERSION;
}

/** The account's blob endpoint, split up, and the credential's SAS query (empty without a SAS). */
export interface AccountEndpoint {
	/** "https:" or "http:" */
	protocol: string;
	/** host name and port */
	host: string;
	/** "" for a virtual-host endpoint, "/<account>" on an IP-address endpoint (Azurite). */
	accountPath: string;
	sasQuery: string;
}

export function endpointOf(connection: BlobStorageConnection): AccountEndpoint {
	const url = new URL(connection.service.url);
	return {
		protocol: url.protocol,
		host: url.host,
		accountPath: url.pathname.replace(/\/+$/, ''),
		sasQuery: url.search.replace(/^\?/, ''),
	};
}

/** The endpoint as text, for messages: https://account.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1 */
export function endpointText(endpoint: AccountEndpoint): string {
	return `${endpoint.protocol}//${endpoint.host}${endpoint.accountPath}`;
}

/** Where a request goes: a path under the account endpoint and its own query. */
export interface ApiTarget {
	/** URL path below the endpoint, starting with "/", as typed (%-escapes kept). */
	path: string;
	/** Query text as typed (without "?"), may be empty. */
	query: string;
}

function show(value: string, max = 80): string {
	return JSON.stringify(value.length > max ? `${value.slice(0, max)}...` : value);
}

/**
 * Reads "Path or URL": a path under the account endpoint ("/container/blob?comp=metadata",
 * "container/blob"), or a full URL of the same account. A URL of any other host, port, scheme or
 * account is refused, naming it. Paths that URLs would rewrite are refused, never rewritten:
 * "." and ".." segments (which reach another blob or container), backslashes, control characters,
 * "#" and broken %-escapes.
 */
export function parseApiTarget(input: string, connection: BlobStorageConnection, field: string): ApiTarget {
	const value = input.trim();
	if (value === '') throw new InputError(`${field} is empty`, 'Enter a path under the account endpoint, e.g. /mycontainer?restype=container&comp=list, or "/" for the account.');
	const endpoint = endpointOf(connection);
	let rest = value;
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
		if (!URL.canParse(value)) throw new InputError(`${field} is not a valid URL`);
		const url = new URL(value);
		const where = endpointText(endpoint);
		if (url.username || url.password) throw new InputError(`${field} must not contain a user name or password`);
		if (url.host.toLowerCase() !== endpoint.host.toLowerCase()) {
			throw new InputError(
				`${field} is for host ${url.host}, not for the credential's storage account at ${where}`,
				'The credential\'s key, SAS or token is only ever sent to its own storage account. Use a path (e.g. /container/blob) or a URL starting with the account\'s endpoint.',
			);
		}
		if (url.protocol !== endpoint.protocol) {
			throw new InputError(`${field} uses ${url.protocol.replace(':', '')}, but the credential's endpoint is ${where}`, `Start the URL with ${where}.`);
		}
		// The text after the host, as typed: a URL parser would already have resolved "..".
		rest = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/is.exec(value)?.[1] ?? '';
		const { accountPath } = endpoint;
		if (accountPath) {
			const path = rest.split(/[?#]/)[0];
			if (path !== accountPath && !path.startsWith(`${accountPath}/`)) {
				throw new InputError(
					`${field} is not under the credential's account ${where}`,
					'On an IP-address endpoint (such as Azurite) the account is the first part of the path.',
				);
			}
			rest = rest.slice(accountPath.length);
		}
	}
	if (rest.includes('#')) throw new InputError(`${field} has a "#", which ends a URL (the rest would not be sent)`, 'Write %23 for a "#" in a name.');
	const questionMark = rest.indexOf('?');
	let path = questionMark < 0 ? rest : rest.slice(0, questionMark);
	const query = questionMark < 0 ? '' : rest.slice(questionMark + 1);
	if (!path.startsWith('/')) path = `/${path}`;
	const control = /[\u0000-\u001f\u007f]/.exec(rest);
	if (control) throw new InputError(`${field} has a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`);
	if (path.includes('\\')) throw new InputError(`${field} has a backslash (\\), which URLs turn into "/"`, 'Write "/" between folders, or %5C for a backslash in a name.');
	if (/%(?![0-9a-f]{2})/i.test(rest)) throw new InputError(`${field} has a "%" not followed by two hex digits`, 'Write %25 for a "%" in a name.');
	const segments = path.split('/').map((segment) => {
		try {
			return decodeURIComponent(segment);
		} catch {
			return segment;
		}
	});
	if (segments.some((s) => s === '.' || s === '..')) {
		throw new InputError(
			`${field} ${show(value)} has a "." or ".." path segment, which URLs resolve to another blob or container`,
			'Name the blob exactly; blob names with "." or ".." segments cannot be reached through a URL.',
		);
	}
	return { path, query };
}

/** The container a target is in (its first path segment), or undefined for the account itself. */
export function containerOf(target: ApiTarget): string | undefined {
	const first = target.path.split('/').filter(Boolean)[0];
	if (first === undefined) return undefined;
	try {
		return decodeURIComponent(first);
	} catch {
		return first;
	}
}

/**
 * The full request URL: endpoint + path + the request's query + the credential's SAS. Without
 * `withSas`, the same URL as it may be shown (the SAS left out).
 */
export function apiRequestUrl(connection: BlobStorageConnection, target: ApiTarget, parameters: Array<[string, string]>, withSas = true): string {
	const endpoint = endpointOf(connection);
	const parts = [target.query, ...parameters.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`), withSas ? endpoint.sasQuery : ''].filter(
		(part) => part !== '',
	);
	// new URL percent-encodes what a URL cannot carry (spaces, non-ASCII) and keeps %-escapes as typed.
	const url = new URL(`${endpointText(endpoint)}${target.path}${parts.length ? `?${parts.join('&')}` : ''}`);
	if (url.host !== endpoint.host) throw new InputError('The path changed the request\'s host; it is refused');
	return url.toString();
}

export interface ApiRequest {
	method: ApiMethod;
	url: string;
	headers: Record<string, string>;
	/** Bytes or text are sent (and re-sent on a retry) as they are; a stream is sent once. */
	body?: Buffer | string | NodeJS.ReadableStream;
	/** Length of a stream body (Azure needs Content-Length up front). */
	bodyLength?: number;
	/** Stream the body of a successful response instead of reading it into memory. */
	streamResponse: boolean;
	abortSignal: AbortSignal;
}

export interface ApiResponse {
	status: number;
	headers: Record<string, string>;
	/** The body as text (not for streamed responses). */
	bodyText?: string;
	/** The body as a stream (streamed successful responses). */
	bodyStream?: NodeJS.ReadableStream;
	request: PipelineRequest;
	response: PipelineResponse;
}

const SUCCESS_STATUSES = new Set(Array.from({ length: 100 }, (_, i) => 200 + i));

/** Sends one request through the connection's SDK pipeline; error statuses are returned, not thrown. */
export async function sendApiRequest(connection: BlobStorageConnection, apiRequest: ApiRequest): Promise<ApiResponse> {
	return sendThroughClient(connection.service, apiRequest);
}

/** Sends one request through the pipeline of any of the SDK's storage clients (service, container, blob). */
export async function sendThroughClient(storageClient: SdkStorageClient, apiRequest: ApiRequest): Promise<ApiResponse> {
	const client = serviceClientOf(storageClient);
	const headers = createHttpHeaders();
	for (const [name, value] of Object.entries(apiRequest.headers)) headers.set(name, value);
	if (!headers.has('x-ms-version')) headers.set('x-ms-version', apiVersionOf(client));
	const { body } = apiRequest;
	if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
		headers.set('Content-Length', String(apiRequest.bodyLength ?? 0));
	} else if (body === undefined && (apiRequest.method === 'PUT' || apiRequest.method === 'POST')) {
		headers.set('Content-Length', '0');
	}
	const request = createPipelineRequest({
		url: apiRequest.url,
		method: apiRequest.method,
		headers,
		body,
		abortSignal: apiRequest.abortSignal,
		// The URL is under the connection's endpoint, which was checked when the connection was
		// made: https, or http on loopback (or where the administrator allowed it).
		allowInsecureConnection: true,
		streamResponseStatusCodes: apiRequest.streamResponse && apiRequest.method !== 'HEAD' ? SUCCESS_STATUSES : undefined,
	});
	keepBodyAsText(request);
	const response = await client.sendRequest(request);
	return {
		status: response.status,
		headers: response.headers.toJSON({ preserveCase: false }),
		bodyText: keptBodyText(request) ?? response.bodyAsText ?? undefined,
		bodyStream: response.readableStreamBody,
		request,
		response,
	};
}

/** Whether a content type is XML or JSON. */
export function bodyKind(contentType: string | undefined): 'xml' | 'json' | 'other' {
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
	if (type === 'application/json' || type.endsWith('+json')) return 'json';
	return 'other';
}

/**
 * The body as JSON when it is XML or JSON (XML with the root element kept, attributes under "$",
 * an element's text next to attributes under "#"), otherwise the text itself. A body that does not
 * parse as its type says is returned as text.
 */
export async function parsedBody(text: string, contentType: string | undefined): Promise<unknown> {
	if (text === '') return '';
	const kind = bodyKind(contentType) === 'other' && /^\s*<\?xml/.test(text) ? 'xml' : bodyKind(contentType);
	try {
		if (kind === 'xml') return await parseXML(text, { includeRoot: true, xmlCharKey: '#' });
		if (kind === 'json') return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
	return text;
}

/** Azure's error code and message from an error response (header and XML body). */
async function azureError(response: ApiResponse): Promise<{ code?: string; message?: string }> {
	const code = response.headers['x-ms-error-code'];
	let message: string | undefined;
	let bodyCode: string | undefined;
	if (response.bodyText && bodyKind(response.headers['content-type']) !== 'json') {
		try {
			const parsed = (await parseXML(response.bodyText, { includeRoot: false })) as { Code?: unknown; Message?: unknown };
			if (typeof parsed?.Code === 'string') bodyCode = parsed.Code;
			if (typeof parsed?.Message === 'string') message = parsed.Message;
		} catch {
			// not XML: no details
		}
	} else if (response.bodyText) {
		try {
			const parsed = JSON.parse(response.bodyText) as { error?: { code?: unknown; message?: unknown } };
			if (typeof parsed?.error?.code === 'string') bodyCode = parsed.error.code;
			if (typeof parsed?.error?.message === 'string') message = parsed.error.message;
		} catch {
			// not JSON: no details
		}
	}
	return { code: code ?? bodyCode, message };
}

/**
 * The SDK's RestError for an error response, with Azure's code, message and request id in
 * `details`: the router translates it like every other Azure failure (message, hint, code,
 * request id, which SAS permission was missing, how many tries were made).
 */
export async function toRestError(response: ApiResponse): Promise<RestError> {
	const { code, message } = await azureError(response);
	const status = response.status;
	const error = new RestError(message?.split('\n')[0] || `Azure Storage answered HTTP ${status}`, {
		code,
		statusCode: status,
		request: response.request,
		response: response.response,
	});
	(error as RestError & { details: unknown }).details = {
		errorCode: code,
		requestId: response.headers['x-ms-request-id'],
		message,
	};
	return error;
}
