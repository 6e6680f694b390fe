/** Reading Event Grid deliveries (both schemas), filtering them, and the shared secret. */
import {
	abuseProtectionHeaders,
	eventItemJson,
	matchesFilter,
	parseDelivery,
	parseSubject,
} from '../../nodes/AzureBlobStorage/trigger/eventGridPayload';
import { secretMatches, secretProblem } from '../../nodes/AzureBlobStorage/trigger/sharedSecret';
import { blobCreatedCloudEvent, blobCreatedEvent, blobDeletedEvent, validationEvent } from '../helpers/eventGrid';

describe('Event Grid deliveries', () => {
	it('reads a batch in the Event Grid schema', () => {
		const delivery = parseDelivery(JSON.stringify([blobCreatedEvent('inbox', 'a/b.csv'), blobDeletedEvent('inbox', 'old.csv')]));
		expect(delivery.kind).toBe('events');
		if (delivery.kind !== 'events') return;
		expect(delivery.schema).toBe('eventGrid');
		expect(delivery.events.map((e) => e.type)).toEqual(['Microsoft.Storage.BlobCreated', 'Microsoft.Storage.BlobDeleted']);
	});

	it('reads one CloudEvent and a CloudEvents batch', () => {
		const single = parseDelivery(JSON.stringify(blobCreatedCloudEvent('inbox', 'x.json')));
		expect(single).toMatchObject({ kind: 'events', schema: 'cloudEvents' });
		const batch = parseDelivery(JSON.stringify([blobCreatedCloudEvent('inbox', 'x.json'), blobCreatedCloudEvent('inbox', 'y.json')]));
		expect(batch.kind === 'events' && batch.events).toHaveLength(2);
	});

	it('recognizes the subscription validation event and its code', () => {
		expect(parseDelivery(JSON.stringify([validationEvent('512d38b6-c7b8-40c8-89fe-f46f9e9622b6')]))).toEqual({
			kind: 'validation',
			validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
		});
	});

	it.each([
		['{"a":', 'not valid JSON'],
		['"text"', 'neither an event nor a list'],
		['[1]', 'event 1 is not a JSON object'],
		['[{"id":"1","subject":"s"}]', 'has no eventType'],
		['[{"eventType":"x","subject":"s"}]', 'has no id'],
		['{"specversion":"0.3","id":"1","type":"t","source":"s"}', 'only CloudEvents 1.0'],
		['[{"id":"1","eventType":"x","data":[1]}]', 'data that is not a JSON object'],
		[JSON.stringify([{ id: '1', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: {} }]), 'no validationCode'],
	])('refuses %s', (body, reason) => {
		const delivery = parseDelivery(body);
		expect(delivery.kind).toBe('invalid');
		expect(delivery.kind === 'invalid' && delivery.reason).toContain(reason);
	});

	it('takes an empty list as a delivery with no events', () => {
		expect(parseDelivery('[]')).toEqual({ kind: 'events', schema: 'empty', events: [] });
	});

	it('reads container and blob name from the subject', () => {
		expect(parseSubject('/blobServices/default/containers/inbox/blobs/a/b c.csv')).toEqual({ container: 'inbox', name: 'a/b c.csv' });
		expect(parseSubject('/blobServices/default/containers/inbox')).toEqual({ container: 'inbox', name: undefined });
		expect(parseSubject('/something/else')).toEqual({});
	});

	it('outputs the common facts first and Azure\'s data as it came, without the delivery\'s query or headers', () => {
		const delivery = parseDelivery(JSON.stringify([blobCreatedEvent('inbox', 'a/b.csv', { contentLength: 42 })]));
		if (delivery.kind !== 'events') throw new Error('expected events');
		expect(eventItemJson(delivery.events[0])).toMatchObject({
			event: 'BlobCreated',
			eventType: 'Microsoft.Storage.BlobCreated',
			container: 'inbox',
			name: 'a/b.csv',
			size: 42,
			contentType: 'text/csv',
			schema: 'eventGrid',
			url: 'https://account.blob.core.windows.net/inbox/a/b.csv',
		});
	});
});

describe('event filters', () => {
	const read = (event: object) => {
		const delivery = parseDelivery(JSON.stringify([event]));
		if (delivery.kind !== 'events') throw new Error('expected events');
		return delivery.events[0];
	};
	const created = read(blobCreatedEvent('inbox', 'Reports/Q1.CSV'));

	it('by event type, container and subject (ignoring case, like Event Grid\'s default)', () => {
		const types = new Set(['Microsoft.Storage.BlobCreated']);
		expect(matchesFilter(created, { types })).toBe(true);
		expect(matchesFilter(created, { types: new Set(['Microsoft.Storage.BlobDeleted']) })).toBe(false);
		expect(matchesFilter(created, { types: new Set(), container: 'inbox' })).toBe(true);
		expect(matchesFilter(created, { types: new Set(), container: 'other' })).toBe(false);
		expect(matchesFilter(created, { types: new Set(), subjectBeginsWith: '/blobServices/default/containers/inbox/blobs/reports/' })).toBe(true);
		expect(matchesFilter(created, { types: new Set(), subjectEndsWith: '.csv' })).toBe(true);
		expect(matchesFilter(created, { types: new Set(), subjectEndsWith: '.json' })).toBe(false);
	});

	it('never passes events that are not Blob Storage events', () => {
		expect(matchesFilter(read({ ...blobCreatedEvent('inbox', 'a'), eventType: 'Contoso.Items.ItemSold' }), { types: new Set() })).toBe(false);
	});
});

describe('CloudEvents abuse protection (OPTIONS)', () => {
	it('allows the origin that asks, at any rate', () => {
		expect(abuseProtectionHeaders({ 'webhook-request-origin': 'eventgrid.azure.net', 'webhook-request-rate': '120' })).toEqual({
			'WebHook-Allowed-Origin': 'eventgrid.azure.net',
			'WebHook-Allowed-Rate': '*',
		});
		expect(abuseProtectionHeaders({ origin: 'https://example.com' })).toBeUndefined();
	});
});

describe('shared secret', () => {
	const secret = 'n8n-Event-Grid-0123456789';

	it('matches only the exact value', () => {
		expect(secretMatches(secret, secret)).toBe(true);
		expect(secretMatches([secret], secret)).toBe(true);
		expect(secretMatches(`${secret}x`, secret)).toBe(false);
		expect(secretMatches(secret.slice(0, -1), secret)).toBe(false);
		expect(secretMatches(undefined, secret)).toBe(false);
		expect(secretMatches('', '')).toBe(false);
	});

	it('must be long and URL-safe', () => {
		expect(secretProblem(secret)).toBeUndefined();
		expect(secretProblem('')).toBe('is empty');
		expect(secretProblem('short')).toContain('at least 16');
		expect(secretProblem(`${secret} `)).toContain('space');
		expect(secretProblem('0123456789abcdef&x=1')).toContain('letters, digits');
	});
});
