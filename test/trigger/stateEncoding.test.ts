/** The compact encodings the polling trigger keeps in n8n's static data. */
import { FingerprintSet, nameFingerprint, NAME_FINGERPRINT_BYTES } from '../../nodes/AzureBlobStorage/trigger/fingerprints';
import { decodeNames, encodeNames } from '../../nodes/AzureBlobStorage/trigger/nameList';
import { decodePollState, readPollState } from '../../nodes/AzureBlobStorage/trigger/pollState';

describe('fingerprint sets', () => {
	it('answer membership after a JSON round trip and take exactly 8 base64 characters per 6-byte fingerprint', () => {
		const names = Array.from({ length: 3000 }, (_, i) => `folder/${i}.csv`);
		const set = FingerprintSet.of(names.map(nameFingerprint), NAME_FINGERPRINT_BYTES);
		const encoded = JSON.parse(JSON.stringify(set.encode())) as string;
		expect(encoded).toHaveLength(3000 * 8);
		const decoded = FingerprintSet.decode(encoded, NAME_FINGERPRINT_BYTES)!;
		expect(decoded.size).toBe(3000);
		expect(names.every((name) => decoded.has(nameFingerprint(name)))).toBe(true);
		expect(decoded.has(nameFingerprint('folder/3000.csv'))).toBe(false);
		expect(decoded.has(nameFingerprint('other'))).toBe(false);
	});

	it('drop duplicates and refuse text that is not a sorted set', () => {
		const a = nameFingerprint('a');
		expect(FingerprintSet.of([a, a], NAME_FINGERPRINT_BYTES).size).toBe(1);
		expect(FingerprintSet.decode(Buffer.concat([a, a]).toString('base64'), NAME_FINGERPRINT_BYTES)).toBeUndefined();
		expect(FingerprintSet.decode('abc', NAME_FINGERPRINT_BYTES)).toBeUndefined();
		expect(FingerprintSet.decode(42, NAME_FINGERPRINT_BYTES)).toBeUndefined();
		expect(FingerprintSet.decode('', NAME_FINGERPRINT_BYTES)?.size).toBe(0);
	});
});

describe('name lists', () => {
	it('give back exactly the names, sorted, including Unicode, spaces and long names', () => {
		const names = ['b/2.csv', 'a/1.csv', 'a/1.csv', 'ä/ñ 文件.txt', 'a/10.csv', 'x'.repeat(1024), 'a/🙂.png'];
		const decoded = decodeNames(JSON.parse(JSON.stringify(encodeNames(names))));
		expect(decoded).toEqual([...new Set(names)].sort((p, q) => Buffer.compare(Buffer.from(p), Buffer.from(q))));
		expect(decodeNames(encodeNames([]))).toEqual([]);
	});

	it('store names in folders in a few bytes each', () => {
		const names = Array.from({ length: 10_000 }, (_, i) => `incoming/2024/${String(i % 12).padStart(2, '0')}/invoice-${String(i).padStart(6, '0')}.pdf`);
		const bytes = encodeNames(names).length;
		expect(bytes / names.length).toBeLessThan(4);
	});

	it('refuse text that is not such a list', () => {
		expect(decodeNames('not base64!')).toBeUndefined();
		expect(decodeNames(Buffer.from('garbage').toString('base64'))).toBeUndefined();
		expect(decodeNames(undefined)).toBeUndefined();
	});
});

describe('stored state', () => {
	it('is read only when it has the shape this version writes', () => {
		expect(readPollState(undefined)).toBeUndefined();
		expect(readPollState({ v: 2, scope: 's', horizon: 1, window: '', nameFingerprints: '' })).toBeUndefined();
		expect(readPollState({ v: 1, scope: 's', horizon: 'soon', window: '', nameFingerprints: '' })).toBeUndefined();
		const state = readPollState({ v: 1, scope: 's', horizon: 1, window: '', nameFingerprints: '', count: 0 });
		expect(state).toBeDefined();
		expect(decodePollState(state!)).toMatchObject({ scope: 's', horizon: 1 });
		expect(decodePollState({ ...state!, names: 'broken!' })).toBeUndefined();
	});
});
