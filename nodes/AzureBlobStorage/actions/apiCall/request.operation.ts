import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { binaryStoreRefusal, inputBinary, storedBinaryStream } from '../../helpers/binaryStore';
import { NodeOperationError } from 'n8n-workflow';

import { assertNoSecret } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { booleanValue, describeType, readBinaryFieldName, readChoice, readOptions, readText, textValue } from '../../helpers/params';
import { headerValueProblem } from '../../helpers/validation';
import type { ApiMethod, ApiResponse, ApiTarget } from '../../transport/apiRequest';
import {
	API_METHODS,
	apiRequestUrl,
	containerOf,
	parseApiTarget,
	parsedBody,
	sendApiRequest,
	toRestError,
} from '../../transport/apiRequest';
import type { BlobStorageConnection } from '../../transport/client';
import { InputError } from '../../transport/errors';
import { redactSecrets } from '../../transport/redact';
import { forOperation, nameValueOption, requestOptionFields } from '../common.descriptions';

const BODY_METHODS: readonly ApiMethod[] = ['POST', 'PUT'];

export const description: INodeProperties[] = forOperation('apiCall', 'request', [
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		default: 'GET',
		options: API_METHODS.map((method) => ({ name: method, value: method })),
		description: 'The HTTP method of the Blob service operation, as in Azure\'s REST API reference',
	},
	{
		displayName: 'Path or URL',
		name: 'path',
		type: 'string',
		default: '/',
		required: true,
		placeholder: 'e.g. /mycontainer?restype=container&comp=list',
		description:
			'The path under the storage account\'s blob endpoint, with or without a query: "/" for the account, "/container", "/container/folder/blob.txt?comp=metadata". A full URL of the same account works too; any other host is refused. Characters URLs cannot carry (spaces, accents) are encoded for you; %-escapes are kept as written.',
	},
	nameValueOption(
		'Query Parameters',
		'queryParameters',
		'Query parameters added to the URL (encoded for you), e.g. restype=container, comp=list, prefix=reports/. Leave the SAS out: the credential adds its own.',
	),
	nameValueOption(
		'Headers',
		'headers',
		'Request headers, e.g. x-ms-blob-type: BlockBlob, x-ms-meta-owner: finance, Range: bytes=0-1023. Authorization, x-ms-date and Content-Length are set by the node; x-ms-version defaults to the version of the Azure SDK the node ships.',
	),
	{
		displayName: 'Body',
		name: 'bodyType',
		type: 'options',
		default: 'none',
		displayOptions: { show: { method: ['POST', 'PUT'] } },
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A binary field of the input item, streamed from n8n\'s binary store' },
			{ name: 'JSON', value: 'json', description: 'JSON text, or an object from an expression' },
			{ name: 'None', value: 'none' },
			{ name: 'Text', value: 'text', description: 'Text as it is, e.g. XML for Put Block List or Set Blob Tags' },
		],
		description: 'What the request carries. A Content-Type header in Headers overrides the type that goes with each choice.',
	},
	{
		displayName: 'JSON Body',
		name: 'jsonBody',
		type: 'json',
		default: '{}',
		displayOptions: { show: { method: ['POST', 'PUT'], bodyType: ['json'] } },
	},
	{
		displayName: 'Text Body',
		name: 'textBody',
		type: 'string',
		typeOptions: { rows: 5 },
		default: '',
		placeholder: 'e.g. <?xml version="1.0" encoding="utf-8"?><Tags><TagSet>...</TagSet></Tags>',
		description: 'Sent as UTF-8 with Content-Type text/plain; charset=utf-8 unless a Content-Type header is given',
		displayOptions: { show: { method: ['POST', 'PUT'], bodyType: ['text'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'inputBinaryField',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input field holding the file',
		description: 'Sent with the file\'s MIME type as Content-Type unless a Content-Type header is given. Large files are streamed, not loaded into memory.',
		displayOptions: { show: { method: ['POST', 'PUT'], bodyType: ['binary'] } },
	},
	{
		displayName: 'Response Format',
		name: 'responseFormat',
		type: 'options',
		default: 'parsed',
		options: [
			{
				name: 'File',
				value: 'file',
				description: 'The body as a binary file, streamed into n8n\'s binary store (for downloads of any size)',
			},
			{
				name: 'Parsed',
				value: 'parsed',
				description: 'XML (lists, properties, errors) and JSON parsed into JSON; other bodies as text',
			},
			{ name: 'Text', value: 'text', description: 'The body as text, as it came' },
		],
		description: 'How to output the response body. Status and headers are always output.',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'outputBinaryField',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { responseFormat: ['file'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'File name of the output binary (Response Format "File"). Leave empty to use the last part of the path.',
			},
			{
				displayName: 'Return Error Responses as Items',
				name: 'returnErrorResponses',
				type: 'boolean',
				default: false,
				description:
					'Whether to output Azure\'s error responses (HTTP 4xx and 5xx, after any retries) as items with statusCode, headers and body, so the workflow can branch on them, instead of failing with Azure\'s error code and a hint',
			},
			...requestOptionFields,
		],
	},
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the node sets itself; a value given for them would be overwritten or conflict. */
const RESERVED_HEADERS: Record<string, string> = {
	authorization: 'the credential authorizes the request itself',
	host: 'the host comes from the credential\'s endpoint',
	'content-length': 'the node computes it from the body',
	'transfer-encoding': 'the node sends the body with its length',
	connection: 'the node manages connections',
	'x-ms-date': 'the node sets it when it signs the request',
};

function fail(ctx: IExecuteFunctions, itemIndex: number, message: string, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
}

/** A name/value list ("Query Parameters", "Headers") as pairs, checked for type. */
function readPairs(ctx: IExecuteFunctions, name: string, itemIndex: number, field: string): Array<[string, string]> {
	const list = ctx.getNodeParameter(name, itemIndex, {}) as NamedValues | undefined | null;
	if (list === undefined || list === null) return [];
	if (typeof list !== 'object' || (list.entries !== undefined && !Array.isArray(list.entries))) {
		fail(ctx, itemIndex, `${field} must be a list of name/value pairs, but got ${describeType((list as NamedValues).entries ?? list)}`);
	}
	return (list.entries ?? []).map((entry) => {
		const key = textValue(ctx, entry?.name, itemIndex, `${field} name`);
		if (key.trim() === '') fail(ctx, itemIndex, `${field} has an entry without a name`, 'Enter a name or remove the entry.');
		return [key, textValue(ctx, entry?.value, itemIndex, `${field} value of "${key}"`, { allowNumber: true })];
	});
}

function readQuery(ctx: IExecuteFunctions, itemIndex: number, target: ApiTarget, connection: BlobStorageConnection): Array<[string, string]> {
	const pairs = readPairs(ctx, 'queryParameters', itemIndex, 'Query Parameters');
	const typed = new URLSearchParams(target.query);
	if (typed.has('sig') || pairs.some(([name]) => name.toLowerCase() === 'sig')) {
		fail(ctx, itemIndex, 'The request has a SAS signature (a "sig" parameter) of its own', 'Remove the SAS from "Path or URL" and "Query Parameters": the credential authorizes the request.');
	}
	for (const [name, value] of pairs) {
		assertNoSecret(ctx, name, itemIndex, 'Query Parameters name', connection);
		assertNoSecret(ctx, value, itemIndex, `Query Parameters value of "${name}"`, connection);
	}
	return pairs;
}

/** Headers that carry another source's URL or token by design (Copy Blob, Put Blob From URL). */
const SOURCE_HEADERS = new Set(['x-ms-copy-source', 'x-ms-copy-source-authorization']);

function readHeaders(ctx: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of readPairs(ctx, 'headers', itemIndex, 'Headers')) {
		if (!HEADER_NAME.test(name)) {
			fail(ctx, itemIndex, `Headers: ${JSON.stringify(name.slice(0, 60))} is not a valid header name`, 'Header names are letters, digits and - (e.g. x-ms-blob-type), without spaces or colons.');
		}
		const key = name.toLowerCase();
		const reserved = RESERVED_HEADERS[key];
		if (reserved) fail(ctx, itemIndex, `Headers: remove "${name}": ${reserved}`);
		if (Object.prototype.hasOwnProperty.call(headers, key)) {
			fail(ctx, itemIndex, `Headers: "${name}" is given twice`, 'Header names are case-insensitive; keep one of them.');
		}
		const problem = headerValueProblem(value);
		if (problem) fail(ctx, itemIndex, `Headers: the value of "${name}" ${problem}`);
		if (!SOURCE_HEADERS.has(key)) assertNoSecret(ctx, value, itemIndex, `Headers: the value of "${name}"`, connection);
		headers[key] = value;
	}
	return headers;
}

interface RequestBody {
	body?: Buffer | NodeJS.ReadableStream;
	length?: number;
	contentType?: string;
}

async function readBody(ctx: IExecuteFunctions, itemIndex: number, method: ApiMethod, connection: BlobStorageConnection): Promise<RequestBody> {
	if (!BODY_METHODS.includes(method)) return {};
	const bodyType = readChoice(ctx, 'bodyType', itemIndex, 'Body', ['none', 'json', 'text', 'binary'], 'none');
	if (bodyType === 'none') return {};
	if (bodyType === 'text') {
		return { body: Buffer.from(readText(ctx, 'textBody', itemIndex, 'Text Body'), 'utf8'), contentType: 'text/plain; charset=utf-8' };
	}
	if (bodyType === 'json') {
		const value = ctx.getNodeParameter('jsonBody', itemIndex, '{}');
		let json: unknown = value;
		if (typeof value === 'string') {
			if (value.trim() === '') fail(ctx, itemIndex, 'JSON Body is empty', 'Enter JSON, e.g. {"name": "value"}, or choose Body "None".');
			try {
				json = JSON.parse(value);
			} catch (error) {
				json = undefined;
				const reason = redactSecrets((error as Error).message, connection.secrets);
				fail(ctx, itemIndex, `JSON Body is not valid JSON: ${reason}`, 'Check quotes, commas and brackets, or build the body with an expression returning an object, e.g. {{ { name: $json.name } }}.');
			}
		} else if (value === null || typeof value !== 'object') {
			fail(ctx, itemIndex, `JSON Body must be JSON text or an object, but the expression returned ${describeType(value)}`);
		}
		return { body: Buffer.from(JSON.stringify(json), 'utf8'), contentType: 'application/json' };
	}
	const { property, binary } = inputBinary(ctx, itemIndex, 'inputBinaryField', 'Choose Body "Text" or "JSON", or put a node that reads a file before this one.');
	const contentType = binary.mimeType || 'application/octet-stream';
	if (binary.id) {
		const stored = await storedBinaryStream(ctx, binary.id);
		return { body: stored.stream, length: stored.size, contentType };
	}
	return { body: await ctx.helpers.getBinaryDataBuffer(itemIndex, property), contentType };
}

function cleanHeaders(headers: Record<string, string>, secrets: readonly string[]): IDataObject {
	return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, redactSecrets(value, secrets)]));
}

function lastSegment(target: ApiTarget): string | undefined {
	const last = target.path.split('/').filter(Boolean).pop();
	if (last === undefined) return undefined;
	try {
		return decodeURIComponent(last);
	} catch {
		return last;
	}
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	connection: BlobStorageConnection,
	signal: AbortSignal,
): Promise<INodeExecutionData> {
	const method = readChoice(this, 'method', itemIndex, 'Method', API_METHODS, 'GET');
	const pathText = readText(this, 'path', itemIndex, 'Path or URL');
	const target = parseApiTarget(pathText, connection, 'Path or URL');
	const scoped = connection.scopedContainer;
	const container = containerOf(target);
	if (scoped !== undefined && container !== scoped) {
		throw new InputError(
			`Path or URL is ${container === undefined ? 'for the whole account' : `in container "${container}"`}, outside the credential's SAS, which grants access to container "${scoped}" only`,
			`Use a path under /${scoped}/, or a credential with an account SAS, a key or Entra ID.`,
		);
	}
	const query = readQuery(this, itemIndex, target, connection);
	const headers = readHeaders(this, itemIndex, connection);
	const responseFormat = readChoice(this, 'responseFormat', itemIndex, 'Response Format', ['parsed', 'text', 'file'], 'parsed');
	const outputField = responseFormat === 'file' ? readBinaryFieldName(this, 'outputBinaryField', itemIndex, 'Put Output File in Field') : undefined;
	const options = readOptions<{ fileName?: unknown; returnErrorResponses?: unknown }>(this, itemIndex);
	const returnErrorResponses = booleanValue(this, options.returnErrorResponses, itemIndex, 'Return Error Responses as Items', false);
	const requestedFileName = textValue(this, options.fileName, itemIndex, 'File Name').trim();
	if (/[\u0000-\u001f\u007f/\\]/.test(requestedFileName)) fail(this, itemIndex, 'File Name has a line break, control character, "/" or "\\"');

	const secrets = connection.secrets;
	const url = apiRequestUrl(connection, target, query);
	// What the item shows of the request: the URL without the credential's SAS.
	const request = { method, url: redactSecrets(apiRequestUrl(connection, target, query, false), secrets) };

	// Read last: a binary body may open a stream on a stored file.
	const { body, length, contentType } = await readBody(this, itemIndex, method, connection);
	if (contentType && headers['content-type'] === undefined) headers['content-type'] = contentType;

	let response: ApiResponse;
	try {
		response = await sendApiRequest(connection, {
			method,
			url,
			headers,
			body,
			bodyLength: length,
			streamResponse: responseFormat === 'file',
			abortSignal: signal,
		});
	} finally {
		// A stream body the request did not (fully) read must not keep its file open.
		if (body && !Buffer.isBuffer(body)) (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
	}

	const responseHeaders = cleanHeaders(response.headers, secrets);
	if (response.status >= 400) {
		if (!returnErrorResponses) throw await toRestError(response);
		const text = redactSecrets(response.bodyText ?? '', secrets);
		const errorBody = responseFormat === 'text' ? text : await parsedBody(text, response.headers['content-type']);
		return { json: { statusCode: response.status, headers: responseHeaders, body: errorBody as IDataObject, request } };
	}

	if (responseFormat !== 'file' || method === 'HEAD') {
		const text = response.bodyText ?? '';
		const parsed = responseFormat === 'text' ? text : await parsedBody(text, response.headers['content-type']);
		return { json: { statusCode: response.status, headers: responseHeaders, body: parsed as IDataObject, request } };
	}

	const stream = response.bodyStream;
	const json: IDataObject = { statusCode: response.status, headers: responseHeaders, request };
	if (!stream) return { json };
	const size = Number(response.headers['content-length'] ?? 0);
	const refusal = await binaryStoreRefusal(this.helpers, size, 'The response');
	if (refusal) {
		(stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
		fail(this, itemIndex, refusal.message, refusal.fix.replace('download a part with the Range options', 'ask for a part with a Range header'));
	}
	const fileName = requestedFileName || lastSegment(target) || 'response';
	const mimeType = response.headers['content-type'] || 'application/octet-stream';
	const binary = await this.helpers.prepareBinaryData(stream as never, fileName, mimeType);
	if (!binary.mimeType || binary.mimeType === 'application/octet-stream') binary.mimeType = mimeType;
	binary.fileName = fileName;
	return { json, binary: { [outputField!]: binary } };
}
