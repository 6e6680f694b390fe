/** Options and choices not covered elsewhere, each seen the way a user sees it: through the engine. */
import { runNode } from '../helpers/engine';
import { createContainer, credentialCases, sdk, uniqueContainerName, using } from '../helpers/fixtures';
import { byName } from '../helpers/params';

const { credentials, authentication } = using(credentialCases()[0]);
const run = (parameters: Record<string, unknown>, items?: Parameters<typeof runNode>[0]['items']) =>
	runNode({ credentials, parameters: { authentication, ...parameters } as never, items });

describe('Container > Create and Delete choices', () => {
	it('fails on an existing container by default, saying how to go on, and skips it when asked', async () => {
		const name = await createContainer('exists-c');
		const refused = await run({ resource: 'container', operation: 'create', containerName: name });
		expect(refused.error?.message).toBe(`Container "${name}" already exists`);
		expect(refused.error?.description).toContain('If Container Exists');

		const skipped = await run({ resource: 'container', operation: 'create', containerName: name, ifExists: 'skip' });
		expect(skipped.error).toBeUndefined();
		expect(skipped.items[0].json).toMatchObject({ name, created: false, etag: expect.any(String) });
	});

	it('creates a container with anonymous blob read access when asked', async () => {
		const name = uniqueContainerName('public');
		const { error } = await run({ resource: 'container', operation: 'create', containerName: name, options: { publicAccess: 'blob' } });
		expect(error).toBeUndefined();
		expect((await sdk().getContainerClient(name).getAccessPolicy()).blobPublicAccess).toBe('blob');
	});

	it('reports a missing container on delete, or succeeds with deleted: false when asked', async () => {
		const name = uniqueContainerName('ghost');
		const refused = await run({ resource: 'container', operation: 'delete', container: byName(name) });
		expect(refused.error?.message).toBe(`Container "${name}" does not exist in this storage account`);
		const tolerated = await run({ resource: 'container', operation: 'delete', container: byName(name), options: { ignoreMissing: true } });
		expect(tolerated.items[0].json).toMatchObject({ name, deleted: false, existed: false });
	});
});

describe('Upload and Download options', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('options');
	});

	it('stores Cache-Control and Content-Disposition with the blob', async () => {
		const { error } = await run({
			resource: 'blob',
			operation: 'upload',
			container: byName(container),
			blobName: 'report.pdf',
			inputDataType: 'text',
			textContent: '%PDF',
			options: { cacheControl: 'max-age=3600', contentDisposition: 'attachment; filename="report.pdf"' },
		});
		expect(error).toBeUndefined();
		const properties = await sdk().getContainerClient(container).getBlobClient('report.pdf').getProperties();
		expect(properties.cacheControl).toBe('max-age=3600');
		expect(properties.contentDisposition).toBe('attachment; filename="report.pdf"');
	});

	it('asks for a Blob Name when the input file has no name', async () => {
		const { error } = await run(
			{ resource: 'blob', operation: 'upload', container: byName(container) },
			[{ json: {}, binary: { data: { data: Buffer.from('x').toString('base64'), mimeType: 'text/plain' } } }],
		);
		expect(error?.message).toBe('Blob Name is empty and the input binary has no file name');
		expect(error?.description).toContain('Enter a Blob Name');
	});

	it('names the downloaded file as asked', async () => {
		await sdk().getContainerClient(container).getBlockBlobClient('exports/2024-01.csv').uploadData(Buffer.from('a,b'));
		const { items, error } = await run({
			resource: 'blob',
			operation: 'download',
			container: byName(container),
			blob: byName('exports/2024-01.csv'),
			options: { fileName: 'january.csv' },
		});
		expect(error).toBeUndefined();
		expect(items[0].binary!.data.fileName).toBe('january.csv');
		expect(items[0].json.name).toBe('exports/2024-01.csv');
	});
});
