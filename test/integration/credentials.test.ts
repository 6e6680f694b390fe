/**
 * Every blob and container operation through every non-Entra credential type, executed by the
 * real n8n engine against Azurite.
 */
import { runNode } from '../helpers/engine';
import { credentialCases, sdk, uniqueContainerName, using } from '../helpers/fixtures';
import { byName, fileItem, sha256 } from '../helpers/params';

describe.each(credentialCases())('with $label credentials', (credential) => {
	const { credentials, authentication } = using(credential);
	const container = uniqueContainerName(credential.authentication);
	const run = (parameters: Record<string, unknown>, items?: Parameters<typeof runNode>[0]['items']) =>
		runNode({ credentials, parameters: { authentication, ...parameters } as never, items });

	function expectNoSecrets(value: unknown) {
		const text = JSON.stringify(value);
		for (const secret of credential.secrets) expect(text).not.toContain(secret);
	}

	it('creates a container, then lists it', async () => {
		const created = await run({ resource: 'container', operation: 'create', containerName: container });
		expect(created.error).toBeUndefined();
		expect(created.items[0].json).toMatchObject({ name: container, created: true });

		const listed = await run({ resource: 'container', operation: 'getAll', prefix: container, returnAll: true });
		expect(listed.items.map((i) => i.json.name)).toEqual([container]);
		expectNoSecrets([created.items, listed.items]);
	});

	it('uploads a file, lists it, downloads identical bytes, then deletes it', async () => {
		const content = Buffer.from(`report for ${credential.label}\n`.repeat(100));
		const uploaded = await run(
			{ resource: 'blob', operation: 'upload', container: byName(container), blobName: 'reports/q1.csv' },
			[fileItem(content, 'q1.csv', 'text/csv')],
		);
		expect(uploaded.error).toBeUndefined();
		expect(uploaded.items[0].json).toMatchObject({ name: 'reports/q1.csv', size: content.length, contentType: 'text/csv' });

		const listed = await run({ resource: 'blob', operation: 'getAll', container: byName(container), returnAll: true });
		expect(listed.items.map((i) => i.json.name)).toContain('reports/q1.csv');

		const downloaded = await run({
			resource: 'blob',
			operation: 'download',
			container: byName(container),
			blob: byName('reports/q1.csv'),
		});
		expect(downloaded.error).toBeUndefined();
		const binary = downloaded.items[0].binary!.data;
		expect(sha256(Buffer.from(binary.data, 'base64'))).toBe(sha256(content));
		expect(binary.fileName).toBe('q1.csv');

		const deleted = await run({
			resource: 'blob',
			operation: 'delete',
			container: byName(container),
			blob: byName('reports/q1.csv'),
		});
		expect(deleted.items[0].json).toMatchObject({ deleted: true });
		expect(await sdk().getContainerClient(container).getBlobClient('reports/q1.csv').exists()).toBe(false);
		expectNoSecrets([uploaded.items, listed.items, downloaded.items, deleted.items]);
	});

	it('deletes the container', async () => {
		const deleted = await run({ resource: 'container', operation: 'delete', container: byName(container) });
		expect(deleted.error).toBeUndefined();
		expect(deleted.items[0].json).toMatchObject({ name: container, deleted: true });
		expect(await sdk().getContainerClient(container).exists()).toBe(false);
	});
});
