/** Blob > Set Metadata, executed by n8n's engine against Azurite. */
import { createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { guid, nameValues, putBlob, run } from './support';

describe('Blob > Set Metadata', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('setmeta');
	});
	const props = (name: string) => sdk().getContainerClient(container).getBlobClient(name).getProperties();

	it('replaces all metadata: names not listed are gone, and the content is unchanged', async () => {
		await putBlob(container, 'a.txt', 'content', { metadata: { old: '1', keep: 'x' } });
		const { items, error } = await run({
			resource: 'blob',
			operation: 'setMetadata',
			container: byName(container),
			blob: byName('a.txt'),
			metadata: nameValues({ keep: 'y', added: 'z' }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'a.txt', container, metadata: { keep: 'y', added: 'z' } });
		expect(items[0].json.etag).toEqual(expect.any(String));
		const after = await props('a.txt');
		expect(after.metadata).toEqual({ keep: 'y', added: 'z' });
		expect(after.contentLength).toBe(7);
	});

	it('an empty list removes all metadata', async () => {
		await putBlob(container, 'b.txt', 'x', { metadata: { old: '1' } });
		const { error } = await run({ resource: 'blob', operation: 'setMetadata', container: byName(container), blob: byName('b.txt') });
		expect(error).toBeUndefined();
		expect((await props('b.txt')).metadata).toEqual({});
	});

	it('with Only If ETag Matches, refuses when the blob changed since that ETag', async () => {
		const first = await putBlob(container, 'c.txt', 'v1');
		await putBlob(container, 'c.txt', 'v2', { metadata: { by: 'someone' } });
		const { error } = await run({
			resource: 'blob',
			operation: 'setMetadata',
			container: byName(container),
			blob: byName('c.txt'),
			metadata: nameValues({ by: 'me' }),
			options: { ifMatch: first.etag },
		});
		expect(error?.message).toContain('changed');
		expect((await props('c.txt')).metadata).toEqual({ by: 'someone' });
	});

	it('with the current ETag, applies the change', async () => {
		const { etag } = await putBlob(container, 'd.txt', 'v1');
		const { error } = await run({
			resource: 'blob',
			operation: 'setMetadata',
			container: byName(container),
			blob: byName('d.txt'),
			metadata: nameValues({ by: 'me' }),
			options: { ifMatch: etag },
		});
		expect(error).toBeUndefined();
		expect((await props('d.txt')).metadata).toEqual({ by: 'me' });
	});

	it('refuses an invalid metadata name before any request', async () => {
		await putBlob(container, 'e.txt', 'x', { metadata: { keep: '1' } });
		const { error } = await run({
			resource: 'blob',
			operation: 'setMetadata',
			container: byName(container),
			blob: byName('e.txt'),
			metadata: nameValues({ 'bad-name': '1' }),
		});
		expect(error?.message).toContain('not a valid metadata name');
		expect((await props('e.txt')).metadata).toEqual({ keep: '1' });
	});

	it('on a leased blob, needs the Lease ID and works with it', async () => {
		await putBlob(container, 'leased.txt', 'x');
		const leaseId = guid();
		await sdk().getContainerClient(container).getBlobClient('leased.txt').getBlobLeaseClient(leaseId).acquireLease(60);
		const params = { resource: 'blob', operation: 'setMetadata', container: byName(container), blob: byName('leased.txt'), metadata: nameValues({ k: 'v' }) };
		const without = await run(params);
		expect(without.error?.message).toContain('is leased');
		const withLease = await run({ ...params, options: { leaseId } });
		expect(withLease.error).toBeUndefined();
		expect((await props('leased.txt')).metadata).toEqual({ k: 'v' });
	});

	it('refuses a Lease ID that is not a GUID, naming the field', async () => {
		await putBlob(container, 'f.txt', 'x');
		const { error } = await run({
			resource: 'blob',
			operation: 'setMetadata',
			container: byName(container),
			blob: byName('f.txt'),
			metadata: nameValues({ k: 'v' }),
			options: { leaseId: 'my-lease' },
		});
		expect(error?.message).toMatch(/^Lease ID "my-lease" is not a lease ID/);
	});

	it('says which blob does not exist', async () => {
		const { error } = await run({ resource: 'blob', operation: 'setMetadata', container: byName(container), blob: byName('nope.txt'), metadata: nameValues({ k: 'v' }) });
		expect(error?.message).toContain('"nope.txt" does not exist');
	});
});
