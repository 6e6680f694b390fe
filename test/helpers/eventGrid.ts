/**
 * Azure Event Grid deliveries for Blob Storage as Azure sends them (shapes from Microsoft's
 * "Azure Blob Storage as an Event Grid source" reference), for the Event Grid trigger's tests.
 */
import { randomUUID } from 'crypto';

const TOPIC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/account';

export function blobSubject(container: string, name: string): string {
	return `/blobServices/default/containers/${container}/blobs/${name}`;
}

function blobUrl(container: string, name: string, endpoint = 'https://account.blob.core.windows.net'): string {
	return `${endpoint}/${container}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

export interface BlobFacts {
	contentLength?: number;
	contentType?: string;
	eTag?: string;
	/** The blob endpoint the event's url points at (default: a real Azure account's). */
	endpoint?: string;
}

function blobData(api: string, container: string, name: string, facts: BlobFacts) {
	return {
		api,
		clientRequestId: randomUUID(),
		requestId: randomUUID(),
		eTag: facts.eTag ?? '0x8D4BCC2E4835CD0',
		contentType: facts.contentType ?? 'text/csv',
		contentLength: facts.contentLength ?? 524288,
		blobType: 'BlockBlob',
		url: blobUrl(container, name, facts.endpoint),
		sequencer: '00000000000004420000000000028963',
		storageDiagnostics: { batchId: randomUUID() },
	};
}

/** Microsoft.Storage.BlobCreated in the Event Grid schema. */
export function blobCreatedEvent(container: string, name: string, facts: BlobFacts = {}) {
	return {
		topic: TOPIC,
		subject: blobSubject(container, name),
		eventType: 'Microsoft.Storage.BlobCreated',
		eventTime: new Date().toISOString(),
		id: randomUUID(),
		data: blobData('PutBlob', container, name, facts),
		dataVersion: '',
		metadataVersion: '1',
	};
}

/** Microsoft.Storage.BlobDeleted in the Event Grid schema. */
export function blobDeletedEvent(container: string, name: string) {
	const { eTag: _eTag, contentLength: _length, ...data } = blobData('DeleteBlob', container, name, {});
	return { ...blobCreatedEvent(container, name), eventType: 'Microsoft.Storage.BlobDeleted', data };
}

/** Microsoft.Storage.BlobCreated in the CloudEvents 1.0 schema. */
export function blobCreatedCloudEvent(container: string, name: string, facts: BlobFacts = {}) {
	return {
		specversion: '1.0',
		source: TOPIC,
		subject: blobSubject(container, name),
		type: 'Microsoft.Storage.BlobCreated',
		time: new Date().toISOString(),
		id: randomUUID(),
		data: blobData('PutBlob', container, name, facts),
	};
}

/** The event Event Grid sends (Event Grid schema) when a subscription to a webhook is created. */
export function validationEvent(code: string) {
	return {
		id: randomUUID(),
		topic: TOPIC,
		subject: '',
		data: {
			validationCode: code,
			validationUrl: `https://rp-westeurope.eventgrid.azure.net:553/eventsubscriptions/n8n/validate?id=${code}&t=2026-11-27T00:00:00Z&apiVersion=2022-06-15&token=abc`,
		},
		eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
		eventTime: new Date().toISOString(),
		metadataVersion: '1',
		dataVersion: '2',
	};
}
