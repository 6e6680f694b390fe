/**
 * Copy: server-side copies within the account (synchronous Copy Blob From URL up to 256 MiB,
 * asynchronous Copy Blob otherwise), from a URL with a SAS, and Move.
 *
 * What Azurite cannot do, and what is tested instead:
 * - Azurite copies instantly, so a copy that stays "pending" (for the Copy Timeout and the abort
 *   on cancel) cannot happen there: a loopback proxy answers the copy with "pending" and the
 *   status checks with "pending" too, and the test checks that the node aborts the copy in
 *   Azure (Abort Copy Blob) when the Copy Timeout passes and when the execution is cancelled.
 * - Azurite cannot read other hosts, so "another account" is a second container read through a
 *   SAS URL (the request Azure gets is the same).
 * - A source blob changed during a Move cannot be timed in Azurite (copies are instant): the
 *   proxy changes the source just before Azure gets the copy request; Azure then refuses to copy
 *   a source whose ETag changed, and the source is kept.
 * - Copies of more than 256 MiB (the asynchronous path in Auto) are not made here; "Copy Method:
 *   Asynchronous" takes the same path with a small blob.
 */
import { BlobSASPermissions } from '@azure/storage-blob';
import { randomBytes } from 'crypto';

import { runNode } from '../helpers/engine';
import { blobEndpoint, createContainer, credentialCases, using } from '../helpers/fixtures';
import type { FaultProxy } from '../helpers/faultProxy';
import { startFaultProxy } from '../helpers/faultProxy';
import { byName, byUrl, sha256 } from '../helpers/params';
import { blobClient, putBlob, readBlob, run } from './support';

const copy = (parameters: Record<string, unknown>, extra = {}) => run({ resource: 'blob', operation: 'copy', ...parameters }, extra);
const content = randomBytes(300 * 1024);

let source: string;
let target: string;
beforeAll(async () => {
	[source, target] = await Promise.all([createContainer('copy-src'), createContainer('copy-dst')]);
	await putBlob(source, 'reports/jan.bin', content, { metadata: { origin: 'erp' }, blobHTTPHeaders: { blobContentType: 'application/x-test' } });
});

describe('Copy within the account', () => {
	it('copies a small blob in one synchronous request, bytes, content type and metadata identical', async () => {
		const { items, error } = await copy({ sourceContainer: byName(source), sourceBlob: byName('reports/jan.bin'), container: byName(target), blobName: 'copies/jan.bin' });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			name: 'copies/jan.bin',
			container: target,
			sourceContainer: source,
			sourceBlob: 'reports/jan.bin',
			copyStatus: 'success',
			copyMethod: 'sync',
			size: content.length,
			contentType: 'application/x-test',
			metadata: { origin: 'erp' },
		});
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(JSON.stringify(items)).not.toMatch(/sig=|sig%3D/i);
		expect(sha256(await readBlob(target, 'copies/jan.bin'))).toBe(sha256(content));
	});

	it('copies asynchronously when asked, keeps the source name when no destination name is given, and sets tier and metadata', async () => {
		const { items, error } = await copy({
			sourceContainer: byName(source),
			sourceBlob: byName('reports/jan.bin'),
			container: byName(target),
			options: { copyMethod: 'async', accessTier: 'Cool', metadata: { entries: [{ name: 'batch', value: '7' }] } },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'reports/jan.bin', copyMethod: 'async', copyStatus: 'success', accessTier: 'Cool', metadata: { batch: '7' } });
		expect(sha256(await readBlob(target, 'reports/jan.bin'))).toBe(sha256(content));
	});

	it('takes the source from a blob URL of the account', async () => {
		const url = `${blobEndpoint()}/${source}/reports/jan.bin`;
		const { items, error } = await copy({ sourceBlob: byUrl(url), sourceContainer: byName(source), container: byName(target), blobName: 'from-url-locator.bin' });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ sourceContainer: source, sourceBlob: 'reports/jan.bin', copyStatus: 'success' });
	});

	it('with a SAS credential, Azure reads the source through that SAS, which never shows in the output', async () => {
		const sasCase = credentialCases()[3];
		const { items, error } = await runNode({
			...using(sasCase),
			parameters: {
				authentication: 'sas',
				resource: 'blob',
				operation: 'copy',
				sourceContainer: byName(source),
				sourceBlob: byName('reports/jan.bin'),
				container: byName(target),
				blobName: 'via-sas.bin',
			} as never,
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ copyMethod: 'sync', copyStatus: 'success', size: content.length });
		for (const secret of sasCase.secrets) expect(JSON.stringify(items)).not.toContain(secret);
	});

	it('refuses to replace an existing destination unless asked, skips when asked, overwrites when asked', async () => {
		await putBlob(target, 'exists.bin', 'keep me');
		const base = { sourceContainer: byName(source), sourceBlob: byName('reports/jan.bin'), container: byName(target), blobName: 'exists.bin' };
		const refused = await copy(base);
		expect(refused.error?.message).toBe(`Blob "exists.bin" already exists in container "${target}"`);
		const skipped = await copy({ ...base, ifExists: 'skip' });
		expect(skipped.items[0].json).toMatchObject({ name: 'exists.bin', skipped: true, size: 7 });
		expect((await readBlob(target, 'exists.bin')).toString()).toBe('keep me');
		const replaced = await copy({ ...base, ifExists: 'overwrite' });
		expect(replaced.items[0].json).toMatchObject({ size: content.length, copyStatus: 'success' });
		expect(replaced.items[0].json).not.toHaveProperty('skipped');
	});

	it('overwrites a leased destination only with its Lease ID', async () => {
		await putBlob(target, 'leased.bin', 'old');
		const lease = await blobClient(target, 'leased.bin').getBlobLeaseClient().acquireLease(30);
		const base = { sourceContainer: byName(source), sourceBlob: byName('reports/jan.bin'), container: byName(target), blobName: 'leased.bin', ifExists: 'overwrite' };
		const refused = await copy(base);
		expect(refused.error?.httpCode).toBe('412');
		const done = await copy({ ...base, options: { leaseId: lease.leaseId } });
		expect(done.error).toBeUndefined();
		expect(done.items[0].json).toMatchObject({ size: content.length });
		await blobClient(target, 'leased.bin').getBlobLeaseClient(lease.leaseId).releaseLease();
	});

	it('names the missing source blob', async () => {
		const { error } = await copy({ sourceContainer: byName(source), sourceBlob: byName('nope.bin'), container: byName(target), blobName: 'x.bin' });
		expect(error?.httpCode).toBe('404');
		expect(error?.message).toContain('nope.bin');
	});

	it('checks the fields after expressions: an empty source, a number as name, a bad Copy Timeout', async () => {
		const base = { sourceContainer: byName(source), container: byName(target) };
		expect((await copy({ ...base, sourceBlob: byName('={{ "" }}') })).error?.message).toBe('Source Blob is empty');
		expect((await copy({ ...base, sourceBlob: byName('reports/jan.bin'), blobName: '={{ 42 }}' })).error?.message).toBe(
			'Destination Blob Name must be text, but the expression returned a number (42)',
		);
		expect((await copy({ ...base, sourceBlob: byName('reports/jan.bin'), options: { copyTimeout: 0 } })).error?.message).toBe(
			'Copy Timeout (Seconds) must be a whole number from 1 to 86,400; got 0',
		);
		expect((await copy({ ...base, sourceBlob: byName('../x') })).error?.message).toMatch(/^Source Blob /);
	});
});

describe('Move', () => {
	it('deletes the source only after the copy succeeded', async () => {
		await putBlob(source, 'move/a.bin', content);
		const { items, error } = await copy({ mode: 'move', sourceContainer: byName(source), sourceBlob: byName('move/a.bin'), container: byName(target), blobName: 'moved/a.bin' });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'moved/a.bin', moved: true, sourceDeleted: true, copyStatus: 'success' });
		expect(await blobClient(source, 'move/a.bin').exists()).toBe(false);
		expect(sha256(await readBlob(target, 'moved/a.bin'))).toBe(sha256(content));
	});

	it('keeps the source when the copy fails (destination exists)', async () => {
		await putBlob(source, 'move/b.bin', 'b');
		await putBlob(target, 'moved/b.bin', 'there already');
		const { error } = await copy({ mode: 'move', sourceContainer: byName(source), sourceBlob: byName('move/b.bin'), container: byName(target), blobName: 'moved/b.bin' });
		expect(error?.message).toContain('already exists');
		expect(await blobClient(source, 'move/b.bin').exists()).toBe(true);
	});

	it('refuses to move a blob onto itself', async () => {
		await putBlob(source, 'move/self.bin', 's');
		const { error } = await copy({ mode: 'move', sourceContainer: byName(source), sourceBlob: byName('move/self.bin'), container: byName(source), blobName: 'move/self.bin' });
		expect(error?.message).toBe('Move needs a destination other than the source');
		expect(await blobClient(source, 'move/self.bin').exists()).toBe(true);
	});

	describe('through a proxy that changes the source just before the copy reaches Azure', () => {
		let proxy: FaultProxy;
		beforeAll(async () => (proxy = await startFaultProxy(blobEndpoint())));
		afterAll(async () => await proxy.close());

		for (const copyMethod of ['auto', 'async']) {
			it(`(${copyMethod}) keeps the changed source and copies nothing of it`, async () => {
				await putBlob(source, `move/changed-${copyMethod}.bin`, 'version 1');
				// Hold back Azure's answer to the node's first look at the source (its ETag) a moment.
				let held = false;
				proxy.reset();
				proxy.setRule(({ method, url }) => {
					if (method === 'HEAD' && url.includes(`move/changed-${copyMethod}.bin`) && !held) {
						held = true;
						return { kind: 'stallAnswer', ms: 400 };
					}
					return undefined;
				});
				const credentials = using(credentialCases()[0]).credentials;
				const type = Object.keys(credentials)[0];
				const proxied = { [type]: { ...credentials[type], endpoint: proxy.blobEndpoint } };
				const pending = runNode({
					credentials: proxied,
					parameters: {
						authentication: 'sharedKey',
						resource: 'blob',
						operation: 'copy',
						mode: 'move',
						sourceContainer: byName(source),
						sourceBlob: byName(`move/changed-${copyMethod}.bin`),
						container: byName(target),
						blobName: `moved/changed-${copyMethod}.bin`,
						options: { copyMethod },
					} as never,
				});
				// While the node's HEAD answer is held back, someone writes a new version of the source.
				await new Promise((resolve) => setTimeout(resolve, 100));
				await putBlob(source, `move/changed-${copyMethod}.bin`, 'version 2');
				const { error } = await pending;
				expect(error).toBeDefined();
				expect((await readBlob(source, `move/changed-${copyMethod}.bin`)).toString()).toBe('version 2');
				expect(await blobClient(target, `moved/changed-${copyMethod}.bin`).exists()).toBe(false);
			});
		}
	});
});

describe('Copy from a URL (another account, through its SAS)', () => {
	let sourceSasUrl: string;
	beforeAll(async () => {
		sourceSasUrl = await blobClient(source, 'reports/jan.bin').generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) });
	});

	it('copies from the SAS URL, named after its last segment, and never shows the SAS', async () => {
		const { items, error } = await copy({ source: 'url', sourceUrl: sourceSasUrl, container: byName(target) });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'jan.bin', copyStatus: 'success', copyMethod: 'async', source: `${blobEndpoint()}/${source}/reports/jan.bin` });
		expect(JSON.stringify(items)).not.toContain(new URL(sourceSasUrl).searchParams.get('sig')!);
		expect(sha256(await readBlob(target, 'jan.bin'))).toBe(sha256(content));
	});

	it('explains a source Azure cannot read, without its signature', async () => {
		const { error } = await copy({ source: 'url', sourceUrl: sourceSasUrl.replace('reports/jan.bin', 'reports/nope.bin'), container: byName(target), blobName: 'never.bin' });
		expect(error?.httpCode).toMatch(/^4/);
		// (The error's node parameters hold the URL as the user typed it; the node's own texts never do.)
		const texts = JSON.stringify([error?.message, error?.description, error?.stack]);
		const signature = new URL(sourceSasUrl).searchParams.get('sig')!;
		expect(texts).not.toContain(signature);
		expect(texts).not.toContain(encodeURIComponent(signature));
		expect(error?.message).toBe('Azure could not read the Source URL');
	});

	it('refuses a Source URL that is not http(s)', async () => {
		const { error } = await copy({ source: 'url', sourceUrl: 'ftp://example.org/x', container: byName(target) });
		expect(error?.message).toBe('Source URL is not an http(s) URL');
	});
});

describe('A copy that stays pending (simulated: Azurite copies instantly)', () => {
	let proxy: FaultProxy;
	beforeAll(async () => (proxy = await startFaultProxy(blobEndpoint())));
	afterAll(async () => await proxy.close());

	function pendingRule() {
		proxy.reset();
		proxy.setRule(({ method, comp, headers }) => {
			if (method === 'PUT' && comp === '' && headers['x-ms-copy-source']) {
				return { kind: 'status', status: 202, headers: { 'x-ms-copy-id': 'copy-123', 'x-ms-copy-status': 'pending' } };
			}
			if (method === 'HEAD') return { kind: 'status', status: 200, headers: { 'x-ms-copy-id': 'copy-123', 'x-ms-copy-status': 'pending', 'content-length': '0' } };
			if (method === 'PUT' && comp === 'copy') return { kind: 'status', status: 204 };
			return undefined;
		});
	}
	const aborts = () => proxy.seen.filter((r) => r.method === 'PUT' && r.comp === 'copy' && r.headers['x-ms-copy-action'] === 'abort');

	function runPending(extra = {}, options = {}) {
		const credentials = using(credentialCases()[0]).credentials;
		const type = Object.keys(credentials)[0];
		return runNode({
			credentials: { [type]: { ...credentials[type], endpoint: proxy.blobEndpoint } },
			parameters: {
				authentication: 'sharedKey',
				resource: 'blob',
				operation: 'copy',
				source: 'url',
				sourceUrl: 'https://example.org/big.iso',
				container: byName(target),
				blobName: 'pending.iso',
				options: { copyTimeout: 3, ...options },
			} as never,
			...extra,
		});
	}

	it('aborts the copy in Azure when the Copy Timeout passes, and says so', async () => {
		pendingRule();
		const started = Date.now();
		const { error } = await runPending();
		expect(error?.message).toBe('The copy did not finish within the Copy Timeout of 3 s and was aborted');
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(aborts()).toHaveLength(1);
		expect(aborts()[0].url).toContain('copyid=copy-123');
	});

	it('aborts the copy in Azure when the execution is cancelled', async () => {
		pendingRule();
		const { run: execution } = await runPending({ cancelAfter: (cancel: () => void) => setTimeout(cancel, 1000) }, { copyTimeout: 60 });
		expect(execution.status).toBe('canceled');
		for (let i = 0; i < 40 && aborts().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
		expect(aborts()).toHaveLength(1);
	});
});
