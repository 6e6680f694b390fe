/**
 * Finds what changed in a container since the previous poll, from one full listing and the state
 * the previous poll left (see pollState.ts). Pure: no I/O, no clock; the caller feeds it the
 * listed blobs and the time Azure stamped on the first page of the listing.
 *
 * Why it never misses and never repeats a change:
 * - A listing is not a snapshot: pages are read one after another, and a blob can be written
 *   after its page was read. Any such write gets a Last-Modified at or after the moment the first
 *   page was produced, minus clock differences between Azure's servers. So the next horizon is
 *   the first page's time minus one second (Last-Modified has whole seconds) minus a margin, and
 *   every blob modified at or after the previous horizon is compared by fingerprint: several
 *   blobs in one second, and blobs modified in the same second as the previous poll's newest,
 *   are each reported once.
 * - Blobs modified before the previous horizon were seen, with that version, by an earlier
 *   listing: they need no per-blob state beyond "this name exists".
 * - A blob overwritten several times between polls is listed once, with its last version: one
 *   "updated". A blob deleted and re-created between polls is listed with a new ETag: one
 *   "updated" (a poll sees only before and after; the Event Grid trigger sees each operation).
 * - "Max events per poll" defers the newest changes: the horizon stays at or before the oldest
 *   deferred one and deferred blobs stay out of the state, so the next poll finds them again.
 */
import { FingerprintSet, nameFingerprint, NAME_FINGERPRINT_BYTES, VERSION_FINGERPRINT_BYTES, versionFingerprint } from './fingerprints';
import { encodeNames } from './nameList';
import type { DecodedPollState, KnownBlobs, PollState } from './pollState';
import { POLL_STATE_VERSION } from './pollState';

export type BlobEventType = 'created' | 'updated' | 'deleted';
export const BLOB_EVENT_TYPES: readonly BlobEventType[] = ['created', 'updated', 'deleted'];

/**
 * Seconds of slack below the listing's start: clock differences between Azure's front ends and
 * storage servers, and writes in flight while the listing started. Costs only a larger `window`
 * (the blobs modified in the last half minute before each poll).
 */
export const CLOCK_MARGIN_SECONDS = 30;

export interface ListedBlob<T = unknown> {
	name: string;
	etag: string;
	/** Last-Modified in whole seconds since the epoch (Azure's precision). */
	lastModified: number;
	/** What the caller needs to build the output item (properties, metadata). */
	details?: T;
}

export interface BlobChange<T = unknown> {
	type: BlobEventType;
	name: string;
	/** The listed blob, for created and updated (a deleted blob is gone). */
	blob?: ListedBlob<T>;
}

export interface DetectorOptions {
	/** Fingerprint of what is watched; a different one starts over as on first activation. */
	scope: string;
	events: ReadonlySet<BlobEventType>;
	maxEvents: number;
	/** On the first poll, report every existing blob as created instead of starting from them. */
	emitExisting: boolean;
}

export interface DetectionResult<T> {
	/** What to report, oldest first (deletions first: their time is unknown). */
	changes: Array<BlobChange<T>>;
	/** Changes left for the next poll by "max events per poll". */
	deferred: number;
	/** True when there was no usable state (first activation, or the watched scope changed). */
	firstPoll: boolean;
	state: PollState;
}

interface WindowEntry {
	fingerprint: Buffer;
	lastModified: number;
	changed: boolean;
	name: string;
}

const compareChanges = <T>(a: BlobChange<T>, b: BlobChange<T>): number => {
	if (a.type === 'deleted' || b.type === 'deleted') {
		if (a.type !== b.type) return a.type === 'deleted' ? -1 : 1;
	} else if (a.blob!.lastModified !== b.blob!.lastModified) {
		return a.blob!.lastModified - b.blob!.lastModified;
	}
	return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

export class ChangeDetector<T = unknown> {
	private readonly previousHorizon: number;

	private readonly previousWindow: FingerprintSet;

	private readonly previousKnown: KnownBlobs;

	private readonly firstPoll: boolean;

	private readonly horizonCandidate: number;

	/** Fingerprints are needed for blobs modified at or after this second. */
	private readonly windowStart: number;

	private readonly keepNames: boolean;

	private readonly currentNames: string[] = [];

	private readonly currentNameFingerprints: Buffer[] = [];

	private readonly windowEntries: WindowEntry[] = [];

	private readonly changes: Array<BlobChange<T>> = [];

	private listedNames: Set<string> | undefined;

	/**
	 * @param previous the decoded state of the previous poll (undefined: none or unreadable)
	 * @param listingTime Azure's time (seconds) on the first page of this poll's listing
	 */
	constructor(
		previous: DecodedPollState | undefined,
		listingTime: number,
		private readonly options: DetectorOptions,
	) {
		const usable = previous !== undefined && previous.scope === options.scope;
		this.firstPoll = !usable;
		this.horizonCandidate = Math.floor(listingTime) - 1 - CLOCK_MARGIN_SECONDS;
		this.keepNames = options.events.has('deleted');
		if (usable) {
			this.previousHorizon = previous.horizon;
			this.previousWindow = previous.window;
			this.previousKnown = previous.known;
			// Deletions can be named only when the previous poll kept names.
			if (this.keepNames && previous.known.names) this.listedNames = new Set();
		} else {
			// First poll: every blob is new (emit existing) or the starting point (nothing changed).
			this.previousHorizon = options.emitExisting ? -Infinity : Infinity;
			this.previousWindow = FingerprintSet.empty(VERSION_FINGERPRINT_BYTES);
			this.previousKnown = { has: () => false };
		}
		this.windowStart = Math.min(this.previousHorizon, this.horizonCandidate);
	}

	/** One listed blob that matches the trigger's prefix and filter. */
	add(blob: ListedBlob<T>): void {
		let nameFingerprintCache: Buffer | undefined;
		const fingerprintOfName = () => (nameFingerprintCache ??= nameFingerprint(blob.name));
		if (this.keepNames) this.currentNames.push(blob.name);
		else this.currentNameFingerprints.push(fingerprintOfName());
		this.listedNames?.add(blob.name);
		if (blob.lastModified < this.windowStart) return;
		const fingerprint = versionFingerprint(blob.name, blob.etag);
		const changed = blob.lastModified >= this.previousHorizon && !this.previousWindow.has(fingerprint);
		this.windowEntries.push({ fingerprint, lastModified: blob.lastModified, changed, name: blob.name });
		if (changed) {
			const type = this.previousKnown.has(blob.name, fingerprintOfName) ? 'updated' : 'created';
			this.changes.push({ type, name: blob.name, blob });
		}
	}

	finish(): DetectionResult<T> {
		const { events, maxEvents } = this.options;
		const all = [...this.changes];
		const previousNames = this.previousKnown.names;
		if (this.listedNames && previousNames) {
			for (const name of previousNames) if (!this.listedNames.has(name)) all.push({ type: 'deleted', name });
		}
		// Changes of types nobody watches are taken in silently; the others are reported, up to the cap.
		const reportable = all.filter((change) => events.has(change.type)).sort(compareChanges);
		const reported = reportable.slice(0, maxEvents);
		const deferred = reportable.slice(maxEvents);

		let horizon = this.horizonCandidate;
		const deferredVersions = new Set<string>();
		const deferredCreated = new Set<string>();
		const deferredDeleted: string[] = [];
		for (const change of deferred) {
			if (change.type === 'deleted') {
				deferredDeleted.push(change.name);
				continue;
			}
			horizon = Math.min(horizon, change.blob!.lastModified);
			deferredVersions.add(change.name);
			if (change.type === 'created') deferredCreated.add(change.name);
		}
		const window = FingerprintSet.of(
			this.windowEntries
				.filter((entry) => entry.lastModified >= horizon && !(entry.changed && deferredVersions.has(entry.name)))
				.map((entry) => entry.fingerprint),
			VERSION_FINGERPRINT_BYTES,
		);

		const state: PollState = { v: POLL_STATE_VERSION, scope: this.options.scope, horizon, window: window.encode(), count: 0 };
		if (this.keepNames) {
			const names = this.currentNames.filter((name) => !deferredCreated.has(name)).concat(deferredDeleted);
			state.names = encodeNames(names);
			state.count = names.length;
		} else {
			const excluded = FingerprintSet.of([...deferredCreated].map(nameFingerprint), NAME_FINGERPRINT_BYTES);
			const known = FingerprintSet.of(
				this.currentNameFingerprints.filter((fp) => !excluded.has(fp)),
				NAME_FINGERPRINT_BYTES,
			);
			state.nameFingerprints = known.encode();
			state.count = known.size;
		}
		return { changes: reported, deferred: deferred.length, firstPoll: this.firstPoll, state };
	}
}
