/**
 * Compact sets of fixed-width fingerprints (truncated SHA-256), stored in n8n's static data as
 * one base64 string: sorted, without separators, so a set of n fingerprints of w bytes takes
 * exactly ceil(n * w / 3) * 4 characters of JSON. Lookups are a binary search in the buffer.
 */
import { createHash } from 'crypto';

/**
 * Bytes per blob-name fingerprint. 48 bits keep the chance that a new blob's name collides with
 * one of 100,000 known names at about 1 in 2.8 billion per new blob (n / 2^48).
 */
export const NAME_FINGERPRINT_BYTES = 6;
/** Bytes per blob-version fingerprint (name + ETag); these sets stay small, so be generous. */
export const VERSION_FINGERPRINT_BYTES = 8;

export function fingerprint(text: string, bytes: number): Buffer {
	return createHash('sha256').update(text, 'utf8').digest().subarray(0, bytes);
}

/** The fingerprint of one version of a blob: its name and ETag. */
export function versionFingerprint(name: string, etag: string): Buffer {
	return fingerprint(`${name}\n${etag}`, VERSION_FINGERPRINT_BYTES);
}

export function nameFingerprint(name: string): Buffer {
	return fingerprint(name, NAME_FINGERPRINT_BYTES);
}

export class FingerprintSet {
	private constructor(
		private readonly sorted: Buffer,
		readonly width: number,
	) {}

	/** A set from any fingerprints of `width` bytes (sorted and deduplicated here). */
	static of(fingerprints: Iterable<Buffer>, width: number): FingerprintSet {
		const list = [...fingerprints];
		for (const item of list) {
			if (item.length !== width) throw new Error(`A fingerprint has ${item.length} bytes, expected ${width}`);
		}
		list.sort(Buffer.compare);
		const unique: Buffer[] = [];
		for (const item of list) if (unique.length === 0 || !unique[unique.length - 1].equals(item)) unique.push(item);
		return new FingerprintSet(Buffer.concat(unique, unique.length * width), width);
	}

	/** Reads a set written by `encode`; undefined when the text is not such a set. */
	static decode(text: unknown, width: number): FingerprintSet | undefined {
		if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
		const bytes = Buffer.from(text, 'base64');
		if (bytes.length % width !== 0) return undefined;
		for (let offset = width; offset < bytes.length; offset += width) {
			// Each fingerprint must sort strictly after the one before it.
			if (bytes.compare(bytes, offset - width, offset, offset, offset + width) <= 0) return undefined;
		}
		return new FingerprintSet(bytes, width);
	}

	static empty(width: number): FingerprintSet {
		return new FingerprintSet(Buffer.alloc(0), width);
	}

	get size(): number {
		return this.sorted.length / this.width;
	}

	has(item: Buffer): boolean {
		let low = 0;
		let high = this.size - 1;
		while (low <= high) {
			const middle = (low + high) >>> 1;
			const start = middle * this.width;
			const order = this.sorted.compare(item, 0, this.width, start, start + this.width);
			if (order === 0) return true;
			if (order < 0) low = middle + 1;
			else high = middle - 1;
		}
		return false;
	}

	encode(): string {
		return this.sorted.toString('base64');
	}
}
