/**
 * A compact list of blob names for n8n's static data, needed only to report deleted blobs by
 * name (a fingerprint cannot be turned back into the name of a blob that is gone). Names are
 * sorted, each stored as "length of the prefix shared with the previous name, then the rest"
 * (front coding: blobs in the same folder share most of their name), and the result is
 * compressed with DEFLATE and written as base64.
 */
import { deflateRawSync, inflateRawSync } from 'zlib';

function writeVarint(out: number[], value: number): void {
	let rest = value;
	while (rest >= 0x80) {
		out.push((rest & 0x7f) | 0x80);
		rest = Math.floor(rest / 128);
	}
	out.push(rest);
}

function sharedPrefixBytes(a: Buffer, b: Buffer): number {
	const max = Math.min(a.length, b.length);
	let i = 0;
	while (i < max && a[i] === b[i]) i++;
	return i;
}

/** Sorts names by their UTF-8 bytes (deterministic, whatever the listing order was). */
function sortedUtf8(names: Iterable<string>): Buffer[] {
	return [...new Set(names)].map((name) => Buffer.from(name, 'utf8')).sort(Buffer.compare);
}

export function encodeNames(names: Iterable<string>): string {
	const sorted = sortedUtf8(names);
	const bytes: number[] = [];
	const chunks: Buffer[] = [];
	let previous: Buffer = Buffer.alloc(0);
	for (const name of sorted) {
		const shared = sharedPrefixBytes(previous, name);
		bytes.length = 0;
		writeVarint(bytes, shared);
		writeVarint(bytes, name.length - shared);
		chunks.push(Buffer.from(bytes), name.subarray(shared));
		previous = name;
	}
	return deflateRawSync(Buffer.concat(chunks), { level: 9 }).toString('base64');
}

/** The names written by `encodeNames`, sorted; undefined when the text is not such a list. */
export function decodeNames(text: unknown): string[] | undefined {
	if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
	let raw: Buffer;
	try {
		raw = inflateRawSync(Buffer.from(text, 'base64'));
	} catch {
		return undefined;
	}
	const names: string[] = [];
	let previous: Buffer = Buffer.alloc(0);
	let offset = 0;
	const readVarint = (): number | undefined => {
		let value = 0;
		let factor = 1;
		for (;;) {
			if (offset >= raw.length || factor > 2 ** 35) return undefined;
			const byte = raw[offset++];
			value += (byte & 0x7f) * factor;
			if (byte < 0x80) return value;
			factor *= 128;
		}
	};
	while (offset < raw.length) {
		const shared = readVarint();
		const rest = readVarint();
		if (shared === undefined || rest === undefined || shared > previous.length || offset + rest > raw.length) return undefined;
		const name = Buffer.concat([previous.subarray(0, shared), raw.subarray(offset, offset + rest)]);
		offset += rest;
		names.push(name.toString('utf8'));
		previous = name;
	}
	return names;
}
