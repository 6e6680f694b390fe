/**
 * Delete Many through Blob Batch (256 deletes per request, a few requests in flight), one output
 * item per blob with its outcome. A whole batch that fails is simulated by a loopback proxy
 * answering that batch request with HTTP 500 (Azurite itself does not fail batches).
 */
import { runNode } from '../helpers/engine';
import { blobEndpoint, containerSasUrl, createContainer, credentialCases, sdk, using } from '../helpers/fixtures';
import type { FaultProxy } from '../helpers/faultProxy';
import { startFaultProxy } from '../helpers/faultProxy';
import { byName } from '../helpers/params';
import { blobClient, putBlob, run } from './support';

const deleteMany = (parameters: Record<string, unknown>, extra = {}) => run({ resource: 'blob', operation: 'deleteMany', ...parameters }, extra);

async function names(container: string, prefix = ''): Promise<string[]> {
	const found: string[] = [];
	for await (const blob of sdk().getContainerClient(container).listBlobsFlat({ prefix })) found.push(blob.name);
	return found;
}

async function putMany(container: string, prefix: string, count: number) {
	const all = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}.txt`);
	for (let i = 0; i < all.length; i += 32) await Promise.all(all.slice(i, i + 32).map((name) => putBlob(container, name, 'x')));
	return all;
}

describe('Delete Many', () => {
	it('deletes every blob under a prefix across several batches, one item per blob, and nothing else', async () => {
		const container = await createContainer('dm-prefix');
		const doomed = await putMany(container, 'old/', 600);
		await putMany(container, 'keep/', 3);
		await putBlob(container, 'older.txt', 'not under old/');
		// Azurite works through a batch's sub-requests one by one: on a loaded machine a batch of 256
		// can take longer than the default 30 s Request Timeout, which is not what this test is about.
		const { items, error } = await deleteMany({ container: byName(container), prefix: 'old/', options: { requestTimeout: 600 } });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(600);
		expect(items.map((i) => i.json.name)).toEqual(doomed);
		expect(items.every((i) => i.json.outcome === 'deleted' && i.json.container === container)).toBe(true);
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(await names(container, 'old/')).toEqual([]);
		expect(await names(container)).toEqual(['keep/0000.txt', 'keep/0001.txt', 'keep/0002.txt', 'older.txt']);
	}, 180_000);

	it('deletes the blobs named by the input items, each outcome paired with its item', async () => {
		const container = await createContainer('dm-items');
		await putBlob(container, 'a.txt', 'a');
		await putBlob(container, 'b c.txt', 'b');
		const { items, error } = await deleteMany(
			{ container: byName(container), selection: 'items' },
			{ items: [{ json: { name: 'a.txt' } }, { json: { name: 'missing.txt' } }, { json: { name: '../escape' } }, { json: { name: 'b c.txt' } }] },
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => [i.pairedItem, i.json.name, i.json.outcome])).toEqual([
			[{ item: 0 }, 'a.txt', 'deleted'],
			[{ item: 1 }, 'missing.txt', 'not found'],
			[{ item: 2 }, undefined, 'failed'],
			[{ item: 3 }, 'b c.txt', 'deleted'],
		]);
		expect(items[2].json.error).toMatch(/^Blob Name /);
		expect(await names(container)).toEqual([]);
	});

	it('Dry Run lists what would be deleted and deletes nothing', async () => {
		const container = await createContainer('dm-dry');
		await putMany(container, 'tmp/', 5);
		const { items } = await deleteMany({ container: byName(container), prefix: 'tmp/', options: { dryRun: true } });
		expect(items.map((i) => i.json)).toEqual(Array.from({ length: 5 }, (_, i) => ({ name: `tmp/000${i}.txt`, container, outcome: 'would be deleted', dryRun: true })));
		expect(await names(container)).toHaveLength(5);
	});

	it('reports a blob with snapshots as failed with the reason, and deletes it with Delete Snapshots', async () => {
		const container = await createContainer('dm-snap');
		await putBlob(container, 's/with-snapshot.txt', 'v1');
		await blobClient(container, 's/with-snapshot.txt').createSnapshot();
		await putBlob(container, 's/plain.txt', 'p');
		const first = await deleteMany({ container: byName(container), prefix: 's/' });
		expect(first.items.map((i) => [i.json.name, i.json.outcome])).toEqual([
			['s/plain.txt', 'deleted'],
			['s/with-snapshot.txt', 'failed'],
		]);
		expect(first.items[1].json).toMatchObject({ code: 'SnapshotsPresent', httpCode: '409', error: expect.stringContaining('snapshots') });
		const second = await deleteMany({ container: byName(container), prefix: 's/', options: { deleteSnapshots: true } });
		expect(second.items.map((i) => i.json.outcome)).toEqual(['deleted']);
		expect(await blobClient(container, 's/with-snapshot.txt').exists()).toBe(false);
	});

	it('refuses an empty prefix, which would empty the container', async () => {
		const container = await createContainer('dm-empty');
		await putBlob(container, 'x.txt', 'x');
		const { error } = await deleteMany({ container: byName(container), prefix: '' });
		expect(error?.message).toBe('Prefix is empty, which would delete every blob in the container');
		expect(await names(container)).toEqual(['x.txt']);
	});

	it('names a missing container; with Continue On Fail every input item carries the error', async () => {
		const { error } = await deleteMany({ container: byName('no-such-container-dm'), prefix: 'a/' });
		expect(error?.message).toContain('no-such-container-dm');
		const continued = await deleteMany({ container: byName('no-such-container-dm'), prefix: 'a/' }, { continueOnFail: true, items: [{ json: {} }, { json: {} }] });
		expect(continued.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(continued.items[0].json.error).toContain('no-such-container-dm');
	});

	it('works with a container SAS (container-level batches)', async () => {
		const container = await createContainer('dm-csas');
		await putMany(container, 'c/', 3);
		const { items, error } = await runNode({
			credentials: { azureBlobStorageSasApi: { sasMode: 'sasUrl', sasUrl: containerSasUrl(container) } },
			parameters: { authentication: 'sas', resource: 'blob', operation: 'deleteMany', container: byName(container), prefix: 'c/' } as never,
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.outcome)).toEqual(['deleted', 'deleted', 'deleted']);
		expect(JSON.stringify(items)).not.toContain('sig=');
	});

	it('works with an account SAS', async () => {
		const container = await createContainer('dm-asas');
		await putMany(container, 'c/', 2);
		const sasCase = credentialCases()[3];
		const { items, error } = await runNode({
			...using(sasCase),
			parameters: { authentication: 'sas', resource: 'blob', operation: 'deleteMany', container: byName(container), prefix: 'c/' } as never,
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.outcome)).toEqual(['deleted', 'deleted']);
		for (const secret of sasCase.secrets) expect(JSON.stringify(items)).not.toContain(secret);
	});

	describe('when a whole batch fails (simulated by a proxy)', () => {
		let proxy: FaultProxy;
		beforeAll(async () => (proxy = await startFaultProxy(blobEndpoint())));
		afterAll(async () => await proxy.close());

		it('reports every blob of the failed batch as failed with the reason, and the other batches still run', async () => {
			const container = await createContainer('dm-fail');
			await putMany(container, 'f/', 300);
			proxy.reset();
			proxy.setRule(({ method, comp, index }) => (method === 'POST' && comp === 'batch' && index === 1 ? 'error500' : undefined));
			const credentials = using(credentialCases()[0]).credentials;
			const type = Object.keys(credentials)[0];
			const { items, error } = await runNode({
				credentials: { [type]: { ...credentials[type], endpoint: proxy.blobEndpoint } },
				parameters: {
					authentication: 'sharedKey',
					resource: 'blob',
					operation: 'deleteMany',
					container: byName(container),
					prefix: 'f/',
					options: { maxRetries: 0, batchesInFlight: 1 },
				} as never,
			});
			expect(error).toBeUndefined();
			expect(items).toHaveLength(300);
			const failed = items.filter((i) => i.json.outcome === 'failed');
			const deleted = items.filter((i) => i.json.outcome === 'deleted');
			expect(failed).toHaveLength(256);
			expect(deleted).toHaveLength(44);
			expect(failed[0].json).toMatchObject({ httpCode: '500', error: expect.stringMatching(/^The batch failed as a whole: /) });
			expect(await names(container, 'f/')).toEqual(failed.map((i) => i.json.name));
		});
	});
});
