/**
 * Blob > Append in n8n's filesystem binary data mode (n8n 2.x's default): the file is read as a
 * stream and sent in 4 MiB append blocks, in order.
 */
import { randomBytes } from 'crypto';

import { useBinaryDataMode } from '../helpers/engine';
import { createContainer } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { storedFileItem, watchBinaryStore } from '../streaming/support';
import { readBlob, run } from './support';

let container: string;
beforeAll(async () => {
	await useBinaryDataMode('filesystem');
	container = await createContainer('append-fs');
});

test('appends a 10 MiB stored file after existing content, read as a stream, in 3 blocks', async () => {
	const head = (await run({ resource: 'blob', operation: 'append', container: byName(container), blob: byName('stream.log'), inputDataType: 'text', textContent: 'head\n' })).items[0].json;
	expect(head.created).toBe(true);
	const data = randomBytes(10 * 1024 * 1024);
	const item = await storedFileItem(data, 'chunk.bin');
	const watch = watchBinaryStore();
	try {
		const { items, error } = await run(
			{ resource: 'blob', operation: 'append', container: byName(container), blob: byName('stream.log'), inputDataType: 'binary', binaryPropertyName: 'data' },
			{ items: [item] },
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ created: false, blocks: 3, appendedBytes: data.length, size: data.length + 5 });
		expect(watch.bufferReads).toBe(0);
	} finally {
		watch.stop();
	}
	const stored = await readBlob(container, 'stream.log');
	expect(stored.subarray(0, 5).toString()).toBe('head\n');
	expect(stored.subarray(5).equals(data)).toBe(true);
});
