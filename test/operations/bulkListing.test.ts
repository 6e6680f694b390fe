/**
 * Delete Many and Set Tier Many by prefix list the blobs page by page (5,000 per page) and act on
 * each page as it comes. When the listing breaks off after some pages, what was done is reported
 * blob by blob and one more item says where the listing stopped and what was not touched; a
 * listing that fails before its first page fails the run (nothing was done). The failure comes
 * from a loopback proxy in front of Azurite that refuses the second listing request.
 */
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../helpers/engine';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { startFaultProxy, type FaultProxy } from '../helpers/faultProxy';
import { byName, sharedKeyFor } from '../streaming/support';

const PAGE = 5000;
const COUNT = PAGE + 30;
let container: string;
let proxy: FaultProxy;
const names = Array.from({ length: COUNT }, (_, i) => `bulk/${String(i).padStart(5, '0')}.txt`);

beforeAll(async () => {
	container = await createContainer('bulk-listing');
	const client = sdk().getContainerClient(container);
	let next = 0;
	await Promise.all(
		Array.from({ length: 16 }, async () => {
			while (next < names.length) await client.getBlockBlobClient(names[next++]).upload('x', 1);
		}),
	);
	proxy = await startFaultProxy(blobEndpoint());
}, 180_000);

afterAll(async () => {
	await proxy?.close();
});

beforeEach(() => proxy.reset());

async function run(parameters: INodeParameters) {
	const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
	return await runNode({ credentials, parameters: { authentication, resource: 'blob', container: byName(container), selection: 'prefix', prefix: 'bulk/', ...parameters } });
}

/**
 * The second listing request (the next page) is refused with HTTP 500; no retry. Azurite runs a
 * batch's deletes one by one, slowly in a container this size: a long Request Timeout.
 */
const secondPageFails = () =>
	proxy.setRule(({ method, comp, index }) => (method === 'GET' && comp === 'list' && index === 2 ? { kind: 'status', status: 500 } : undefined));

async function remaining(): Promise<string[]> {
	const left: string[] = [];
	for await (const blob of sdk().getContainerClient(container).listBlobsFlat({ prefix: 'bulk/' })) left.push(blob.name);
	return left;
}

it('Set Tier Many: the first page is set and reported, then one item says the listing broke off and what was not changed', async () => {
	secondPageFails();
	const { items, error } = await run({ operation: 'setTierMany', accessTier: 'Cool', options: { maxRetries: 0, requestTimeout: 300 } });
	expect(error).toBeUndefined();
	expect(items).toHaveLength(PAGE + 1);
	expect(items.slice(0, PAGE).every((i) => i.json.outcome === 'tier set')).toBe(true);
	const stop = items[PAGE].json;
	expect(stop).toMatchObject({ container, prefix: 'bulk/', outcome: 'failed', listedBlobs: PAGE, httpCode: '500' });
	expect(stop.error).toContain(`broke off after 5,000 blobs`);
	expect(stop.error).toContain(`"${names[PAGE - 1]}"`);
	expect(stop.error).toContain('not changed');
	const tiers = new Map<string, string | undefined>();
	for await (const blob of sdk().getContainerClient(container).listBlobsFlat({ prefix: 'bulk/' })) tiers.set(blob.name, blob.properties.accessTier);
	expect(tiers.get(names[PAGE - 1])).toBe('Cool');
	expect(tiers.get(names[PAGE])).toBe('Hot');
}, 180_000);

it('Delete Many: the blobs of the first page are deleted and reported, the rest stay, and one item says so', async () => {
	secondPageFails();
	const { items, error } = await run({ operation: 'deleteMany', options: { maxRetries: 0, requestTimeout: 300 } });
	expect(error).toBeUndefined();
	expect(items.filter((i) => i.json.outcome === 'deleted').map((i) => i.json.name)).toEqual(names.slice(0, PAGE));
	expect(items[items.length - 1].json).toMatchObject({ outcome: 'failed', listedBlobs: PAGE });
	expect(items[items.length - 1].json.error).toContain('not deleted');
	expect(await remaining()).toEqual(names.slice(PAGE));
}, 180_000);

it('a listing that fails at its first page fails the run, touching nothing', async () => {
	proxy.setRule(({ method, comp }) => (method === 'GET' && comp === 'list' ? { kind: 'status', status: 500 } : undefined));
	const { items, error } = await run({ operation: 'deleteMany', options: { maxRetries: 0, requestTimeout: 300 } });
	expect(items).toHaveLength(0);
	expect(error?.message).toMatch(/500|Azure/);
	expect(await remaining()).toEqual(names.slice(PAGE));
}, 60_000);
