/**
 * What the polling trigger keeps between polls, in the workflow's static data for the node (so it
 * lives in n8n's database: it survives restarts and works in queue mode, where the main instance
 * runs the pollers). Everything is plain JSON; the per-blob parts are single base64 strings.
 *
 * - `horizon` (seconds since the epoch, Azure's clock): blobs last modified before it were all
 *   seen by an earlier listing and need no comparison.
 * - `window`: version fingerprints (name + ETag) of the blobs last modified at or after the
 *   horizon that were already reported or taken as the starting point. A blob modified at or
 *   after the horizon whose fingerprint is not there is new or changed.
 * - `nameFingerprints` or `names`: the blobs known to exist, to tell "created" from "updated"
 *   (6-byte fingerprints), or, when deletions are watched, their names (a deleted blob must be
 *   reported by name, and a fingerprint cannot be turned back into one).
 * - `scope`: a fingerprint of what is watched (account, container, prefix, depth, filter); when
 *   it changes, the state starts over as on first activation.
 * - `busyUntil`: set while a poll runs, so a poll that overlaps a slow one skips instead of
 *   reporting the same changes twice.
 */
import { FingerprintSet, NAME_FINGERPRINT_BYTES, VERSION_FINGERPRINT_BYTES } from './fingerprints';
import { decodeNames } from './nameList';

export const POLL_STATE_VERSION = 1;

export interface PollState {
	v: typeof POLL_STATE_VERSION;
	scope: string;
	horizon: number;
	window: string;
	nameFingerprints?: string;
	names?: string;
	/** How many blobs are known (for people reading the static data). */
	count: number;
	busyUntil?: number;
}

/** Which blobs are known to exist, however the state stores them. */
export interface KnownBlobs {
	has(name: string, nameFingerprint: () => Buffer): boolean;
	/** The names, when the state keeps them (needed to report deletions). */
	readonly names?: readonly string[];
}

export interface DecodedPollState {
	scope: string;
	horizon: number;
	window: FingerprintSet;
	known: KnownBlobs;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored state, or undefined when there is none or it is not one this version wrote. */
export function readPollState(stored: unknown): PollState | undefined {
	if (!isRecord(stored) || stored.v !== POLL_STATE_VERSION) return undefined;
	if (typeof stored.scope !== 'string' || typeof stored.window !== 'string') return undefined;
	if (typeof stored.horizon !== 'number' || !Number.isFinite(stored.horizon)) return undefined;
	if (stored.names === undefined && typeof stored.nameFingerprints !== 'string') return undefined;
	return stored as unknown as PollState;
}

/** Unpacks a stored state; undefined when a part of it cannot be read (it then starts over). */
export function decodePollState(state: PollState): DecodedPollState | undefined {
	const window = FingerprintSet.decode(state.window, VERSION_FINGERPRINT_BYTES);
	if (!window) return undefined;
	let known: KnownBlobs | undefined;
	if (state.names !== undefined) {
		const names = decodeNames(state.names);
		if (names) {
			const set = new Set(names);
			known = { has: (name) => set.has(name), names };
		}
	} else {
		const fingerprints = FingerprintSet.decode(state.nameFingerprints, NAME_FINGERPRINT_BYTES);
		if (fingerprints) known = { has: (_name, nameFingerprint) => fingerprints.has(nameFingerprint()) };
	}
	if (!known) return undefined;
	return { scope: state.scope, horizon: state.horizon, window, known };
}

/** The size of the state as n8n stores it (JSON text, in bytes). */
export function stateBytes(state: unknown): number {
	return Buffer.byteLength(JSON.stringify(state), 'utf8');
}
