/**
 * Azure Event Grid deliveries for Blob Storage, in both delivery schemas, read from the raw body:
 *
 * - Event Grid schema (`application/json`): always a JSON array of events `{ id, topic, subject,
 *   eventType, eventTime, data, dataVersion, metadataVersion }`. Creating the subscription sends
 *   one `Microsoft.EventGrid.SubscriptionValidationEvent`, answered with its `validationCode`.
 * - CloudEvents 1.0 (`application/cloudevents+json` one event, `application/cloudevents-batch+json`
 *   an array): `{ specversion: "1.0", id, type, source, subject, time, data }`. Its subscription
 *   handshake is an HTTP OPTIONS request (see `abuseProtectionHeaders`).
 *
 * Blob subjects look like `/blobServices/default/containers/<container>/blobs/<blob name>`.
 */
import type { IDataObject } from 'n8n-workflow';

export const VALIDATION_EVENT_TYPE = 'Microsoft.EventGrid.SubscriptionValidationEvent';

/** The Blob Storage event types the trigger offers (without the `Microsoft.Storage.` prefix). */
export const BLOB_STORAGE_EVENT_TYPES = [
	'BlobCreated',
	'BlobDeleted',
	'BlobTierChanged',
	'BlobRenamed',
	'DirectoryCreated',
	'DirectoryDeleted',
	'DirectoryRenamed',
	'AsyncOperationInitiated',
] as const;

export const STORAGE_EVENT_PREFIX = 'Microsoft.Storage.';

export type DeliverySchema = 'eventGrid' | 'cloudEvents';

export interface StorageEvent {
	schema: DeliverySchema;
	id: string;
	/** Full type, e.g. Microsoft.Storage.BlobCreated. */
	type: string;
	subject: string;
	/** Event Grid's `topic` or CloudEvents' `source`: the storage account's resource id. */
	source: string;
	time?: string;
	data: IDataObject;
}

export type Delivery =
	| { kind: 'validation'; validationCode: string }
	| { kind: 'events'; schema: DeliverySchema | 'empty'; events: StorageEvent[] }
	| { kind: 'invalid'; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

function readEvent(raw: unknown, index: number): StorageEvent | string {
	const where = `event ${index + 1}`;
	if (!isRecord(raw)) return `${where} is not a JSON object`;
	const cloudEvent = raw.specversion !== undefined;
	const schema: DeliverySchema = cloudEvent ? 'cloudEvents' : 'eventGrid';
	if (cloudEvent && raw.specversion !== '1.0') return `${where} has specversion ${JSON.stringify(raw.specversion)}; only CloudEvents 1.0 is supported`;
	const type = text(cloudEvent ? raw.type : raw.eventType);
	const id = text(raw.id);
	const subject = text(raw.subject) ?? '';
	const source = text(cloudEvent ? raw.source : raw.topic) ?? '';
	if (!type) return `${where} has no ${cloudEvent ? 'type' : 'eventType'}`;
	if (!id) return `${where} has no id`;
	const data = raw.data === undefined || raw.data === null ? {} : raw.data;
	if (!isRecord(data)) return `${where} has data that is not a JSON object`;
	return { schema, id, type, subject, source, time: text(cloudEvent ? raw.time : raw.eventTime), data: data as IDataObject };
}

/**
 * Reads a delivery body. JSON that is not an event, a list of events or a validation request is
 * `invalid`, with the reason (it is answered with 400 and starts nothing).
 */
export function parseDelivery(body: string): Delivery {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
	} catch (error) {
		return { kind: 'invalid', reason: `The body is not valid JSON (${(error as Error).message})` };
	}
	const list = Array.isArray(parsed) ? parsed : [parsed];
	if (!Array.isArray(parsed) && !isRecord(parsed)) return { kind: 'invalid', reason: 'The body is neither an event nor a list of events' };
	if (list.length === 0) return { kind: 'events', schema: 'empty', events: [] };
	const events: StorageEvent[] = [];
	for (let i = 0; i < list.length; i++) {
		const event = readEvent(list[i], i);
		if (typeof event === 'string') return { kind: 'invalid', reason: event };
		events.push(event);
	}
	const validation = events.find((event) => event.type === VALIDATION_EVENT_TYPE);
	if (validation) {
		const code = text(validation.data.validationCode);
		if (!code) return { kind: 'invalid', reason: 'The subscription validation event has no validationCode' };
		return { kind: 'validation', validationCode: code };
	}
	const schemas = new Set(events.map((event) => event.schema));
	if (schemas.size > 1) return { kind: 'invalid', reason: 'The body mixes Event Grid and CloudEvents events' };
	return { kind: 'events', schema: events[0].schema, events };
}

/** Container and blob name from a Blob Storage subject; undefined parts when it has another shape. */
export function parseSubject(subject: string): { container?: string; name?: string } {
	const match = /^\/blobServices\/default\/containers\/([^/]+)(?:\/blobs\/(.+))?$/.exec(subject);
	if (!match) return {};
	return { container: match[1], name: match[2] };
}

export interface EventFilter {
	/** Full type names; empty means every Blob Storage event. */
	types: ReadonlySet<string>;
	container?: string;
	subjectBeginsWith?: string;
	subjectEndsWith?: string;
}

/** Whether an event passes the trigger's filters (subject filters ignore case, as Event Grid's do by default). */
export function matchesFilter(event: StorageEvent, filter: EventFilter): boolean {
	if (!event.type.startsWith(STORAGE_EVENT_PREFIX)) return false;
	if (filter.types.size > 0 && !filter.types.has(event.type)) return false;
	if (filter.container && parseSubject(event.subject).container !== filter.container) return false;
	const subject = event.subject.toLowerCase();
	if (filter.subjectBeginsWith && !subject.startsWith(filter.subjectBeginsWith.toLowerCase())) return false;
	if (filter.subjectEndsWith && !subject.endsWith(filter.subjectEndsWith.toLowerCase())) return false;
	return true;
}

function compactJson(object: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** The JSON of the output item for one event: the common facts first, then Azure's own `data`. */
export function eventItemJson(event: StorageEvent): IDataObject {
	const { container, name } = parseSubject(event.subject);
	const data = event.data;
	return compactJson({
		event: event.type.startsWith(STORAGE_EVENT_PREFIX) ? event.type.slice(STORAGE_EVENT_PREFIX.length) : event.type,
		eventType: event.type,
		id: event.id,
		time: event.time,
		container,
		name,
		url: text(data.url),
		contentType: text(data.contentType),
		size: typeof data.contentLength === 'number' ? data.contentLength : undefined,
		etag: text(data.eTag),
		blobType: text(data.blobType),
		api: text(data.api),
		subject: event.subject,
		source: event.source,
		schema: event.schema,
		data,
	});
}

/**
 * The answer to CloudEvents' abuse-protection handshake (an OPTIONS request): permission for the
 * origin that asks (Event Grid sends `eventgrid.azure.net`) at any rate. Undefined when the
 * request is not such a handshake.
 */
export function abuseProtectionHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> | undefined {
	// Node gives header names in lower case.
	const value = headers['webhook-request-origin'];
	const origin = Array.isArray(value) ? value[0] : value;
	if (!origin) return undefined;
	return { 'WebHook-Allowed-Origin': origin, 'WebHook-Allowed-Rate': '*' };
}
