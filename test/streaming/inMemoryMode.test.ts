/**
 * n8n's in-memory binary data mode (n8n 1.x's default) keeps a file as one base64 string, which
 * V8 cannot hold beyond a few hundred MiB. A download beyond that must fail with advice, not
 * crash the worker.
 */
import type { INodeParameters } from 'n8n-workflow';

import { runNode, useBinaryDataMode } from '../helpers/engine';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { IN_MEMORY_BINARY_LIMIT } from '../../nodes/AzureBlobStorage/actions/blob/download.operation';
import { byName, MiB, sharedKeyFor } from './support';

let container: string;
const BLOB_SIZE = IN_MEMORY_BINARY_LIMIT + 4 * MiB;

beforeAll(async () => {
	await useBinaryDataMode('default');
	container = await createContainer('streaming-mem');
	// A page blob has its full size from the start (its pages read as zeros), so a blob larger
	// than the limit exists without pushing 388 MiB through Azurite first.
	await sdk().getContainerClient(container).getPageBlobClient('huge.bin').create(BLOB_SIZE);
});

function downloadParameters(authentication: string, options: INodeParameters = {}) {
	return {
		authentication,
		resource: 'blob',
		operation: 'download',
		container: byName(container),
		blob: byName('huge.bin'),
		binaryPropertyName: 'data',
		options,
	};
}

test('in the in-memory binary mode, downloading a blob larger than that mode can hold fails with advice to set N8N_DEFAULT_BINARY_DATA_MODE=filesystem', async () => {
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());

	const result = await runNode({ credentials, parameters: downloadParameters(authentication) });

	expect(result.items).toHaveLength(0);
	expect(result.error?.message).toBe(`Blob "huge.bin" is ${Math.round(BLOB_SIZE / MiB)} MiB, too large for n8n's in-memory binary data mode`);
	expect(result.error?.description).toContain('N8N_DEFAULT_BINARY_DATA_MODE=filesystem');
});

test('in the in-memory binary mode, a byte range of that large blob still downloads inline', async () => {
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());

	const result = await runNode({
		credentials,
		parameters: downloadParameters(authentication, { rangeStart: BLOB_SIZE - MiB, rangeLength: 64 * 1024 }),
	});

	expect(result.error).toBeUndefined();
	const binary = result.items[0].binary!.data;
	expect(binary.id).toBeUndefined();
	expect(Buffer.from(binary.data, 'base64').equals(Buffer.alloc(64 * 1024))).toBe(true);
	expect(result.items[0].json.contentRange).toBe(`bytes ${BLOB_SIZE - MiB}-${BLOB_SIZE - MiB + 64 * 1024 - 1}/${BLOB_SIZE}`);
});
