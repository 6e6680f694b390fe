/**
 * Blob > Get Many: the folder view (Delimiter) and the Include Snapshots / Versions / Deleted
 * options, executed by n8n's engine against Azurite. Azurite has no versioning and no soft
 * delete: Include Versions and Include Deleted are checked to send the request and list the
 * current blobs (no versions or deleted blobs exist there to show).
 */
import { createServer } from 'http';
import type { AddressInfo } from 'net';

import { runNode } from '../helpers/engine';
import { createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { sharedKeyFor } from '../streaming/support';
import { putBlob, run } from './support';

describe('Blob > Get Many: folders, snapshots, versions, deleted', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('folders');
		await Promise.all(
			['a.txt', 'reports/2024/jan.csv', 'reports/2024/feb.csv', 'reports/2025/jan.csv', 'reports/summary.md', 'zeta/x.txt'].map((name) =>
				putBlob(container, name, name),
			),
		);
	});
	const list = (extra: Record<string, unknown>) => run({ resource: 'blob', operation: 'getAll', container: byName(container), returnAll: true, ...extra });

	it('with Delimiter "/", returns the top-level folders and files, each with its type', async () => {
		const { items, error } = await list({ options: { delimiter: '/' } });
		expect(error).toBeUndefined();
		expect(items.map((i) => [i.json.type, i.json.name])).toEqual([
			['blob', 'a.txt'],
			['folder', 'reports/'],
			['folder', 'zeta/'],
		]);
		expect(items[1].json).toEqual({ type: 'folder', name: 'reports/', container });
		expect(items[0].json).toMatchObject({ size: 5, blobType: 'BlockBlob' });
	});

	it('walks into a folder by using its name as the Prefix', async () => {
		const { items } = await list({ prefix: 'reports/', options: { delimiter: '/' } });
		expect(items.map((i) => [i.json.type, i.json.name])).toEqual([
			['folder', 'reports/2024/'],
			['folder', 'reports/2025/'],
			['blob', 'reports/summary.md'],
		]);
		const deeper = await list({ prefix: 'reports/2024/', options: { delimiter: '/' } });
		expect(deeper.items.map((i) => i.json.name)).toEqual(['reports/2024/feb.csv', 'reports/2024/jan.csv']);
	});

	it('counts folders and files against the Limit, across pages', async () => {
		const { items } = await run({
			resource: 'blob',
			operation: 'getAll',
			container: byName(container),
			returnAll: false,
			limit: 2,
			options: { delimiter: '/', pageSize: 1 },
		});
		expect(items.map((i) => i.json.name)).toEqual(['a.txt', 'reports/']);
	});

	it('without a Delimiter, lists every blob flat as before (no type field)', async () => {
		const { items } = await list({});
		expect(items).toHaveLength(6);
		expect(items[0].json).not.toHaveProperty('type');
	});

	it('Include Snapshots lists each snapshot with its ID next to the blob', async () => {
		const snapContainer = await createContainer('snaplist');
		await putBlob(snapContainer, 'doc.txt', 'v1');
		const { snapshot } = await sdk().getContainerClient(snapContainer).getBlobClient('doc.txt').createSnapshot();
		const { items } = await run({ resource: 'blob', operation: 'getAll', container: byName(snapContainer), returnAll: true, options: { includeSnapshots: true } });
		expect(items).toHaveLength(2);
		expect(items.find((i) => i.json.snapshot)?.json).toMatchObject({ name: 'doc.txt', snapshot });
		const without = await run({ resource: 'blob', operation: 'getAll', container: byName(snapContainer), returnAll: true });
		expect(without.items).toHaveLength(1);
	});

	it('Include Versions and Include Deleted send the request; Azurite, without versioning or soft delete, lists the current blobs', async () => {
		const { items, error } = await list({ options: { includeVersions: true, includeDeleted: true } });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(6);
	});

	it('refuses a Delimiter that is not text, naming the field', async () => {
		const { error } = await list({ options: { delimiter: '={{ 5 }}' } });
		expect(error?.message).toContain('Delimiter must be text');
	});
});

describe('Blob > Get Many: an answer that is not a whole List Blobs document', () => {
	/** A loopback endpoint that answers every listing with a document cut off part-way. */
	async function brokenEndpoint() {
		const server = createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/xml', 'x-ms-request-id': 'cut-off-1' });
			res.end('<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs><Blob><Name>a.txt</Name><Properties><Last-Modified>Fri, 27 Nov 2026 10:00:00 GMT</Last-Modified>');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as AddressInfo).port;
		return { endpoint: `http://127.0.0.1:${port}/devstoreaccount1`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
	}

	it('fails the item with what went wrong and what to check, not a shorter list; with Continue On Fail the item carries it', async () => {
		const broken = await brokenEndpoint();
		try {
			const { authentication, credentials } = sharedKeyFor(broken.endpoint);
			const parameters = { authentication, resource: 'blob', operation: 'getAll', container: byName('any'), returnAll: true };
			const { items, error } = await runNode({ credentials, parameters });
			expect(items).toHaveLength(0);
			expect(error?.message).toBe("Azure's blob list could not be read: it ended before </Properties>");
			expect(error?.description).toContain('check the endpoint in the credential');
			const continued = await runNode({ credentials, parameters, continueOnFail: true, items: [{ json: {} }, { json: {} }] });
			expect(continued.error).toBeUndefined();
			expect(continued.items.map((i) => i.json.error)).toEqual([
				"Azure's blob list could not be read: it ended before </Properties>",
				"Azure's blob list could not be read: it ended before </Properties>",
			]);
		} finally {
			await broken.close();
		}
	});
});
