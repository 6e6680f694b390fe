/**
 * The polling trigger as an active workflow runs it in n8n: n8n-core's PollTriggerExecutor and
 * PollContext against Azurite, static data saved the way n8n saves it (see triggerEngine.ts).
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { AZURITE_KEY } from '../helpers/azurite';
import { startFaultProxy } from '../helpers/faultProxy';
import { blobEndpoint, createContainer, credentialCases, sdk, using } from '../helpers/fixtures';
import { sharedKeyFor } from '../streaming/support';
import { byName } from '../helpers/params';
import type { PollOutcome } from '../helpers/triggerEngine';
import { fetchTestEvent, PollHarness } from '../helpers/triggerEngine';

const sharedKey = using(credentialCases()[0]);

function trigger(container: string, parameters: Record<string, unknown> = {}, credentials = sharedKey) {
	return new PollHarness({
		credentials: credentials.credentials,
		parameters: {
			authentication: credentials.authentication,
			container: byName(container),
			events: ['created', 'updated', 'deleted'],
			...parameters,
		} as never,
	});
}

async function put(container: string, name: string, content: string | Buffer = `content of ${name}`) {
	const data = typeof content === 'string' ? Buffer.from(content) : content;
	return await sdk().getContainerClient(container).getBlockBlobClient(name).uploadData(data, { blobHTTPHeaders: { blobContentType: 'text/plain' } });
}

async function remove(container: string, name: string) {
	await sdk().getContainerClient(container).deleteBlob(name);
}

function events(outcome: PollOutcome): string[] {
	if (outcome.error) throw outcome.error;
	return (outcome.items ?? []).map((item) => `${item.json.event} ${item.json.name}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('polling trigger: what starts a workflow', () => {
	it('a new blob fires "created" once, with the blob\'s facts', async () => {
		const container = await createContainer('trig-new');
		await put(container, 'already-there.txt');
		const t = trigger(container);
		expect(events(await t.activate())).toEqual([]);
		const uploaded = await put(container, 'in/new.txt', 'hello');
		const outcome = await t.tick();
		expect(events(outcome)).toEqual(['created in/new.txt']);
		const json = outcome.items![0].json;
		expect(json).toMatchObject({
			event: 'created',
			container,
			name: 'in/new.txt',
			size: 5,
			contentType: 'text/plain',
			etag: uploaded.etag!.replace(/"/g, ''), // listings give ETags without quotes
			lastModified: uploaded.lastModified!.toISOString(),
		});
		expect(json.url).toBe(`${sdk().url.replace(/\/$/, '')}/${container}/in/new.txt`);
		expect(json.metadata).toBeUndefined();
		expect(events(await t.tick())).toEqual([]);
	});

	it('an overwrite fires "updated" once, also when the blob was overwritten twice between polls', async () => {
		const container = await createContainer('trig-upd');
		await put(container, 'a.txt', 'v1');
		const t = trigger(container);
		await t.activate();
		await put(container, 'a.txt', 'v2');
		await put(container, 'a.txt', 'v3!');
		const outcome = await t.tick();
		expect(events(outcome)).toEqual(['updated a.txt']);
		expect(outcome.items![0].json.size).toBe(3);
		expect(events(await t.tick())).toEqual([]);
	});

	it('a delete fires "deleted" with the blob\'s name and URL', async () => {
		const container = await createContainer('trig-del');
		await put(container, 'keep.txt');
		await put(container, 'folder/gone.txt');
		const t = trigger(container);
		await t.activate();
		await remove(container, 'folder/gone.txt');
		const outcome = await t.tick();
		expect(events(outcome)).toEqual(['deleted folder/gone.txt']);
		expect(outcome.items![0].json).toEqual({
			event: 'deleted',
			container,
			name: 'folder/gone.txt',
			url: `${sdk().url.replace(/\/$/, '')}/${container}/folder/gone.txt`,
		});
		expect(events(await t.tick())).toEqual([]);
	});

	it('two blobs written in the same second both fire', async () => {
		const container = await createContainer('trig-same');
		const t = trigger(container);
		await t.activate();
		// Retry until both uploads land in one second (they usually do at once).
		let names: string[] = [];
		for (let attempt = 0; attempt < 5; attempt++) {
			const pair = [`same-${attempt}-a.txt`, `same-${attempt}-b.txt`];
			const [a, b] = await Promise.all(pair.map((name) => put(container, name)));
			names.push(...pair);
			if (a.lastModified!.getTime() === b.lastModified!.getTime()) break;
		}
		expect(events(await t.tick()).sort()).toEqual(names.map((name) => `created ${name}`).sort());
	});

	it('a blob written after a poll, in the second of the newest blob that poll saw, fires', async () => {
		const container = await createContainer('trig-edge');
		const t = trigger(container);
		await t.activate();
		const first = await put(container, 'first.txt');
		expect(events(await t.tick())).toEqual(['created first.txt']);
		const second = await put(container, 'second.txt');
		const sameSecond = second.lastModified!.getTime() === first.lastModified!.getTime();
		expect(events(await t.tick())).toEqual(['created second.txt']);
		// Not a guarantee of the test set-up, but the case this test is about when it happens:
		if (!sameSecond) process.stderr.write('note: the two uploads fell into different seconds this time\n');
	});

	it('a blob deleted and re-created between polls fires once, as "updated"', async () => {
		const container = await createContainer('trig-recreate');
		await put(container, 'report.csv', 'old');
		const t = trigger(container);
		await t.activate();
		await remove(container, 'report.csv');
		await put(container, 'report.csv', 'new');
		expect(events(await t.tick())).toEqual(['updated report.csv']);
	});
});

describe('polling trigger: first activation', () => {
	it('replays nothing by default', async () => {
		const container = await createContainer('trig-first');
		await Promise.all(['a', 'b', 'c'].map((name) => put(container, name)));
		const t = trigger(container);
		expect(events(await t.activate())).toEqual([]);
		expect(events(await t.tick())).toEqual([]);
	});

	it('with "Emit Existing Blobs" replays every blob once, oldest first', async () => {
		const container = await createContainer('trig-existing');
		await put(container, 'old.txt');
		await sleep(1100);
		await put(container, 'newer.txt');
		const t = trigger(container, { options: { emitExisting: true } });
		expect(events(await t.activate())).toEqual(['created old.txt', 'created newer.txt']);
		expect(events(await t.tick())).toEqual([]);
	});
});

describe('polling trigger: limits, filters and options', () => {
	it('"Max Events per Poll" carries the rest to the next polls, none lost or repeated', async () => {
		const container = await createContainer('trig-cap');
		const t = trigger(container, { options: { maxEvents: 2 } });
		await t.activate();
		const names = ['1.txt', '2.txt', '3.txt', '4.txt', '5.txt'];
		for (const name of names) await put(container, name);
		const reported: string[] = [];
		for (let poll = 0; poll < 4; poll++) {
			const batch = events(await t.tick());
			expect(batch.length).toBeLessThanOrEqual(2);
			reported.push(...batch);
		}
		expect(reported.sort()).toEqual(names.map((name) => `created ${name}`));
	});

	it('watches only the prefix, one level when asked, and names matching the filter', async () => {
		const container = await createContainer('trig-filter');
		const t = trigger(container, { prefix: 'in/', options: { includeSubfolders: false, nameFilter: '*.csv, .TSV' } });
		await t.activate();
		for (const name of ['in/a.csv', 'in/B.CSV', 'in/c.tsv', 'in/d.json', 'in/sub/e.csv', 'out/f.csv', 'g.csv']) await put(container, name);
		expect(events(await t.tick()).sort()).toEqual(['created in/B.CSV', 'created in/a.csv', 'created in/c.tsv']);

		const deep = trigger(container, { prefix: 'in/', options: { nameFilter: '*.csv' }, events: ['created'] });
		await deep.activate();
		await put(container, 'in/sub/deeper/h.csv');
		expect(events(await deep.tick())).toEqual(['created in/sub/deeper/h.csv']);
	});

	it('outputs metadata when asked, and the content as a file with "Download Blob"', async () => {
		const container = await createContainer('trig-dl');
		const t = trigger(container, { options: { includeMetadata: true, download: true, binaryPropertyName: 'file' } });
		await t.activate();
		const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
		await sdk()
			.getContainerClient(container)
			.getBlockBlobClient('data/blob.bin')
			.uploadData(content, { metadata: { source: 'scanner' }, blobHTTPHeaders: { blobContentType: 'application/x-test' } });
		const outcome = await t.tick();
		const item = outcome.items![0] as INodeExecutionData;
		expect(item.json).toMatchObject({ event: 'created', name: 'data/blob.bin', metadata: { source: 'scanner' } });
		expect(item.binary!.file).toMatchObject({ fileName: 'blob.bin', mimeType: 'application/x-test' });
		expect(Buffer.from(item.binary!.file.data, 'base64').equals(content)).toBe(true);
	});

	it('"Download Blob" checks the content against the blob\'s Content-MD5, as the Download operation does: damaged bytes fail the poll', async () => {
		const container = await createContainer('trig-dl-md5');
		const proxy = await startFaultProxy(blobEndpoint());
		try {
			const { credentials, authentication } = sharedKeyFor(proxy.blobEndpoint);
			const t = trigger(container, { options: { download: true } }, { credentials, authentication });
			await t.activate();
			await put(container, 'data/damaged.bin', Buffer.alloc(70_000, 7));
			// The blob's own GET (not the listing) gets one bit flipped on its way back.
			proxy.setRule(({ method, comp, url }) => (method === 'GET' && comp === '' && url.includes('/damaged.bin') ? { kind: 'corruptResponse', atByte: 100 } : undefined));
			const outcome = await t.tick();
			expect(outcome.items).toBeUndefined();
			expect(outcome.error?.message).toBe('The downloaded content of blob "data/damaged.bin" does not match its Content-MD5; it was not used');
		} finally {
			await proxy.close();
		}
	});

	it('overlapping polls report a change once (the later one skips while the first runs)', async () => {
		const container = await createContainer('trig-overlap');
		const t = trigger(container);
		await t.activate();
		await put(container, 'x.txt');
		const [a, b] = await Promise.all([t.tick(), t.tick()]);
		expect([...events(a), ...events(b)]).toEqual(['created x.txt']);
		expect(t.nodeStaticData().busyUntil).toBeUndefined();
	});
});

describe('polling trigger: state across restarts', () => {
	it('a poll after a restart (static data reloaded from what n8n saved) reports nothing twice and misses nothing', async () => {
		const container = await createContainer('trig-restart');
		const t = trigger(container);
		await t.activate();
		await put(container, 'a.txt');
		expect(events(await t.tick())).toEqual(['created a.txt']); // emitted: n8n saves the state
		expect(events(await t.tick())).toEqual([]); // null: n8n saves nothing
		expect(events(await t.restart())).toEqual([]);
		// A blob added while n8n was down is reported by the activation poll after the restart.
		await put(container, 'while-down.txt');
		await put(container, 'a.txt', 'changed while down');
		expect(events(await t.restart()).sort()).toEqual(['created while-down.txt', 'updated a.txt']);
		expect(events(await t.tick())).toEqual([]);
		expect(events(await t.restart())).toEqual([]);
	});
});

describe('polling trigger: Fetch Test Event', () => {
	it('returns the newest matching blob and leaves the trigger\'s state alone', async () => {
		const container = await createContainer('trig-test');
		await put(container, 'older.csv');
		await sleep(1100);
		await put(container, 'newest.csv');
		await put(container, 'ignored.json');
		const result = await fetchTestEvent({
			credentials: sharedKey.credentials,
			parameters: { authentication: sharedKey.authentication, container: byName(container), events: ['created'], options: { nameFilter: '*.csv' } } as never,
			type: undefined,
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => `${i.json.event} ${i.json.name}`)).toEqual(['created newest.csv']);
		expect(result.staticData['node:Blob Trigger'] ?? {}).toEqual({});
	});

	it('says so when no blob matches yet', async () => {
		const container = await createContainer('trig-empty');
		const result = await fetchTestEvent({
			credentials: sharedKey.credentials,
			parameters: { authentication: sharedKey.authentication, container: byName(container), events: ['created'], prefix: 'in/' } as never,
		});
		expect(result.error?.message).toBe(`No blob in container "${container}" under "in/" to show as a test event`);
	});
});

describe('polling trigger: bad input names the field', () => {
	it.each([
		[{ prefix: '={{ 42 }}' }, 'Folder (Prefix) must be text, but the expression returned a number (42)'],
		[{ prefix: '/in/' }, 'Folder (Prefix) starts with "/"; blob names do not'],
		[{ options: { maxEvents: 0 } }, 'Max Events per Poll must be a whole number from 1 to 10,000; got 0'],
		[{ options: { maxEvents: '={{ NaN }}' } }, 'Max Events per Poll must be a whole number from 1 to 10,000'],
		[{ options: { nameFilter: '={{ { a: 1 } }}' } }, 'File Name Filter must be text, but the expression returned an object'],
		[{ events: [] }, 'Events is empty'],
		[{ events: ['created', 'moved'] }, 'Events must be one of "created", "updated", "deleted"; got "moved"'],
	])('%j', async (parameters, message) => {
		const container = await createContainer('trig-bad');
		const outcome = await trigger(container, parameters).activate();
		expect(outcome.error?.message).toContain(message);
	});

	it('a container name with capitals', async () => {
		const outcome = await trigger('Invoices').activate();
		expect(outcome.error?.message).toContain('Container "Invoices" has upper-case letters');
	});
});

describe('polling trigger: every credential of the package', () => {
	it.each(credentialCases().map((c) => [c.label, c] as const))('%s: a new blob fires, and no secret reaches the items or the state', async (_label, credentialCase) => {
		const container = await createContainer('trig-cred');
		const t = trigger(container, { events: ['created'] }, using(credentialCase));
		expect(events(await t.activate())).toEqual([]);
		await put(container, 'x.txt');
		const outcome = await t.tick();
		expect(events(outcome)).toEqual(['created x.txt']);
		const visible = JSON.stringify([outcome.items, t.saved]);
		for (const secret of [...credentialCase.secrets, AZURITE_KEY]) expect(visible).not.toContain(secret);
		expect(visible).not.toMatch(/sig=/);
	});
});
