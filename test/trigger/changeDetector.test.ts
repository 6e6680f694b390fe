/**
 * The polling trigger's change detection as a pure function of (previous state, one listing):
 * each change between two listings is reported exactly once, whatever the timing.
 */
import type { BlobChange, BlobEventType, ListedBlob } from '../../nodes/AzureBlobStorage/trigger/changeDetector';
import { ChangeDetector, CLOCK_MARGIN_SECONDS } from '../../nodes/AzureBlobStorage/trigger/changeDetector';
import type { PollState } from '../../nodes/AzureBlobStorage/trigger/pollState';
import { decodePollState, readPollState } from '../../nodes/AzureBlobStorage/trigger/pollState';

interface PollOptions {
	events?: BlobEventType[];
	maxEvents?: number;
	emitExisting?: boolean;
	scope?: string;
}

/** One poll: the state as n8n stored it (JSON), the listing, Azure's time on its first page. */
function poll(state: unknown, listing: ListedBlob[], listingTime: number, options: PollOptions = {}) {
	const stored = readPollState(state === undefined ? undefined : JSON.parse(JSON.stringify(state)));
	const detector = new ChangeDetector(stored ? decodePollState(stored) : undefined, listingTime, {
		scope: options.scope ?? 'scope-1',
		events: new Set(options.events ?? ['created', 'updated', 'deleted']),
		maxEvents: options.maxEvents ?? 1000,
		emitExisting: options.emitExisting ?? false,
	});
	for (const blob of listing) detector.add(blob);
	const result = detector.finish();
	return { ...result, state: JSON.parse(JSON.stringify(result.state)) as PollState, summary: summarize(result.changes) };
}

function summarize(changes: BlobChange[]): string[] {
	return changes.map((change) => `${change.type} ${change.name}`);
}

const T0 = 1_800_000_000;
const blob = (name: string, etag: string, lastModified: number): ListedBlob => ({ name, etag, lastModified });

describe('change detection between two listings', () => {
	it('the first poll takes what exists as the starting point and reports nothing', () => {
		const first = poll(undefined, [blob('a.csv', 'e1', T0 - 500), blob('b.csv', 'e1', T0 - 2)], T0);
		expect(first.summary).toEqual([]);
		expect(first.firstPoll).toBe(true);
		expect(first.state.horizon).toBe(T0 - 1 - CLOCK_MARGIN_SECONDS);
		expect(first.state.count).toBe(2);
	});

	it('"emit existing" reports every blob once on the first poll, oldest first, and nothing again', () => {
		const listing = [blob('b.csv', 'e1', T0 - 2), blob('a.csv', 'e1', T0 - 500)];
		const first = poll(undefined, listing, T0, { emitExisting: true });
		expect(first.summary).toEqual(['created a.csv', 'created b.csv']);
		expect(poll(first.state, listing, T0 + 60, { emitExisting: true }).summary).toEqual([]);
	});

	it('a new blob is reported as created once', () => {
		const first = poll(undefined, [blob('a.csv', 'e1', T0 - 500)], T0);
		const second = poll(first.state, [blob('a.csv', 'e1', T0 - 500), blob('new.csv', 'e1', T0 + 20)], T0 + 60);
		expect(second.summary).toEqual(['created new.csv']);
		expect(second.changes[0].blob).toMatchObject({ name: 'new.csv', etag: 'e1' });
		const third = poll(second.state, [blob('a.csv', 'e1', T0 - 500), blob('new.csv', 'e1', T0 + 20)], T0 + 120);
		expect(third.summary).toEqual([]);
	});

	it('an overwritten blob is reported as updated once, also when overwritten twice between polls', () => {
		const first = poll(undefined, [blob('a.csv', 'e1', T0 - 500)], T0);
		// e2 and e3 both happened between the polls; the listing shows only e3.
		const second = poll(first.state, [blob('a.csv', 'e3', T0 + 30)], T0 + 60);
		expect(second.summary).toEqual(['updated a.csv']);
		expect(poll(second.state, [blob('a.csv', 'e3', T0 + 30)], T0 + 120).summary).toEqual([]);
	});

	it('several blobs written in the same second are each reported', () => {
		const first = poll(undefined, [], T0);
		const same = [blob('x1', 'e', T0 + 10), blob('x2', 'e', T0 + 10), blob('x3', 'e', T0 + 10)];
		expect(poll(first.state, same, T0 + 60).summary).toEqual(['created x1', 'created x2', 'created x3']);
	});

	it('a blob written after a listing in the same second as the newest blob it saw is reported', () => {
		const first = poll(undefined, [blob('a', 'e1', T0)], T0);
		// The listing ran at T0 and saw a (modified at T0). b is written later in the same second.
		const second = poll(first.state, [blob('a', 'e1', T0), blob('b', 'e1', T0)], T0 + 60);
		expect(second.summary).toEqual(['created b']);
	});

	it('a blob written while a long listing ran, behind its page, is reported by the next poll', () => {
		const first = poll(undefined, [blob('a', 'e1', T0 - 100), blob('z', 'e1', T0 + 4)], T0);
		// "b" was written at T0 + 2, after its page had been read: the first listing missed it
		// although it saw "z" with a later time.
		const second = poll(first.state, [blob('a', 'e1', T0 - 100), blob('b', 'e1', T0 + 2), blob('z', 'e1', T0 + 4)], T0 + 60);
		expect(second.summary).toEqual(['created b']);
	});

	it('a deleted blob is reported by name, once', () => {
		const first = poll(undefined, [blob('a', 'e1', T0 - 100), blob('gone', 'e1', T0 - 100)], T0);
		const second = poll(first.state, [blob('a', 'e1', T0 - 100)], T0 + 60);
		expect(second.summary).toEqual(['deleted gone']);
		expect(second.changes[0].blob).toBeUndefined();
		expect(poll(second.state, [blob('a', 'e1', T0 - 100)], T0 + 120).summary).toEqual([]);
	});

	it('a blob deleted and re-created between polls is reported once, as updated (same name, new ETag)', () => {
		const first = poll(undefined, [blob('a', 'e1', T0 - 100)], T0);
		const second = poll(first.state, [blob('a', 'e9', T0 + 40)], T0 + 60);
		expect(second.summary).toEqual(['updated a']);
	});

	it('changes of types nobody watches are taken in silently and never reported later', () => {
		const events: BlobEventType[] = ['created'];
		const first = poll(undefined, [blob('a', 'e1', T0 - 100)], T0, { events });
		const second = poll(first.state, [blob('a', 'e2', T0 + 10)], T0 + 60, { events });
		expect(second.summary).toEqual([]);
		const third = poll(second.state, [blob('a', 'e2', T0 + 10), blob('b', 'e1', T0 + 70)], T0 + 120, { events });
		expect(third.summary).toEqual(['created b']);
	});

	it('without Blob Deleted the state keeps 6-byte name fingerprints, not names', () => {
		const events: BlobEventType[] = ['created', 'updated'];
		const first = poll(undefined, [blob('secret-looking-name.csv', 'e1', T0 - 100)], T0, { events });
		expect(first.state.names).toBeUndefined();
		expect(Buffer.from(first.state.nameFingerprints!, 'base64')).toHaveLength(6);
		expect(JSON.stringify(first.state)).not.toContain('secret-looking-name');
		const second = poll(first.state, [blob('secret-looking-name.csv', 'e2', T0 + 10), blob('n', 'e', T0 + 10)], T0 + 60, { events });
		expect(second.summary).toEqual(['created n', 'updated secret-looking-name.csv']);
	});

	it('turning Blob Deleted on later reports no false events and finds deletions from the next poll on', () => {
		const before: BlobEventType[] = ['created', 'updated'];
		const after: BlobEventType[] = ['created', 'updated', 'deleted'];
		const first = poll(undefined, [blob('a', 'e1', T0 - 100), blob('b', 'e1', T0 - 100)], T0, { events: before });
		const second = poll(first.state, [blob('a', 'e1', T0 - 100)], T0 + 60, { events: after });
		expect(second.summary).toEqual([]); // b's deletion cannot be named: no names were kept
		expect(second.state.names).toBeDefined();
		const third = poll(second.state, [], T0 + 120, { events: after });
		expect(third.summary).toEqual(['deleted a']);
	});

	it('another scope (container, prefix, filter) starts over as on first activation', () => {
		const first = poll(undefined, [blob('a', 'e1', T0 - 100)], T0, { scope: 'one' });
		const second = poll(first.state, [blob('a', 'e1', T0 - 100), blob('b', 'e1', T0 + 10)], T0 + 60, { scope: 'two' });
		expect(second.firstPoll).toBe(true);
		expect(second.summary).toEqual([]);
	});

	it('a state that cannot be read starts over instead of failing', () => {
		const broken = { v: 1, scope: 'scope-1', horizon: T0, window: '!!', nameFingerprints: '' };
		const result = poll(broken, [blob('a', 'e1', T0 - 100)], T0 + 60);
		expect(result.firstPoll).toBe(true);
		expect(result.summary).toEqual([]);
	});
});

describe('max events per poll', () => {
	it('reports the oldest changes first and the rest with the next polls, none twice or lost', () => {
		const first = poll(undefined, [], T0);
		const listing = [0, 1, 2, 3, 4].map((i) => blob(`f${i}`, 'e', T0 + 10 + (i % 2)));
		const reported: string[] = [];
		let state: unknown = first.state;
		for (let round = 1; round <= 4; round++) {
			const result = poll(state, listing, T0 + 60 * round, { maxEvents: 2 });
			reported.push(...result.summary);
			expect(result.changes.length).toBeLessThanOrEqual(2);
			state = result.state;
		}
		expect(reported).toEqual(['created f0', 'created f2', 'created f4', 'created f1', 'created f3']);
	});

	it('keeps deferred deletions and creations for the next poll (deletions first)', () => {
		const first = poll(undefined, [blob('old1', 'e', T0 - 100), blob('old2', 'e', T0 - 100)], T0);
		const listing = [blob('new1', 'e', T0 + 10), blob('new2', 'e', T0 + 11)];
		const second = poll(first.state, listing, T0 + 60, { maxEvents: 3 });
		expect(second.summary).toEqual(['deleted old1', 'deleted old2', 'created new1']);
		expect(second.deferred).toBe(1);
		const third = poll(second.state, listing, T0 + 120, { maxEvents: 3 });
		expect(third.summary).toEqual(['created new2']);
	});

	it('"emit existing" with a cap drains a large container without repeating', () => {
		const listing = Array.from({ length: 50 }, (_, i) => blob(`b${String(i).padStart(2, '0')}`, 'e', T0 - 1000 + Math.floor(i / 7)));
		let state: unknown;
		const reported = new Set<string>();
		for (let round = 0; round < 6; round++) {
			const result = poll(state, listing, T0 + 60 * round, { maxEvents: 10, emitExisting: true });
			for (const line of result.summary) {
				expect(reported.has(line)).toBe(false);
				reported.add(line);
			}
			state = result.state;
		}
		expect(reported.size).toBe(50);
	});
});

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number) {
	let value = seed;
	return () => {
		value = (value * 1103515245 + 12345) % 2 ** 31;
		return value / 2 ** 31;
	};
}

describe('a simulated container under random writes', () => {
	type Version = { etag: string; lastModified: number };

	it.each([1, 2, 3, 4, 5])('every change between two listings is reported exactly once (seed %i)', (seed) => {
		const next = random(seed);
		const container = new Map<string, Version>();
		let now = T0;
		let etags = 0;
		const names = Array.from({ length: 30 }, (_, i) => `n${String(i).padStart(2, '0')}`);
		let state: unknown;
		let observed = new Map<string, string>();
		for (let round = 0; round < 40; round++) {
			// Writes: creations, overwrites and deletions, many in the same second.
			const writes = Math.floor(next() * 12);
			for (let w = 0; w < writes; w++) {
				now += next() < 0.6 ? 0 : Math.floor(next() * 4);
				const name = names[Math.floor(next() * names.length)];
				if (container.has(name) && next() < 0.3) container.delete(name);
				else container.set(name, { etag: `e${++etags}`, lastModified: now });
			}
			// A listing that reads the first half of the names at `now` and the second half a
			// few seconds later, with writes in between (as a paged listing does).
			const listingTime = now;
			const firstHalf = new Map([...container].filter(([name]) => name < 'n15'));
			now += Math.floor(next() * 3);
			for (let w = 0; w < 3; w++) {
				const name = names[Math.floor(next() * names.length)];
				container.set(name, { etag: `e${++etags}`, lastModified: now });
			}
			const secondHalf = new Map([...container].filter(([name]) => name >= 'n15'));
			const listing = [...firstHalf, ...secondHalf].map(([name, v]) => blob(name, v.etag, v.lastModified));
			const seen = new Map(listing.map((b) => [b.name, b.etag]));

			const result = poll(state, listing, listingTime);
			const expected: string[] = [];
			if (round > 0) {
				for (const [name, etag] of seen) {
					if (!observed.has(name)) expected.push(`created ${name}`);
					else if (observed.get(name) !== etag) expected.push(`updated ${name}`);
				}
				for (const name of observed.keys()) if (!seen.has(name)) expected.push(`deleted ${name}`);
			}
			expect([...result.summary].sort()).toEqual(expected.sort());
			state = result.state;
			observed = seen;
			now += 1 + Math.floor(next() * 90);
		}
	});
});
