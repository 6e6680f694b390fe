/** Blob > Set Tags, executed by n8n's engine against Azurite. */
import { createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { guid, nameValues, putBlob, run } from './support';

describe('Blob > Set Tags', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('settags');
	});
	const tagsOf = async (name: string) => (await sdk().getContainerClient(container).getBlobClient(name).getTags()).tags;
	const base = (blob: string) => ({ resource: 'blob', operation: 'setTags', container: byName(container), blob: byName(blob) });

	it('Replace: the blob gets exactly the given tags', async () => {
		await putBlob(container, 'a.txt', 'x', { tags: { old: '1', project: 'beta' } });
		const { items, error } = await run({ ...base('a.txt'), mode: 'replace', tags: nameValues({ project: 'alpha', stage: '2' }) });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'a.txt', container, tags: { project: 'alpha', stage: '2' } });
		expect(await tagsOf('a.txt')).toEqual({ project: 'alpha', stage: '2' });
	});

	it('Merge: adds and changes the given tags and keeps the others', async () => {
		await putBlob(container, 'b.txt', 'x', { tags: { keep: 'me', project: 'beta' } });
		const { items, error } = await run({ ...base('b.txt'), mode: 'merge', tags: nameValues({ project: 'alpha', stage: '3' }) });
		expect(error).toBeUndefined();
		expect(items[0].json.tags).toEqual({ keep: 'me', project: 'alpha', stage: '3' });
		expect(await tagsOf('b.txt')).toEqual({ keep: 'me', project: 'alpha', stage: '3' });
	});

	it('Merge on a blob without tags sets the given ones', async () => {
		await putBlob(container, 'c.txt', 'x');
		const { error } = await run({ ...base('c.txt'), mode: 'merge', tags: nameValues({ project: 'alpha' }) });
		expect(error).toBeUndefined();
		expect(await tagsOf('c.txt')).toEqual({ project: 'alpha' });
	});

	it('Merge that would exceed 10 tags fails and leaves the tags as they were', async () => {
		const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`t${i}`, 'v']));
		await putBlob(container, 'd.txt', 'x', { tags: nine });
		const { error } = await run({ ...base('d.txt'), mode: 'merge', tags: nameValues({ x: '1', y: '2' }) });
		expect(error?.message).toContain('at most 10');
		expect(await tagsOf('d.txt')).toEqual(nine);
	});

	it('refuses a tag with a character Azure does not allow, before any request', async () => {
		await putBlob(container, 'e.txt', 'x', { tags: { keep: '1' } });
		const { error } = await run({ ...base('e.txt'), mode: 'replace', tags: nameValues({ project: 'a&b' }) });
		expect(error?.message).toContain('does not allow in tags');
		expect(await tagsOf('e.txt')).toEqual({ keep: '1' });
	});

	it('on a leased blob, a wrong Lease ID is refused and the right one works', async () => {
		await putBlob(container, 'leased.txt', 'x');
		const leaseId = guid();
		await sdk().getContainerClient(container).getBlobClient('leased.txt').getBlobLeaseClient(leaseId).acquireLease(60);
		const wrong = await run({ ...base('leased.txt'), tags: nameValues({ a: '1' }), options: { leaseId: guid() } });
		expect(wrong.error?.message).toMatch(/lease ID does not match|is leased/);
		const right = await run({ ...base('leased.txt'), tags: nameValues({ a: '1' }), options: { leaseId } });
		expect(right.error).toBeUndefined();
		expect(await tagsOf('leased.txt')).toEqual({ a: '1' });
	});

	it('says which blob does not exist', async () => {
		const { error } = await run({ ...base('nope.txt'), tags: nameValues({ a: '1' }) });
		expect(error?.message).toContain('"nope.txt" does not exist');
	});
});
