/** What a user sees from each blob operation, executed by the real n8n engine against Azurite. */
import { runNode } from '../helpers/engine';
import { AZURITE_KEY } from '../helpers/azurite';
import { blobEndpoint, createContainer, credentialCases, sdk, using } from '../helpers/fixtures';
import { byName, byUrl, fileItem, sha256 } from '../helpers/params';

const sharedKeyCase = credentialCases()[0];
const { credentials, authentication } = using(sharedKeyCase);

function run(parameters: Record<string, unknown>, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({ credentials, parameters: { authentication, ...parameters } as never, ...extra });
}

async function putBlob(container: string, name: string, content: string | Buffer) {
	const data = typeof content === 'string' ? Buffer.from(content) : content;
	await sdk().getContainerClient(container).getBlockBlobClient(name).uploadData(data);
}

describe('Get Many (list blobs)', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('list');
		await Promise.all(
			Array.from({ length: 12 }, (_, i) => putBlob(container, `logs/${String(i).padStart(2, '0')}.txt`, `line ${i}`)),
		);
		await putBlob(container, 'other/readme.md', '# hi');
	});

	it('returns all 13 blobs across pages of 5 with Return All', async () => {
		const { items, error } = await run({
			resource: 'blob',
			operation: 'getAll',
			container: byName(container),
			returnAll: true,
			options: { pageSize: 5 },
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(13);
		expect(new Set(items.map((i) => i.json.name)).size).toBe(13);
	});

	it('stops at the limit even when it falls inside the second page', async () => {
		const { items } = await run({
			resource: 'blob',
			operation: 'getAll',
			container: byName(container),
			returnAll: false,
			limit: 7,
			options: { pageSize: 5 },
		});
		expect(items.map((i) => i.json.name)).toEqual(
			Array.from({ length: 7 }, (_, i) => `logs/${String(i).padStart(2, '0')}.txt`),
		);
	});

	it('lists only one "folder" with a prefix and describes each blob', async () => {
		const { items } = await run({
			resource: 'blob',
			operation: 'getAll',
			container: byName(container),
			prefix: 'other/',
			returnAll: true,
		});
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			name: 'other/readme.md',
			container,
			size: 4,
			url: `${blobEndpoint()}/${container}/other/readme.md`,
			accessTier: 'Hot',
			blobType: 'BlockBlob',
		});
		expect(items[0].json.etag).toEqual(expect.any(String));
		expect(items[0].json.lastModified).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
	});

	it('adds metadata and tags when asked', async () => {
		await sdk()
			.getContainerClient(container)
			.getBlockBlobClient('tagged.txt')
			.uploadData(Buffer.from('x'), { metadata: { owner: 'finance' }, tags: { project: 'apollo' } });
		const { items } = await run({
			resource: 'blob',
			operation: 'getAll',
			container: byName(container),
			prefix: 'tagged',
			returnAll: true,
			options: { includeMetadata: true, includeTags: true },
		});
		expect(items[0].json).toMatchObject({ metadata: { owner: 'finance' }, tags: { project: 'apollo' } });
	});

	it('pairs every listed blob with the input item that asked for it', async () => {
		const { items } = await run(
			{ resource: 'blob', operation: 'getAll', container: byName(container), prefix: '={{ $json.prefix }}', returnAll: true },
			{ items: [{ json: { prefix: 'other/' } }, { json: { prefix: 'logs/0' } }] },
		);
		expect(items.map((i) => [i.json.name, i.pairedItem])).toEqual([
			['other/readme.md', { item: 0 }],
			...Array.from({ length: 10 }, (_, i) => [`logs/0${i}.txt`, { item: 1 }]),
		]);
	});
});

describe('Upload and Download', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('updown');
	});

	it('round-trips a binary file: same bytes, file name and MIME type', async () => {
		const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
		const uploaded = await run(
			{ resource: 'blob', operation: 'upload', container: byName(container) },
			{ items: [fileItem(content, 'photo.png', 'image/png')] },
		);
		expect(uploaded.error).toBeUndefined();
		expect(uploaded.items[0].json).toMatchObject({ name: 'photo.png', size: content.length, contentType: 'image/png' });
		expect(uploaded.items[0].json.contentMD5).toBe(require('crypto').createHash('md5').update(content).digest('base64'));

		const downloaded = await run({
			resource: 'blob',
			operation: 'download',
			container: byName(container),
			blob: byName('photo.png'),
			binaryPropertyName: 'file',
		});
		expect(downloaded.error).toBeUndefined();
		const binary = downloaded.items[0].binary!.file;
		expect(sha256(Buffer.from(binary.data, 'base64'))).toBe(sha256(content));
		expect(binary.fileName).toBe('photo.png');
		expect(binary.mimeType).toBe('image/png');
		expect(downloaded.items[0].json).toMatchObject({ name: 'photo.png', size: content.length, contentType: 'image/png' });
	});

	it('uploads text with metadata, tags, tier and content type', async () => {
		const { items, error } = await run({
			resource: 'blob',
			operation: 'upload',
			container: byName(container),
			blobName: 'notes/today.md',
			inputDataType: 'text',
			textContent: '# Today',
			options: {
				contentType: 'text/markdown',
				accessTier: 'Cool',
				metadata: { entries: [{ name: 'author', value: 'ada' }] },
				tags: { entries: [{ name: 'stage', value: 'draft' }] },
			},
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'notes/today.md', size: 7, contentType: 'text/markdown' });
		const blob = sdk().getContainerClient(container).getBlobClient('notes/today.md');
		const properties = await blob.getProperties();
		expect(properties.metadata).toEqual({ author: 'ada' });
		expect(properties.accessTier).toBe('Cool');
		expect((await blob.getTags()).tags).toEqual({ stage: 'draft' });
	});

	it('downloads a blob chosen by URL, keeping metadata in the output', async () => {
		await sdk()
			.getContainerClient(container)
			.getBlockBlobClient('by-url/data.json')
			.uploadData(Buffer.from('{"a":1}'), { metadata: { source: 'erp' }, blobHTTPHeaders: { blobContentType: 'application/json' } });
		const { items, error } = await run({
			resource: 'blob',
			operation: 'download',
			container: byName(container),
			blob: byUrl(`${blobEndpoint()}/${container}/by-url/data.json`),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'by-url/data.json', metadata: { source: 'erp' }, contentType: 'application/json' });
		expect(Buffer.from(items[0].binary!.data.data, 'base64').toString()).toBe('{"a":1}');
		expect(items[0].binary!.data.fileName).toBe('data.json');
	});

	it('refuses a blob URL of another storage account', async () => {
		const { error } = await run({
			resource: 'blob',
			operation: 'download',
			container: byName(container),
			blob: byUrl('https://otheraccount.blob.core.windows.net/c1/x.txt'),
		});
		expect(error?.message).toBe('Blob URL points at storage account "otheraccount" but the credential is for "devstoreaccount1"');
	});
});

describe('If Blob Exists', () => {
	let container: string;
	const upload = (ifExists: string, text: string) =>
		run({
			resource: 'blob',
			operation: 'upload',
			container: byName(container),
			blobName: 'same.txt',
			inputDataType: 'text',
			textContent: text,
			ifExists,
		});
	const current = async () => (await sdk().getContainerClient(container).getBlobClient('same.txt').downloadToBuffer()).toString();

	beforeAll(async () => {
		container = await createContainer('exists');
		await putBlob(container, 'same.txt', 'original');
	});

	it('fails by default and leaves the blob untouched, saying how to proceed', async () => {
		const { error } = await upload('fail', 'second');
		expect(error?.message).toBe(`Blob "same.txt" already exists in container "${container}"`);
		expect(error?.description).toContain('If Blob Exists');
		expect(await current()).toBe('original');
	});

	it('skips: keeps the blob and outputs it with skipped: true', async () => {
		const { items, error } = await upload('skip', 'third');
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'same.txt', skipped: true, size: 8 });
		expect(await current()).toBe('original');
	});

	it('overwrites when asked', async () => {
		const { items, error } = await upload('overwrite', 'replaced');
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'same.txt', size: 8 });
		expect(await current()).toBe('replaced');
	});

	it('creates the blob under "fail" when it does not exist yet', async () => {
		await sdk().getContainerClient(container).getBlobClient('same.txt').delete();
		const { items, error } = await upload('fail', 'fresh');
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'same.txt', size: 5 });
		expect(await current()).toBe('fresh');
	});
});

describe('Delete', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('delete');
	});

	it('reports a missing blob as an error by default', async () => {
		const { error } = await run({ resource: 'blob', operation: 'delete', container: byName(container), blob: byName('ghost.txt') });
		expect(error?.message).toBe(`Blob "ghost.txt" does not exist in container "${container}"`);
		expect(error?.description).toContain('Azure error code: BlobNotFound');
		expect(error?.httpCode).toBe('404');
	});

	it('succeeds with deleted: false when "Succeed If Blob Does Not Exist" is on', async () => {
		const { items, error } = await run({
			resource: 'blob',
			operation: 'delete',
			container: byName(container),
			blob: byName('ghost.txt'),
			options: { ignoreMissing: true },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'ghost.txt', deleted: false, existed: false });
	});

	it('deletes a blob with snapshots only when "Delete Snapshots" is on', async () => {
		const blob = sdk().getContainerClient(container).getBlockBlobClient('snap.txt');
		await blob.uploadData(Buffer.from('v1'));
		await blob.createSnapshot();
		const refused = await run({ resource: 'blob', operation: 'delete', container: byName(container), blob: byName('snap.txt') });
		expect(refused.error?.message).toBe('Blob "snap.txt" has snapshots');
		expect(await blob.exists()).toBe(true);

		const done = await run({
			resource: 'blob',
			operation: 'delete',
			container: byName(container),
			blob: byName('snap.txt'),
			options: { deleteSnapshots: true },
		});
		expect(done.items[0].json).toMatchObject({ deleted: true });
		expect(await blob.exists()).toBe(false);
	});
});

describe('invalid input is reported before any request, naming the field', () => {
	it.each([
		[{ resource: 'blob', operation: 'getAll', container: byName('={{ "Bad_Name" }}') }, /^Container "Bad_Name" has upper-case letters/],
		[{ resource: 'blob', operation: 'getAll', container: byName('={{ "ab" }}') }, /^Container "ab" has 2 characters/],
		[
			{ resource: 'blob', operation: 'download', container: byName('fine-name'), blob: byName('x'.repeat(1025)) },
			/^Blob has 1025 characters; blob names have at most 1024/,
		],
		[
			{ resource: 'blob', operation: 'upload', container: byName('fine-name'), blobName: 'a.txt', binaryPropertyName: 'file' },
			/^Input Binary Field "file" is not on the input item/,
		],
		[
			{
				resource: 'blob',
				operation: 'upload',
				container: byName('fine-name'),
				blobName: 'a.txt',
				inputDataType: 'text',
				options: { metadata: { entries: [{ name: 'bad-key', value: 'x' }] } },
			},
			/^Metadata name "bad-key" is not a valid metadata name/,
		],
		[{ resource: 'container', operation: 'create', containerName: 'UPPER' }, /^Container Name "UPPER" has upper-case letters/],
	])('%#: %j', async (parameters, message) => {
		const { error } = await run(parameters);
		expect(error?.message).toMatch(message);
	});

	it('refuses a literal invalid container name before any request, naming the field (no editor regex n8n could time out)', async () => {
		const { error } = await run({ resource: 'blob', operation: 'getAll', container: byName('Bad_Name') });
		expect(error?.message).toBe('Container "Bad_Name" has upper-case letters; container names are lower case only');
		expect(error?.description).toContain('3 to 63 lower-case letters, digits and single hyphens');
	});

	it('says what binary fields the item does have', async () => {
		const { error } = await run(
			{ resource: 'blob', operation: 'upload', container: byName('fine-name'), binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { attachment_0: { data: 'aGk=', mimeType: 'text/plain', fileName: 'a.txt' } } }] },
		);
		expect(error?.description).toContain('attachment_0');
	});

	it('rejects an empty account key in the credential', async () => {
		const { error } = await runNode({
			credentials: { [sharedKeyCase.type]: { ...sharedKeyCase.data, accountKey: '' } },
			parameters: { authentication, resource: 'container', operation: 'getAll', returnAll: true },
		});
		expect(error?.message).toBe('Account Key is empty in the credential');
		expect(error?.description).toContain('Access keys');
	});
});

describe('authentication failures', () => {
	it('reports a wrong account key as an authentication error without revealing the key', async () => {
		const wrongKey = Buffer.alloc(64, 7).toString('base64');
		const { error } = await runNode({
			credentials: { [sharedKeyCase.type]: { ...sharedKeyCase.data, accountKey: wrongKey } },
			parameters: { authentication, resource: 'container', operation: 'getAll', returnAll: true },
		});
		expect(error?.message).toBe('Azure rejected the credential: the signature or token is not valid');
		expect(error?.description).toContain('HTTP status: 403');
		const everything = JSON.stringify(error);
		expect(everything).not.toContain(wrongKey);
		expect(everything).not.toContain(AZURITE_KEY);
	});
});

describe('Continue On Fail', () => {
	it('runs the good items, puts the error on the bad one and keeps pairing', async () => {
		const container = await createContainer('cof');
		const { items, error } = await run(
			{
				resource: 'blob',
				operation: 'upload',
				container: byName('={{ $json.container }}'),
				blobName: '={{ $json.name }}',
				inputDataType: 'text',
				textContent: 'x',
			},
			{
				continueOnFail: true,
				items: [
					{ json: { container, name: 'first.txt' } },
					{ json: { container: 'Not-Valid!', name: 'second.txt' } },
					{ json: { container, name: 'third.txt' } },
				],
			},
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(3);
		expect(items[0].json).toMatchObject({ name: 'first.txt' });
		expect(items[1].json.error).toMatch(/^Container "Not-Valid!" has upper-case letters/);
		expect(items[2].json).toMatchObject({ name: 'third.txt' });
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(await sdk().getContainerClient(container).getBlobClient('third.txt').exists()).toBe(true);
	});

	it('carries Azure\'s code, status and request id on the failed item', async () => {
		const { items } = await run(
			{ resource: 'blob', operation: 'delete', container: byName('no-such-container'), blob: byName('x') },
			{ continueOnFail: true },
		);
		expect(items[0].json).toMatchObject({
			error: 'Container "no-such-container" does not exist in this storage account',
			code: 'ContainerNotFound',
			httpCode: '404',
			requestId: expect.any(String),
		});
	});
});
