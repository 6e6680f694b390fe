/**
 * Blob names, exactly: every legal special-character class survives the trip through n8n, the
 * SDK, the URL and Azure unchanged (uploaded by the node, listed by the raw SDK and by the node,
 * downloaded by name and by URL with identical bytes, deleted by name alone); and names that a
 * URL would resolve to another blob are refused without touching anything.
 */
import { createHash, randomBytes } from 'crypto';
import type { INodeExecutionData } from 'n8n-workflow';

import { createContainer, sdk } from '../helpers/fixtures';
import { byName, byUrl, fileItem } from '../helpers/params';
import { allCredentials, expectNoSecrets, exposedTexts, runWith, type Cred } from './trustSupport';

/* ------------------------------------------------------------------ legal names */

const SPECIALS = ['#', '?', '%', '&', '+', '=', ';', '@', "'", '"', '<', '>', '*', '|', ':', '~', '!', '$', ',', '[', ']', '{', '}', '^', '`'];

const LEGAL: Array<[string, string]> = [
	['a space inside', 'with space.txt'],
	['spaces in folder and file', 'my folder/my file name.txt'],
	...SPECIALS.map((c): [string, string] => [`the character ${c}`, `char ${c} mid${c}end.txt`]),
	['every special character at once', `all #?%&+=;@'"<>*|:~!$,[]{}^\`.txt`],
	['a leading "="', '=starts-with-equals.txt'],
	['a leading "#"', '#hash-first'],
	['a leading "?"', '?question-first'],
	['percent sequences kept literally', '100% done %20 %2F %2e%2e %zz.txt'],
	['a literal "%2e%2e" segment', 'dir/%2e%2e/file.txt'],
	['accents', 'café/résumé naïve.txt'],
	['CJK', '日本語/ファイル名.txt'],
	['emoji', '😀 emoji 🎉/party.txt'],
	['a combining mark (NFD, not normalised)', 'e\u0301clair de\u0301composé.txt'],
	['right-to-left text', 'שלום/مرحبا.txt'],
	['a leading dot', '.hidden'],
	['a dot-file in a folder', 'folder/.env'],
	['two dots inside', 'a..b'],
	['dots in folder and file', 'x.y/z.w'],
	['a segment starting with ".."', '..dots-first/file'],
	['three dots then text', '...x'],
	['mixed case', 'MiXeD/CaSe.TXT'],
	['1,024 characters', `long/${'n'.repeat(1024 - 5)}`],
	['254 path segments', Array.from({ length: 254 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('/')],
];

/** Test-title rows: what the name shows, the name shortened for the title, the name. */
const ROWS = LEGAL.map(([what, name]) => [what, name.length > 40 ? `${name.slice(0, 37)}...` : name, name] as const);

function contentFor(index: number, name: string): Buffer {
	return Buffer.concat([Buffer.from(`${index}:${name}\n`, 'utf8'), randomBytes(64 + index)]);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const encodePath = (name: string) => name.split('/').map(encodeURIComponent).join('/');

let cred: Cred;
let main: string;
let other: string;
const contents = new Map<string, Buffer>();

async function storedNames(container: string): Promise<string[]> {
	const names: string[] = [];
	for await (const blob of sdk().getContainerClient(container).listBlobsFlat()) names.push(blob.name);
	return names.sort();
}

function run(parameters: Record<string, unknown>, items?: INodeExecutionData[]) {
	return runWith(cred, parameters, { items });
}

function bytesOf(item: INodeExecutionData): Buffer {
	return Buffer.from(item.binary!.data.data, 'base64');
}

beforeAll(async () => {
	// SAS URL: the credential whose URL handling (token appended to every blob URL) is the most
	// likely to get a name wrong; the raw SDK checks use Shared Key.
	cred = allCredentials().sasUrl;
	[main, other] = await Promise.all([createContainer('trust-names'), createContainer('trust-names-other')]);
	LEGAL.forEach(([, name], i) => contents.set(name, contentFor(i, name)));
	// One node run uploads every name: item i carries name i and its bytes.
	const { result } = await run(
		{ resource: 'blob', operation: 'upload', container: byName(main), blobName: '={{ $json.name }}', ifExists: 'fail' },
		LEGAL.map(([, name]) => fileItem(contents.get(name)!, 'upload.bin', 'application/octet-stream', { name })),
	);
	if (result.error) throw new Error(`upload failed: ${result.error.message}`);
	expect(result.items.map((i) => i.json.name)).toEqual(LEGAL.map(([, name]) => name));
	expectNoSecrets(exposedTexts(result), cred.secrets);
}, 60_000);

describe('legal names round-trip exactly', () => {
	it('Azure stores exactly the names uploaded, nothing more, nothing rewritten', async () => {
		expect(await storedNames(main)).toEqual(LEGAL.map(([, name]) => name).sort());
	});

	it('Get Many lists exactly those names, each with a URL that leads back to it', async () => {
		const { result } = await run({ resource: 'blob', operation: 'getAll', container: byName(main), returnAll: true, options: { pageSize: 7 } });
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json.name).sort()).toEqual(LEGAL.map(([, name]) => name).sort());
		for (const item of result.items) expect(item.json.url).toBe(`${new URL(cred.data.sasUrl as string).origin}/devstoreaccount1/${main}/${encodePath(String(item.json.name))}`);
		expectNoSecrets(exposedTexts(result), cred.secrets);
	});

	it.each(ROWS)('%s (%j): listed by prefix, downloaded by name, by URL and by the listed URL with identical bytes', async (_what, _short, name) => {
		const expected = sha256(contents.get(name)!);

		const listed = await run({ resource: 'blob', operation: 'getAll', container: byName(main), prefix: '={{ $json.name }}', returnAll: true }, [{ json: { name } }]);
		expect(listed.result.error).toBeUndefined();
		const names = listed.result.items.map((i) => String(i.json.name));
		expect(names).toContain(name);
		for (const n of names) expect(n.startsWith(name)).toBe(true);
		const listedUrl = String(listed.result.items.find((i) => i.json.name === name)!.json.url);

		const byNameRun = await run({ resource: 'blob', operation: 'download', container: byName(main), blob: byName('={{ $json.name }}') }, [{ json: { name } }]);
		expect(byNameRun.result.error).toBeUndefined();
		expect(byNameRun.result.items[0].json.name).toBe(name);
		expect(sha256(bytesOf(byNameRun.result.items[0]))).toBe(expected);

		const url = `${new URL(cred.data.sasUrl as string).origin}/devstoreaccount1/${main}/${encodePath(name)}`;
		const byUrlRun = await run({ resource: 'blob', operation: 'download', container: byName(main), blob: byUrl('={{ $json.url }}') }, [{ json: { url } }, { json: { url: listedUrl } }]);
		expect(byUrlRun.result.error).toBeUndefined();
		expect(byUrlRun.result.items.map((i) => i.json.name)).toEqual([name, name]);
		expect(byUrlRun.result.items.map((i) => sha256(bytesOf(i)))).toEqual([expected, expected]);
		expect(byUrlRun.result.items[0].binary!.data.fileName).toBe(name.split('/').pop());

		expectNoSecrets({ ...exposedTexts(listed.result), ...exposedTexts(byNameRun.result), url: JSON.stringify(byUrlRun.result.items.map((i) => i.json)) }, cred.secrets);
	});
});

/* ------------------------------------------------------------------ refused names touch nothing */

interface Snapshot {
	[key: string]: { etag?: string; size?: number; md5?: string };
}

/** Every blob of the containers with its ETag (which any write changes), size and MD5. */
async function snapshot(...containers: string[]): Promise<Snapshot> {
	const result: Snapshot = {};
	for (const container of containers) {
		for await (const blob of sdk().getContainerClient(container).listBlobsFlat()) {
			const md5 = blob.properties.contentMD5;
			result[`${container}/${blob.name}`] = {
				etag: blob.properties.etag,
				size: blob.properties.contentLength,
				md5: md5 ? Buffer.from(md5).toString('base64') : undefined,
			};
		}
	}
	return result;
}

/** How each bad name reaches the node. */
type Way = 'Upload Blob Name (Overwrite)' | 'Upload file name (Blob Name empty, Overwrite)' | 'Upload From URL Blob Name (Overwrite)' | 'Delete by name' | 'Delete By URL' | 'Download By URL';

const WAYS: Way[] = ['Upload Blob Name (Overwrite)', 'Upload file name (Blob Name empty, Overwrite)', 'Upload From URL Blob Name (Overwrite)', 'Delete by name', 'Delete By URL', 'Download By URL'];

interface BadName {
	label: string;
	name: (other: string) => string;
	/** The container the operation names: the round-trip one (main) or the seeded one (other). */
	in: 'main' | 'other';
	/** The path after the container in a pasted Blob URL. */
	path: (other: string) => string;
	/** A second URL spelling of a name already covered: only the By URL ways use it. */
	urlOnly?: boolean;
	problem: string;
}

const DOTS = 'has a "." or ".." path segment';
const BAD: BadName[] = [
	{ label: '"../<other container>/x"', name: (o) => `../${o}/x`, in: 'main', path: (o) => `../${o}/x`, problem: DOTS },
	{ label: '"../<other container>/x" spelled %2e%2e', name: (o) => `../${o}/x`, in: 'main', path: (o) => `%2e%2e/${o}/x`, urlOnly: true, problem: DOTS },
	{ label: '"a/./b"', name: () => 'a/./b', in: 'other', path: () => 'a/./b', problem: DOTS },
	{ label: '"a/../b"', name: () => 'a/../b', in: 'other', path: () => 'a/../b', problem: DOTS },
	{ label: '"a\\b"', name: () => 'a\\b', in: 'other', path: () => 'a%5Cb', problem: 'has a backslash' },
	{ label: '"a\\b" with a raw backslash in the URL', name: () => 'a\\b', in: 'other', path: () => 'a\\b', urlOnly: true, problem: 'has a backslash' },
	{ label: '" a"', name: () => ' a', in: 'other', path: () => '%20a', problem: 'starts or ends with a space' },
	{ label: '"a "', name: () => 'a ', in: 'other', path: () => 'a%20', problem: 'starts or ends with a space' },
	{ label: '"a//b"', name: () => 'a//b', in: 'other', path: () => 'a//b', problem: 'has an empty path segment' },
];

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The message a refusal starts with: the field as the user sees it, the name as typed, the problem. */
function expectedMessage(way: Way, name: string, path: string, problem: string): RegExp {
	if (way.endsWith('By URL')) {
		if (path.includes('\\')) return /^Blob URL has a backslash \(\\\) in its path/;
		return new RegExp(`^${esc(`Blob name in the Blob URL ${JSON.stringify(name)} ${problem}`)}`);
	}
	const field =
		way === 'Upload file name (Blob Name empty, Overwrite)'
			? 'Blob Name (empty, so the file name of the input binary was used)'
			: way === 'Delete by name'
				? 'Blob'
				: 'Blob Name';
	return new RegExp(`^${esc(`${field} ${JSON.stringify(name)} ${problem}`)}`);
}

function paramsFor(way: Way, name: string, container: string, path: string, endpoint: string): { parameters: Record<string, unknown>; items?: INodeExecutionData[] } {
	const url = `${endpoint}/${container}/${path}`;
	switch (way) {
		case 'Upload Blob Name (Overwrite)':
			return { parameters: { resource: 'blob', operation: 'upload', container: byName(container), blobName: '={{ $json.name }}', inputDataType: 'text', textContent: 'ATTACK', ifExists: 'overwrite' }, items: [{ json: { name } }] };
		case 'Upload file name (Blob Name empty, Overwrite)':
			return { parameters: { resource: 'blob', operation: 'upload', container: byName(container), blobName: '', ifExists: 'overwrite' }, items: [fileItem(Buffer.from('ATTACK'), name, 'text/plain')] };
		case 'Upload From URL Blob Name (Overwrite)':
			return {
				parameters: { resource: 'blob', operation: 'uploadFromUrl', container: byName(container), blobName: '={{ $json.name }}', sourceUrl: `${endpoint}/${main}/with%20space.txt`, ifExists: 'overwrite' },
				items: [{ json: { name } }],
			};
		case 'Delete by name':
			return { parameters: { resource: 'blob', operation: 'delete', container: byName(container), blob: byName('={{ $json.name }}') }, items: [{ json: { name } }] };
		case 'Delete By URL':
			return { parameters: { resource: 'blob', operation: 'delete', container: byName(container), blob: byUrl('={{ $json.url }}') }, items: [{ json: { url } }] };
		case 'Download By URL':
			return { parameters: { resource: 'blob', operation: 'download', container: byName(container), blob: byUrl('={{ $json.url }}') }, items: [{ json: { url } }] };
	}
}

describe('names a URL would turn into another blob are refused and nothing is touched', () => {
	let before: Snapshot;
	const otherX = Buffer.from(`other container's x ${randomBytes(8).toString('hex')}`);

	beforeAll(async () => {
		const o = sdk().getContainerClient(other);
		await Promise.all([
			o.getBlockBlobClient('x').uploadData(otherX),
			o.getBlockBlobClient('a').uploadData(Buffer.from('a')),
			o.getBlockBlobClient('a/b').uploadData(Buffer.from('a/b')),
			o.getBlockBlobClient('b').uploadData(Buffer.from('b')),
		]);
	});

	beforeEach(async () => {
		before = await snapshot(main, other);
	});

	const rows = WAYS.flatMap((way) =>
		BAD.filter((bad) => way.endsWith('By URL') || !bad.urlOnly).map((bad) => [way, bad.label, bad] as const),
	);
	it.each(rows)('%s: %s is refused, naming the field, and both containers are unchanged', async (way, _label, bad) => {
		const container = bad.in === 'main' ? main : other;
		const name = bad.name(other);
		const path = bad.path(other);
		const endpoint = `${new URL(cred.data.sasUrl as string).origin}/devstoreaccount1`;
		const { parameters, items } = paramsFor(way, name, container, path, endpoint);
		const started = Date.now();
		const { result } = await run(parameters, items);
		expect({ name: result.error?.name, message: result.error?.message }).toEqual({
			name: 'NodeOperationError',
			message: expect.stringMatching(expectedMessage(way, name, path, bad.problem)),
		});
		expect(Date.now() - started).toBeLessThan(2_000);
		expect(result.items).toEqual([]);
		expectNoSecrets(exposedTexts(result), cred.secrets);
		expect(await snapshot(main, other)).toEqual(before);
		expect((await sdk().getContainerClient(other).getBlobClient('x').downloadToBuffer()).equals(otherX)).toBe(true);
	});
});

/* ------------------------------------------------------------------ delete by name removes exactly that blob */

describe('Delete by name removes exactly the blob named', () => {
	const remaining = new Set<string>();
	beforeAll(() => LEGAL.forEach(([, name]) => remaining.add(name)));

	it.each(ROWS)('%s (%j): deleted alone, every other name still there', async (_what, _short, name) => {
		const { result } = await run({ resource: 'blob', operation: 'delete', container: byName(main), blob: byName('={{ $json.name }}') }, [{ json: { name } }]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ name, deleted: true });
		remaining.delete(name);
		expect(await storedNames(main)).toEqual([...remaining].sort());
		expectNoSecrets(exposedTexts(result), cred.secrets);
	});
});
