/** Upload From URL: Azure copies server-side from a URL it can read (here a blob with a SAS). */
import { BlobSASPermissions } from '@azure/storage-blob';

import { runNode } from '../helpers/engine';
import { createContainer, credentialCases, sdk, using } from '../helpers/fixtures';
import { byName, sha256 } from '../helpers/params';

const { credentials, authentication } = using(credentialCases()[0]);
const run = (parameters: Record<string, unknown>) =>
	runNode({ credentials, parameters: { authentication, resource: 'blob', operation: 'uploadFromUrl', ...parameters } as never });

describe('Upload From URL', () => {
	let source: string;
	let target: string;
	let sourceSasUrl: string;
	const content = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 31) % 251));

	beforeAll(async () => {
		source = await createContainer('copy-src');
		target = await createContainer('copy-dst');
		const blob = sdk().getContainerClient(source).getBlockBlobClient('exports/data.bin');
		await blob.uploadData(content, { metadata: { origin: 'erp' }, blobHTTPHeaders: { blobContentType: 'application/x-test' } });
		sourceSasUrl = await blob.generateSasUrl({
			permissions: BlobSASPermissions.parse('r'),
			expiresOn: new Date(Date.now() + 3600_000),
		});
	});

	it('copies the source into a new blob with identical bytes, and the output hides the SAS', async () => {
		const { items, error } = await run({ container: byName(target), blobName: 'imported/data.bin', sourceUrl: sourceSasUrl });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			name: 'imported/data.bin',
			container: target,
			size: content.length,
			copyStatus: 'success',
			contentType: 'application/x-test',
			metadata: { origin: 'erp' },
		});
		expect(JSON.stringify(items)).not.toContain('sig=');
		const copied = await sdk().getContainerClient(target).getBlobClient('imported/data.bin').downloadToBuffer();
		expect(sha256(copied)).toBe(sha256(content));
	});

	it('refuses to replace an existing blob unless asked, and skips when asked', async () => {
		const existing = sdk().getContainerClient(target).getBlockBlobClient('keep.txt');
		await existing.uploadData(Buffer.from('keep me'));

		const refused = await run({ container: byName(target), blobName: 'keep.txt', sourceUrl: sourceSasUrl });
		expect(refused.error?.message).toBe(`Blob "keep.txt" already exists in container "${target}"`);
		const skipped = await run({ container: byName(target), blobName: 'keep.txt', sourceUrl: sourceSasUrl, ifExists: 'skip' });
		expect(skipped.items[0].json).toMatchObject({ name: 'keep.txt', skipped: true, size: 7 });
		expect((await existing.downloadToBuffer()).toString()).toBe('keep me');

		const replaced = await run({ container: byName(target), blobName: 'keep.txt', sourceUrl: sourceSasUrl, ifExists: 'overwrite' });
		expect(replaced.items[0].json).toMatchObject({ size: content.length, copyStatus: 'success' });
	});

	it('sets its own metadata and tier instead of the source\'s when given', async () => {
		const { items } = await run({
			container: byName(target),
			blobName: 'with-meta.bin',
			sourceUrl: sourceSasUrl,
			options: { metadata: { entries: [{ name: 'batch', value: '7' }] }, accessTier: 'Cool' },
		});
		expect(items[0].json).toMatchObject({ metadata: { batch: '7' }, accessTier: 'Cool' });
	});

	it('returns at once with the copy id when "Wait for Completion" is off, and the copy lands', async () => {
		const { items, error } = await run({
			container: byName(target),
			blobName: 'no-wait.bin',
			sourceUrl: sourceSasUrl,
			options: { waitForCompletion: false },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'no-wait.bin', container: target, copyId: expect.any(String) });
		expect(['pending', 'success']).toContain(items[0].json.copyStatus);
		expect(JSON.stringify(items)).not.toContain('sig=');
		const blob = sdk().getContainerClient(target).getBlobClient('no-wait.bin');
		for (let i = 0; i < 50 && (await blob.getProperties()).copyStatus === 'pending'; i++) {
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(sha256(await blob.downloadToBuffer())).toBe(sha256(content));
	});

	it('names the Blob Name field when the name is too long', async () => {
		const { error } = await run({ container: byName(target), blobName: '={{ "x".repeat(1025) }}', sourceUrl: sourceSasUrl });
		expect(error?.message).toBe('Blob Name has 1025 characters; blob names have at most 1024');
	});

	it('names the field when the Source URL is not a URL', async () => {
		const { error } = await run({ container: byName(target), blobName: 'x.bin', sourceUrl: 'not a url' });
		expect(error?.message).toBe('Source URL is not an http(s) URL');
	});

	it('explains a source Azure cannot read, without leaking the signature', async () => {
		const { error } = await run({
			container: byName(target),
			blobName: 'missing.bin',
			sourceUrl: sourceSasUrl.replace('exports/data.bin', 'exports/nope.bin'),
		});
		expect(error?.httpCode).toMatch(/^4/);
		expect(JSON.stringify(error)).not.toContain(new URL(sourceSasUrl).searchParams.get('sig')!);
		expect(error?.message).toBe('Azure could not read the Source URL');
		expect(error?.description).toContain('SAS that allows read');
	});
});
