/**
 * n8n's database binary data mode (the default in queue mode) reads a whole file into memory and
 * only then refuses it when it is above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MiB by
 * default). A download of a larger blob must be refused from the blob's size, before its bytes are
 * fetched, with the limit and the fixes named. The real database mode runs in the queue-mode
 * suite (test/queue); here the mode is told to the node as n8n tells it, by its environment.
 */
import type { INodeParameters } from 'n8n-workflow';

import { runNode, useBinaryDataMode } from '../helpers/engine';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { byName, MiB, sharedKeyFor } from './support';

let container: string;
const saved = { ...process.env };

beforeAll(async () => {
	await useBinaryDataMode('filesystem');
	container = await createContainer('streaming-db-mode');
	await sdk().getContainerClient(container).getPageBlobClient('big.bin').create(3 * MiB);
	await sdk().getContainerClient(container).getBlockBlobClient('small.bin').uploadData(Buffer.alloc(MiB - 1, 7));
});

afterEach(() => {
	for (const name of ['N8N_DEFAULT_BINARY_DATA_MODE', 'EXECUTIONS_MODE', 'N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE']) {
		if (saved[name] === undefined) delete process.env[name];
		else process.env[name] = saved[name];
	}
});

const download = (blob: string, options: INodeParameters = {}) => {
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());
	return runNode({
		credentials,
		parameters: { authentication, resource: 'blob', operation: 'download', container: byName(container), blob: byName(blob), binaryPropertyName: 'data', options },
	});
};

test.each([
	['N8N_DEFAULT_BINARY_DATA_MODE=database', { N8N_DEFAULT_BINARY_DATA_MODE: 'database' }],
	['queue mode, where database is the default', { EXECUTIONS_MODE: 'queue' }],
])('%s with a 2 MiB limit: a 3 MiB blob is refused from its size, naming the limit and the fixes', async (_label, env) => {
	Object.assign(process.env, env, { N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: '2' });
	const result = await download('big.bin');
	expect(result.items).toHaveLength(0);
	expect(result.error?.message).toBe('Blob "big.bin" is 3 MiB, above the 2 MiB n8n allows for a file in its database binary data mode');
	expect(result.error?.description).toContain('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
	expect(result.error?.description).toContain('Range');
});

test('under the limit, and a range of the large blob, download as usual', async () => {
	Object.assign(process.env, { N8N_DEFAULT_BINARY_DATA_MODE: 'database', N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: '1' });
	const small = await download('small.bin');
	expect(small.error).toBeUndefined();
	expect(small.items[0].binary!.data.fileSize).toBeDefined();
	const range = await download('big.bin', { rangeStart: 0, rangeLength: 1024 });
	expect(range.error).toBeUndefined();
	expect(range.items[0].json.contentRange).toBe(`bytes 0-1023/${3 * MiB}`);
});

test('with the default limit (512 MiB), the same blob downloads', async () => {
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'database';
	const result = await download('big.bin');
	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ name: 'big.bin', size: 3 * MiB });
});
