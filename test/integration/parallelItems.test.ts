/**
 * "Parallel Items": several input items in flight at once, through the real engine against
 * Azurite. A small loopback proxy in front of Azurite holds every request for a moment and counts
 * how many are open at the same time, so the parallelism is observed, not inferred from timing.
 */
import http from 'http';
import type { AddressInfo } from 'net';

import { AZURITE_ACCOUNT, AZURITE_KEY } from '../helpers/azurite';
import { runNode } from '../helpers/engine';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';

interface CountingProxy {
	endpoint: string;
	maxOpen: number;
	requests: number;
	close(): Promise<void>;
}

/** Forwards to Azurite after `delayMs`, counting the requests open at once. */
async function startCountingProxy(delayMs: number): Promise<CountingProxy> {
	const upstream = new URL(blobEndpoint());
	let open = 0;
	const proxy: CountingProxy = { endpoint: '', maxOpen: 0, requests: 0, close: async () => undefined };
	const server = http.createServer((req, res) => {
		open += 1;
		proxy.requests += 1;
		proxy.maxOpen = Math.max(proxy.maxOpen, open);
		res.on('close', () => (open -= 1));
		setTimeout(() => {
			const forward = http.request(
				{ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			forward.on('error', () => res.destroy());
			req.pipe(forward);
		}, delayMs);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${AZURITE_ACCOUNT}`;
	proxy.close = async () => {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	};
	return proxy;
}

let proxy: CountingProxy;
let container: string;

beforeAll(async () => {
	proxy = await startCountingProxy(150);
	container = await createContainer('parallel');
});
afterAll(async () => await proxy.close());
beforeEach(() => {
	proxy.maxOpen = 0;
	proxy.requests = 0;
});

const credentials = () => ({
	azureBlobStorageSharedKeyApi: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, cloud: 'custom', endpoint: proxy.endpoint },
});

function uploads(count: number, bad?: number) {
	return Array.from({ length: count }, (_, i) => ({ json: { name: i === bad ? 'bad/../name' : `p/${String(i).padStart(3, '0')}.txt`, i } }));
}

const uploadParameters = (parallelItems: number) => ({
	authentication: 'sharedKey',
	resource: 'blob',
	operation: 'upload',
	container: byName(container),
	blobName: '={{ $json.name }}',
	inputDataType: 'text',
	textContent: '={{ "item " + $json.i }}',
	ifExists: 'overwrite',
	options: { parallelItems },
});

it('uploads 24 items with 8 in flight: output in input order, each paired with its item, every blob stored', async () => {
	const items = uploads(24);
	const result = await runNode({ credentials: credentials(), items, parameters: uploadParameters(8) as never });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.name)).toEqual(items.map((item) => item.json.name));
	expect(result.items.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
	expect(proxy.maxOpen).toBeGreaterThanOrEqual(4);
	expect(proxy.maxOpen).toBeLessThanOrEqual(8);
	const text = await sdk().getContainerClient(container).getBlobClient('p/017.txt').downloadToBuffer();
	expect(text.toString()).toBe('item 17');
});

it('keeps today\'s behaviour by default: one item at a time', async () => {
	const result = await runNode({ credentials: credentials(), items: uploads(4), parameters: uploadParameters(1) as never });
	expect(result.error).toBeUndefined();
	expect(proxy.maxOpen).toBe(1);
});

it('with Continue On Fail, the bad item carries its error in its place and the others still run', async () => {
	const items = uploads(10, 4);
	const result = await runNode({ credentials: credentials(), items, parameters: uploadParameters(5) as never, continueOnFail: true });
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(10);
	expect(result.items[4].json.error).toMatch(/^Blob Name "bad\/\.\.\/name" has a "\." or "\.\." path segment/);
	expect(result.items[4].pairedItem).toEqual({ item: 4 });
	expect(result.items.filter((item) => item.json.error === undefined)).toHaveLength(9);
});

it('without Continue On Fail, the lowest failing item stops the node and no new items start', async () => {
	const items = [...uploads(3), ...uploads(20, 0).slice(0, 1), ...uploads(20).slice(4)];
	const result = await runNode({ credentials: credentials(), items, parameters: uploadParameters(2) as never });
	expect(result.error?.message).toMatch(/^Blob Name "bad\/\.\.\/name"/);
	// Items after the failure (at most the ones already in flight) never reached Azure.
	expect(proxy.requests).toBeLessThanOrEqual(5);
});

it('refuses a Parallel Items value outside 1-64, naming the field', async () => {
	for (const value of [0, 65, 2.5, '={{ NaN }}']) {
		const result = await runNode({ credentials: credentials(), items: uploads(2), parameters: uploadParameters(value as never) as never });
		expect(result.error?.message).toMatch(/^Parallel Items must be a whole number from 1 to 64/);
	}
});
