/** Blob > Get Properties, executed by n8n's engine against Azurite. */
import { createContainer, sdk, blobEndpoint, containerSasUrl } from '../helpers/fixtures';
import { byName, byUrl } from '../helpers/params';
import { putBlob, run } from './support';

describe('Blob > Get Properties', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('props');
		await putBlob(container, 'docs/report.txt', 'hello world', {
			blobHTTPHeaders: { blobContentType: 'text/plain', blobCacheControl: 'max-age=60' },
			metadata: { owner: 'ana' },
			tags: { project: 'alpha' },
		});
	});

	it('returns system properties, metadata, tags, lease and tier of a blob without downloading it', async () => {
		const { items, error } = await run({ resource: 'blob', operation: 'getProperties', container: byName(container), blob: byName('docs/report.txt') });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			name: 'docs/report.txt',
			container,
			url: `${blobEndpoint()}/${container}/docs/report.txt`,
			blobType: 'BlockBlob',
			size: 11,
			contentType: 'text/plain',
			cacheControl: 'max-age=60',
			accessTier: 'Hot',
			leaseState: 'available',
			leaseStatus: 'unlocked',
			metadata: { owner: 'ana' },
			tags: { project: 'alpha' },
		});
		expect(items[0].json.etag).toEqual(expect.any(String));
		expect(items[0].json.lastModified).toEqual(expect.stringMatching(/^\d{4}-/));
	});

	it('shows the lease state and duration of a leased blob', async () => {
		await putBlob(container, 'leased.txt', 'x');
		await sdk().getContainerClient(container).getBlobClient('leased.txt').getBlobLeaseClient().acquireLease(-1);
		const { items } = await run({ resource: 'blob', operation: 'getProperties', container: byName(container), blob: byName('leased.txt') });
		expect(items[0].json).toMatchObject({ leaseState: 'leased', leaseStatus: 'locked', leaseDuration: 'infinite' });
	});

	it('shows the copy status and source of a copied blob, with the source\'s SAS removed', async () => {
		const sourceUrl = `${blobEndpoint()}/${container}/docs/report.txt`;
		const sas = containerSasUrl(container, 'r').split('?')[1];
		const target = sdk().getContainerClient(container).getBlobClient('copied.txt');
		const poller = await target.beginCopyFromURL(`${sourceUrl}?${sas}`);
		await poller.pollUntilDone();
		const { items } = await run({ resource: 'blob', operation: 'getProperties', container: byName(container), blob: byName('copied.txt') });
		expect(items[0].json).toMatchObject({ copyStatus: 'success', copySource: sourceUrl, copyProgress: '11/11' });
		expect(JSON.stringify(items[0].json)).not.toContain('sig=');
	});

	it('reads a blob picked by URL and leaves tags out when Include Tags is off', async () => {
		const { items } = await run({
			resource: 'blob',
			operation: 'getProperties',
			container: byName(container),
			blob: byUrl(`${blobEndpoint()}/${container}/docs/report.txt`),
			options: { includeTags: false },
		});
		expect(items[0].json.name).toBe('docs/report.txt');
		expect(items[0].json).not.toHaveProperty('tags');
	});

	it('says which blob does not exist', async () => {
		const { error } = await run({ resource: 'blob', operation: 'getProperties', container: byName(container), blob: byName('missing.txt') });
		expect(error?.message).toContain('"missing.txt"');
		expect(error?.message).toContain('does not exist');
	});

	it('with Continue On Fail, a missing blob becomes an error item with Azure\'s code', async () => {
		const { items } = await run(
			{ resource: 'blob', operation: 'getProperties', container: byName(container), blob: byName('missing.txt') },
			{ continueOnFail: true },
		);
		expect(items[0].json).toMatchObject({ httpCode: '404' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});
});
