/** A container SAS grants one container: the node works inside it and says so elsewhere. */
import { runNode } from '../helpers/engine';
import { containerSasUrl, createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';

describe('container SAS URL credential', () => {
	let container: string;
	let credentials: Record<string, Record<string, string>>;
	let signature: string;
	const run = (parameters: Record<string, unknown>) =>
		runNode({ credentials, parameters: { authentication: 'sas', ...parameters } as never });

	beforeAll(async () => {
		container = await createContainer('scoped');
		const sasUrl = containerSasUrl(container);
		signature = new URL(sasUrl).searchParams.get('sig')!;
		credentials = { azureBlobStorageSasApi: { sasMode: 'sasUrl', sasUrl } };
	});

	it('uploads, lists and downloads inside its container', async () => {
		const up = await run({
			resource: 'blob',
			operation: 'upload',
			container: byName(container),
			blobName: 'in-scope.txt',
			inputDataType: 'text',
			textContent: 'scoped',
		});
		expect(up.error).toBeUndefined();
		const list = await run({ resource: 'blob', operation: 'getAll', container: byName(container), returnAll: true });
		expect(list.items.map((i) => i.json.name)).toEqual(['in-scope.txt']);
		const down = await run({ resource: 'blob', operation: 'download', container: byName(container), blob: byName('in-scope.txt') });
		expect(Buffer.from(down.items[0].binary!.data.data, 'base64').toString()).toBe('scoped');
		const text = JSON.stringify([up.items, list.items, down.items]);
		expect(text).not.toContain(signature);
		expect(text).not.toContain('sig=');
	});

	it('lists its own container as the only container', async () => {
		const { items } = await run({ resource: 'container', operation: 'getAll', returnAll: true });
		expect(items.map((i) => i.json.name)).toEqual([container]);
	});

	it('is refused in another container before any request, saying which container the SAS grants, with no signature in the error', async () => {
		const other = await createContainer('outside');
		const { error } = await run({ resource: 'blob', operation: 'getAll', container: byName(other), returnAll: true });
		expect(error?.message).toBe(`Container "${other}" is outside the credential's SAS, which grants access to container "${container}" only`);
		expect(error?.description).toMatch(/account SAS/);
		expect(JSON.stringify(error)).not.toContain(signature);
		expect(await sdk().getContainerClient(other).exists()).toBe(true);
	});
});
