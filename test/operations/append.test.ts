/** Blob > Append, executed by n8n's engine against Azurite. */
import { randomBytes } from 'crypto';

import { createContainer, sdk } from '../helpers/fixtures';
import { byName, fileItem } from '../helpers/params';
import { guid, putBlob, readBlob, run } from './support';

describe('Blob > Append', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('append');
	});
	const base = (blob: string) => ({ resource: 'blob', operation: 'append', container: byName(container), blob: byName(blob) });

	it('creates the append blob on the first append and adds to its end on the next', async () => {
		const first = await run({ ...base('logs/app.log'), inputDataType: 'text', textContent: 'line 1\n' });
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ name: 'logs/app.log', created: true, appendedBytes: 7, blocks: 1, size: 7 });
		const second = await run({ ...base('logs/app.log'), inputDataType: 'text', textContent: 'line 2\n' });
		expect(second.items[0].json).toMatchObject({ created: false, appendedBytes: 7, size: 14 });
		expect((await readBlob(container, 'logs/app.log')).toString()).toBe('line 1\nline 2\n');
		const props = await sdk().getContainerClient(container).getBlobClient('logs/app.log').getProperties();
		expect(props.blobType).toBe('AppendBlob');
		expect(props.contentType).toBe('text/plain; charset=utf-8');
	});

	it('appends several input items in their order', async () => {
		const items = ['a', 'b', 'c'].map((line) => ({ json: { line } }));
		const { error } = await run({ ...base('ordered.log'), inputDataType: 'text', textContent: '={{ $json.line }}' }, { items });
		expect(error).toBeUndefined();
		expect((await readBlob(container, 'ordered.log')).toString()).toBe('abc');
	});

	it('splits a binary file larger than 4 MiB into blocks of 4 MiB, in order', async () => {
		const data = randomBytes(9 * 1024 * 1024 + 3);
		const { items, error } = await run(
			{ ...base('big.bin'), inputDataType: 'binary', binaryPropertyName: 'data' },
			{ items: [fileItem(data, 'big.bin', 'application/octet-stream')] },
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ blocks: 3, appendedBytes: data.length, size: data.length, committedBlockCount: 3 });
		expect((await readBlob(container, 'big.bin')).equals(data)).toBe(true);
	});

	it('with Create If Missing off, a missing blob is an error and nothing is created', async () => {
		const { error } = await run({ ...base('absent.log'), inputDataType: 'text', textContent: 'x', options: { createIfMissing: false } });
		expect(error?.message).toBe(`Blob "absent.log" does not exist in container "${container}"`);
		expect(error?.description).toContain('Create If Missing');
		expect(await sdk().getContainerClient(container).getBlobClient('absent.log').exists()).toBe(false);
	});

	it('refuses to append to a block blob, and leaves it unchanged', async () => {
		await putBlob(container, 'block.txt', 'block content');
		const { error } = await run({ ...base('block.txt'), inputDataType: 'text', textContent: 'more' });
		expect(error?.message).toBe('Blob "block.txt" is a BlockBlob, not an append blob, so nothing can be appended to it');
		expect((await readBlob(container, 'block.txt')).toString()).toBe('block content');
	});

	it('on a leased append blob, needs the Lease ID and works with it', async () => {
		await sdk().getContainerClient(container).getAppendBlobClient('leased.log').create();
		const leaseId = guid();
		await sdk().getContainerClient(container).getBlobClient('leased.log').getBlobLeaseClient(leaseId).acquireLease(60);
		const without = await run({ ...base('leased.log'), inputDataType: 'text', textContent: 'x' });
		expect(without.error?.message).toContain('is leased');
		const withLease = await run({ ...base('leased.log'), inputDataType: 'text', textContent: 'x', options: { leaseId } });
		expect(withLease.error).toBeUndefined();
		expect((await readBlob(container, 'leased.log')).toString()).toBe('x');
	});

	it('says which binary field is missing', async () => {
		const { error } = await run({ ...base('x.log'), inputDataType: 'binary', binaryPropertyName: 'file' }, { items: [fileItem(Buffer.from('x'), 'a', 'text/plain')] });
		expect(error?.message).toBe('Input Binary Field "file" is not on the input item');
	});

	it('refuses a content type with a line break before any request', async () => {
		const { error } = await run({ ...base('ct.log'), inputDataType: 'text', textContent: 'x', options: { contentType: 'text/plain\nX: y' } });
		expect(error?.message).toContain('Content Type has a line break');
		expect(await sdk().getContainerClient(container).getBlobClient('ct.log').exists()).toBe(false);
	});
});
