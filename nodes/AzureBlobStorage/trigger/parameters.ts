/**
 * Reads and checks the triggers' parameters after n8n resolved their expressions. The value
 * checks are the package's own (helpers/params.ts, helpers/locators.ts): each names the field
 * as the editor shows it. Poll and webhook contexts read parameters without an item index, so
 * the values are read here and handed to those checks.
 */
import type { IDataObject, IExecuteFunctions, INode, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { assertContainerName, assertNoSecret } from '../helpers/locators';
import { booleanValue, choiceValue, describeType, integerValue, textValue } from '../helpers/params';
import type { AuthenticationMethod, BlobStorageConnection } from '../transport/client';
import { CREDENTIAL_TYPE } from '../transport/client';
import type { BlobEventType } from './changeDetector';
import { BLOB_EVENT_TYPES } from './changeDetector';
import { BLOB_STORAGE_EVENT_TYPES, STORAGE_EVENT_PREFIX } from './eventGridPayload';
import { filterPatterns } from './nameFilter';
import { secretProblem } from './sharedSecret';

type TriggerContext = IPollFunctions | IWebhookFunctions;

/**
 * The package's value checks take an execute context but only ever call `getNode()` on it (to
 * name the node in their errors), which poll and webhook contexts have too.
 */
function checks(ctx: { getNode(): INode }): IExecuteFunctions {
	return ctx as unknown as IExecuteFunctions;
}

function fail(ctx: TriggerContext, message: string, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { description });
}

/** Every way to sign in that the package's client factory knows. */
export const AUTHENTICATION_METHODS = Object.keys(CREDENTIAL_TYPE) as AuthenticationMethod[];

export function readAuthentication(ctx: TriggerContext): AuthenticationMethod {
	return choiceValue(checks(ctx), ctx.getNodeParameter('authentication', 'sharedKey'), 0, 'Authentication', AUTHENTICATION_METHODS, 'sharedKey');
}

/** The "Options" collection: always an object, whatever an expression made of it. */
export function readOptions(ctx: TriggerContext, name = 'options'): IDataObject {
	const value = ctx.getNodeParameter(name, {}) as unknown;
	if (value === undefined || value === null) return {};
	if (typeof value !== 'object' || Array.isArray(value)) fail(ctx, `Options must be an object, but got ${describeType(value)}`);
	return value as IDataObject;
}

/** The container picked in the "Container" picker (list or name mode), checked. */
export function readContainer(ctx: IPollFunctions, connection: BlobStorageConnection): string {
	const raw = ctx.getNodeParameter('container', '', { extractValue: true }) as unknown;
	const name = textValue(checks(ctx), raw, 0, 'Container');
	return assertContainerName(checks(ctx), name, 0, 'Container', connection);
}

/** "Folder (Prefix)": any text a blob name can start with; checked for the usual slips. */
export function readPrefix(ctx: IPollFunctions, connection: BlobStorageConnection): string {
	const prefix = textValue(checks(ctx), ctx.getNodeParameter('prefix', ''), 0, 'Folder (Prefix)');
	assertNoSecret(checks(ctx), prefix, 0, 'Folder (Prefix)', connection);
	if (prefix.startsWith('/')) {
		fail(ctx, 'Folder (Prefix) starts with "/"; blob names do not', 'Write the folder as it appears in blob names, e.g. "incoming/2024/".');
	}
	if (prefix.includes('\\')) fail(ctx, 'Folder (Prefix) has a backslash (\\); blob names use "/" between folders');
	if (prefix.length > 1024) fail(ctx, `Folder (Prefix) has ${prefix.length} characters; blob names have at most 1,024`);
	return prefix;
}

export function readEvents(ctx: IPollFunctions): Set<BlobEventType> {
	const raw = ctx.getNodeParameter('events', []) as unknown;
	const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : undefined;
	if (!list) fail(ctx, `Events must be a list of "created", "updated", "deleted", but the expression returned ${describeType(raw)}`);
	const events = new Set<BlobEventType>();
	for (const value of list) {
		events.add(choiceValue<BlobEventType>(checks(ctx), value, 0, 'Events', BLOB_EVENT_TYPES, 'created'));
	}
	if (events.size === 0) fail(ctx, 'Events is empty', 'Pick at least one of Blob Created, Blob Updated, Blob Deleted.');
	return events;
}

export const MAX_EVENTS_PER_POLL_LIMIT = 10_000;
export const DEFAULT_MAX_EVENTS_PER_POLL = 500;

export interface PollSettings {
	includeSubfolders: boolean;
	nameFilter: string;
	emitExisting: boolean;
	maxEvents: number;
	includeMetadata: boolean;
	download: boolean;
	binaryPropertyName: string;
}

/** Names that would reach Object.prototype if used as a binary field name. */
const RESERVED_PROPERTY_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

export function readBinaryPropertyName(ctx: TriggerContext, value: unknown, field: string): string {
	const name = textValue(checks(ctx), value ?? 'data', 0, field).trim();
	if (name === '') fail(ctx, `${field} is empty`, 'Enter the name of the binary field, e.g. data.');
	if (RESERVED_PROPERTY_NAMES.has(name)) fail(ctx, `${field} "${name}" is a reserved name`, 'Use another name, e.g. data.');
	return name;
}

export function readPollSettings(ctx: IPollFunctions, connection: BlobStorageConnection): PollSettings {
	const options = readOptions(ctx);
	const c = checks(ctx);
	const nameFilter = textValue(c, options.nameFilter ?? '', 0, 'File Name Filter').trim();
	assertNoSecret(c, nameFilter, 0, 'File Name Filter', connection);
	if (nameFilter !== '' && filterPatterns(nameFilter).length === 0) {
		fail(ctx, 'File Name Filter has no pattern', 'Enter patterns separated by commas, e.g. *.csv, *.xlsx, or leave it empty.');
	}
	return {
		includeSubfolders: booleanValue(c, options.includeSubfolders, 0, 'Include Subfolders', true),
		nameFilter,
		emitExisting: booleanValue(c, options.emitExisting, 0, 'Emit Existing Blobs on First Poll', false),
		maxEvents: integerValue(c, options.maxEvents, 0, 'Max Events per Poll', { min: 1, max: MAX_EVENTS_PER_POLL_LIMIT }, DEFAULT_MAX_EVENTS_PER_POLL),
		includeMetadata: booleanValue(c, options.includeMetadata, 0, 'Include Metadata', false),
		download: booleanValue(c, options.download, 0, 'Download Blob', false),
		binaryPropertyName: readBinaryPropertyName(ctx, options.binaryPropertyName, 'Put Output File in Field'),
	};
}

export type SecretLocation = 'query' | 'header';

export interface EventGridSettings {
	secret: string;
	secretLocation: SecretLocation;
	/** Query parameter name, or header name in lower case. */
	secretName: string;
	eventTypes: Set<string>;
	container: string;
	subjectBeginsWith: string;
	subjectEndsWith: string;
	maxBodyBytes: number;
	/** How to sign in to download blobs; 'none': events only. */
	authentication: AuthenticationMethod | 'none';
	download: boolean;
	binaryPropertyName: string;
}

export const DEFAULT_MAX_BODY_KIB = 1024;
export const MAX_BODY_KIB_LIMIT = 16 * 1024;

type ParameterContext = { getNode(): INode; getNodeParameter(name: string, fallback?: unknown): unknown };

function textParameter(ctx: ParameterContext, name: string, field: string): string {
	return textValue(checks(ctx), ctx.getNodeParameter(name, ''), 0, field);
}

/** The Event Grid trigger's settings, checked; the secret's problems are reported without its value. */
export function readEventGridSettings(ctx: ParameterContext): EventGridSettings {
	const c = checks(ctx);
	const failHere = (message: string, description?: string): never => {
		throw new NodeOperationError(ctx.getNode(), message, { description });
	};
	const secret = textParameter(ctx, 'secret', 'Shared Secret');
	const problem = secretProblem(secret);
	if (problem) {
		failHere(`Shared Secret ${problem}`, 'Event Grid must send this secret with every delivery; choose a random value of 16 or more letters and digits and put the same value into the subscription.');
	}
	const secretLocation = choiceValue<SecretLocation>(c, ctx.getNodeParameter('secretLocation', 'query'), 0, 'Secret Location', ['query', 'header'], 'query');
	const nameField = secretLocation === 'query' ? 'Query Parameter Name' : 'Header Name';
	const secretName = textParameter(ctx, secretLocation === 'query' ? 'queryParameterName' : 'headerName', nameField).trim();
	if (!/^[A-Za-z0-9_-]+$/.test(secretName)) failHere(`${nameField} must be letters, digits, "-" or "_"`, 'For example: code');

	const rawTypes = ctx.getNodeParameter('eventTypes', []) as unknown;
	if (!Array.isArray(rawTypes)) failHere(`Event Types must be a list, but the expression returned ${describeType(rawTypes)}`);
	const eventTypes = new Set<string>();
	for (const value of rawTypes as unknown[]) {
		eventTypes.add(STORAGE_EVENT_PREFIX + choiceValue(c, value, 0, 'Event Types', BLOB_STORAGE_EVENT_TYPES, 'BlobCreated'));
	}
	if (eventTypes.size === 0) failHere('Event Types is empty', 'Pick at least one event type, e.g. Blob Created.');

	const container = textParameter(ctx, 'container', 'Container').trim();
	if (container) assertContainerName(c, container, 0, 'Container');

	const options = (ctx.getNodeParameter('eventOptions', {}) ?? {}) as unknown;
	if (typeof options !== 'object' || options === null || Array.isArray(options)) failHere(`Options must be an object, but got ${describeType(options)}`);
	const o = options as IDataObject;
	const authentication = choiceValue<AuthenticationMethod | 'none'>(c, ctx.getNodeParameter('authentication', 'none'), 0, 'Authentication', ['none', ...AUTHENTICATION_METHODS], 'none');
	const download = authentication !== 'none';
	return {
		secret,
		secretLocation,
		secretName: secretLocation === 'header' ? secretName.toLowerCase() : secretName,
		eventTypes,
		container,
		subjectBeginsWith: textValue(c, o.subjectBeginsWith ?? '', 0, 'Subject Begins With'),
		subjectEndsWith: textValue(c, o.subjectEndsWith ?? '', 0, 'Subject Ends With'),
		maxBodyBytes: integerValue(c, o.maxBodySize, 0, 'Max Body Size (KiB)', { min: 1, max: MAX_BODY_KIB_LIMIT }, DEFAULT_MAX_BODY_KIB) * 1024,
		authentication,
		download,
		binaryPropertyName: download ? readBinaryPropertyName(ctx as TriggerContext, o.binaryPropertyName, 'Put Output File in Field') : 'data',
	};
}
