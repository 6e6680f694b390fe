/**
 * Delete Many and Set Tier Many by prefix list the blobs page by page (5,000 per page) and act on
 * each page as it comes. When the listing breaks off after some pages, what was done is reported
 * blob by blob and one more item says where the listing stopped and what was not touched; a
 * listing that fails before its first page fails the run (nothing was done). The failure comes
 * from a loopback proxy in front of Azurite that refuses the second listing request.
 *
 * Its own Azurite: a first page is 5,000 blobs, and Azurite runs a batch's deletes one by one at a
 * cost that grows with the account, which would hold up every other test file on the shared one.
 */
import type { INodeParameters } from 'n8n-workflow';

import { BlobServiceClient } from '@azure/storage-blob';

import { startAzurite, type RunningAzurite } from '../helpers/azurite';
import { runNode } from '../helpers/engine';
import { sharedKey, uniqueContainerName } from '../helpers/fixtures';
import { startFaultProxy, type FaultProxy } from '../helpers/faultProxy';
import { byName, sharedKeyFor } from '../streaming/support';

const PAGE = 5000;
const COUNT = PAGE + 30;
let container: string;
let proxy: FaultProxy;
let azurite: RunningAzurite;
const sdk = () => new BlobServiceClient(azurite.blobEndpoint, sharedKey);
const names = Array.from({ length: COUNT }, (_, i) => `bulk/${String(i).padStart(5, '0')}.txt`);

beforeAll(async () => {
	azurite = await startAzurite();
	container = uniqueContainerName('bulk-listing');
	const client = sdk().getContainerClient(container);
	await client.create();
	let next = 0;
	await Promise.all(
		Array.from({ length: 16 }, async () => {
			while (next < names.length) await client.getBlockBlobClient(names[next++]).upload('x', 1);
		}),
	);
	proxy = await startFaultProxy(azurite.blobEndpoint);
}, 300_000);

afterAll(async () => {
	await proxy?.close();
	await azurite?.stop();
});

beforeEach(() => proxy.reset());

async function run(parameters: INodeParameters) {
	const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
	return await runNode({ credentials, parameters: { authentication, resource: 'blob', container: byName(container), selection: 'prefix', prefix: 'bulk/', ...parameters } });
}

/**
 * The second listing request (the next page) is refused with HTTP 403, which is never retried (the
 * batches keep the default retries: Azurite sometimes resets a kept-alive connection). Azurite runs
 * a batch's deletes one by one, slowly in a container this size: a long Request Timeout.
 */
const refusal = { kind: 'status', status: 403, code: 'AuthorizationFailure' } as const;
const secondPageFails = () => proxy.setRule(({ method, comp, index }) => (method === 'GET' && comp === 'list' && index === 2 ? refusal : undefined));

async function remaining(): Promise<string[]> {
	const left: string[] = [];
	for await (const blob of sdk().getContainerClient(container).listBlobsFlat({ prefix: 'bulk/' })) left.push(blob.name);
	return left;
}

it('Set Tier Many: the first page is set and reported, then one item says the listing broke off and what was not changed', async () => {
	secondPageFails();
	const { items, error } = await run({ operation: 'setTierMany', accessTier: 'Cool', options: { requestTimeout: 300 } });
	expect(error).toBeUndefined();
	expect(items).toHaveLength(PAGE + 1);
	expect(items.slice(0, PAGE).every((i) => i.json.outcome === 'tier set')).toBe(true);
	const stop = items[PAGE].json;
	expect(stop).toMatchObject({ container, prefix: 'bulk/', outcome: 'failed', listedBlobs: PAGE, httpCode: '403', code: 'AuthorizationFailure' });
	expect(stop.error).toContain(`broke off after 5,000 blobs`);
	expect(stop.error).toContain(`"${names[PAGE - 1]}"`);
	expect(stop.error).toContain('not changed');
	const tiers = new Map<string, string | undefined>();
	for await (const blob of sdk().getContainerClient(container).listBlobsFlat({ prefix: 'bulk/' })) tiers.set(blob.name, blob.properties.accessTier);
	expect(tiers.get(names[PAGE - 1])).toBe('Cool');
	expect(tiers.get(names[PAGE])).toBe('Hot');
}, 300_000);

it('Delete Many: the blobs of the first page are deleted and reported, the rest stay, and one item says so', async () => {
	secondPageFails();
	const { items, error } = await run({ operation: 'deleteMany', options: { requestTimeout: 300 } });
	expect(error).toBeUndefined();
	const failed = items.find((i) => i.json.outcome === 'failed' && i.json.name !== undefined);
	expect(failed?.json).toBeUndefined();
	expect(items.filter((i) => i.json.outcome === 'deleted').map((i) => i.json.name)).toEqual(names.slice(0, PAGE));
	expect(items[items.length - 1].json).toMatchObject({ outcome: 'failed', listedBlobs: PAGE });
	expect(items[items.length - 1].json.error).toContain('not deleted');
	expect(await remaining()).toEqual(names.slice(PAGE));
}, 300_000);

it('a listing that fails at its first page fails the run, touching nothing', async () => {
	proxy.setRule(({ method, comp }) => (method === 'GET' && comp === 'list' ? refusal : undefined));
	const { items, error } = await run({ operation: 'deleteMany', options: { requestTimeout: 300 } });
	expect(items).toHaveLength(0);
	expect(error?.message).toBe('Azure refused the request for this credential');
	expect(await remaining()).toEqual(names.slice(PAGE));
}, 120_000);
