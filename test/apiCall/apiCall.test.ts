/**
 * The "API Call" resource executed by n8n's real engine against Azurite, with every key- and
 * SAS-based credential type: any Blob REST operation with the credential's authentication.
 * (The Entra ID credentials: apiCallEntraId.test.ts.)
 */
import { randomBytes } from 'crypto';

import { runNode, useBinaryDataMode, type RunResult } from '../helpers/engine';
import { blobEndpoint, containerSasUrl, createContainer, credentialCases, sdk, using, type CredentialCase } from '../helpers/fixtures';
import { fileItem, sha256 } from '../helpers/params';
import { MiB, readStoredBinary, storedFileItem, watchBinaryStore } from '../streaming/support';

function pairs(values: Record<string, string>) {
	return { entries: Object.entries(values).map(([name, value]) => ({ name, value })) };
}

function apiCall(parameters: Record<string, unknown>) {
	return { resource: 'apiCall', operation: 'request', ...parameters };
}

async function runWith(credential: Pick<CredentialCase, 'authentication' | 'type' | 'data'>, parameters: Record<string, unknown>, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	const { credentials, authentication } = using(credential);
	return await runNode({ credentials, parameters: { authentication, ...apiCall(parameters) } as never, ...extra });
}

function expectNoSecrets(result: RunResult, secrets: string[]) {
	const text = JSON.stringify([result.items, result.error, result.error?.message, result.error?.description]);
	for (const secret of secrets) expect(text).not.toContain(secret);
}

describe.each(credentialCases())('API Call with $label credentials', (credential) => {
	let container: string;
	const run = (parameters: Record<string, unknown>, extra?: Partial<Parameters<typeof runNode>[0]>) => runWith(credential, parameters, extra);

	beforeAll(async () => {
		container = await createContainer('api');
		const client = sdk().getContainerClient(container);
		await client.getBlockBlobClient('list/a.txt').uploadData(Buffer.from('a'));
		await client.getBlockBlobClient('list/b.txt').uploadData(Buffer.from('bb'));
	});

	it('List Blobs: the XML answer becomes JSON, the request is echoed without the SAS', async () => {
		const result = await run({
			method: 'GET',
			path: `/${container}`,
			queryParameters: pairs({ restype: 'container', comp: 'list', prefix: 'list/' }),
		});
		expect(result.error).toBeUndefined();
		const json = result.items[0].json as any;
		expect(json.statusCode).toBe(200);
		expect(json.headers['content-type']).toMatch(/xml/);
		const blobs = json.body.EnumerationResults.Blobs.Blob;
		expect(blobs.map((b: any) => [b.Name, Number(b.Properties['Content-Length'])])).toEqual([
			['list/a.txt', 1],
			['list/b.txt', 2],
		]);
		expect(json.request).toEqual({ method: 'GET', url: `${blobEndpoint()}/${container}?restype=container&comp=list&prefix=list%2F` });
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expectNoSecrets(result, credential.secrets);
	});

	it('Put Blob with a binary body: Azure holds exactly the bytes, with the file\'s content type', async () => {
		const content = randomBytes(300 * 1024);
		const result = await run(
			{
				method: 'PUT',
				path: `/${container}/uploads/photo 1.bin`,
				headers: pairs({ 'x-ms-blob-type': 'BlockBlob' }),
				bodyType: 'binary',
				inputBinaryField: 'file',
			},
			{ items: [{ json: {}, binary: { file: fileItem(content, 'photo.bin', 'image/x-test').binary!.data } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ statusCode: 201, body: '' });
		const blob = sdk().getContainerClient(container).getBlobClient('uploads/photo 1.bin');
		expect(sha256(await blob.downloadToBuffer())).toBe(sha256(content));
		expect((await blob.getProperties()).contentType).toBe('image/x-test');
		expectNoSecrets(result, credential.secrets);
	});

	it('Get Blob into a binary field: the bytes, file name and type of the blob', async () => {
		const content = randomBytes(200 * 1024);
		await sdk()
			.getContainerClient(container)
			.getBlockBlobClient('downloads/report.pdf')
			.uploadData(content, { blobHTTPHeaders: { blobContentType: 'application/pdf' } });
		const result = await run({ method: 'GET', path: `/${container}/downloads/report.pdf`, responseFormat: 'file', outputBinaryField: 'pdf' });
		expect(result.error).toBeUndefined();
		const item = result.items[0];
		expect(item.json).toMatchObject({ statusCode: 200, headers: { 'content-length': String(content.length), 'content-type': 'application/pdf' } });
		expect(item.binary!.pdf).toMatchObject({ fileName: 'report.pdf', mimeType: 'application/pdf' });
		expect(sha256(Buffer.from(item.binary!.pdf.data, 'base64'))).toBe(sha256(content));
	});

	it('Set Blob Metadata: the names (with "_" and digits, which Azure sorts its own way) are stored', async () => {
		const blob = sdk().getContainerClient(container).getBlockBlobClient('meta.txt');
		await blob.uploadData(Buffer.from('m'));
		const result = await run({
			method: 'PUT',
			path: `/${container}/meta.txt?comp=metadata`,
			headers: pairs({ 'x-ms-meta-owner': 'finance', 'x-ms-meta-a_1': 'underscore', 'x-ms-meta-a1': 'digit', 'x-ms-meta-Z': 'upper' }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ statusCode: 200 });
		expect((await blob.getProperties()).metadata).toEqual({ owner: 'finance', a_1: 'underscore', a1: 'digit', z: 'upper' });
	});

	it('a missing blob (404) fails with Azure\'s code, HTTP status, request id and what to check', async () => {
		const result = await run({ method: 'GET', path: `/${container}/missing.txt` });
		expect(result.error?.message).toBe(`Blob "missing.txt" does not exist in container "${container}"`);
		expect(result.error?.description).toContain('Azure error code: BlobNotFound');
		expect(result.error?.description).toMatch(/request id: \S+/);
		expect(result.error?.httpCode).toBe('404');
		expectNoSecrets(result, credential.secrets);
	});

	it('a URL of another host is refused before anything is sent, naming the host', async () => {
		const result = await run({ method: 'GET', path: 'https://attacker.example.com/devstoreaccount1/x?comp=list' });
		expect(result.error?.message).toBe(
			`Path or URL is for host attacker.example.com, not for the credential's storage account at ${blobEndpoint()}`,
		);
		expectNoSecrets(result, credential.secrets);
	});
});

describe('API Call: details (Shared Key)', () => {
	const [sharedKey] = credentialCases();
	let container: string;
	const run = (parameters: Record<string, unknown>, extra?: Partial<Parameters<typeof runNode>[0]>) => runWith(sharedKey, parameters, extra);

	beforeAll(async () => {
		container = await createContainer('api-details');
		await sdk()
			.getContainerClient(container)
			.getBlockBlobClient('doc.txt')
			.uploadData(Buffer.from('hello'), { metadata: { owner: 'ops' } });
	});

	it('"Return Error Responses as Items" outputs the 404 with status, headers and the parsed error body', async () => {
		const result = await run({ method: 'GET', path: `/${container}/nope.txt`, options: { returnErrorResponses: true } });
		expect(result.error).toBeUndefined();
		const json = result.items[0].json as any;
		expect(json.statusCode).toBe(404);
		expect(json.headers['x-ms-error-code']).toBe('BlobNotFound');
		expect(json.body.Error.Code).toBe('BlobNotFound');
	});

	it('with "Continue On Fail" the failed item carries the code and the next item still runs', async () => {
		const result = await run(
			{ method: 'GET', path: `={{ "/${container}/" + $json.name }}`, responseFormat: 'text' },
			{ items: [{ json: { name: 'nope.txt' } }, { json: { name: 'doc.txt' } }], continueOnFail: true },
		);
		expect(result.items[0].json).toMatchObject({ code: 'BlobNotFound', httpCode: '404', requestId: expect.any(String) });
		expect(result.items[1].json).toMatchObject({ statusCode: 200, body: 'hello' });
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('HEAD (Get Blob Properties) outputs the headers, including the metadata', async () => {
		const result = await run({ method: 'HEAD', path: `/${container}/doc.txt` });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ statusCode: 200, body: '', headers: { 'content-length': '5', 'x-ms-meta-owner': 'ops' } });
	});

	it('a full URL of the account works like a path, with an x-ms-version of the workflow\'s choosing', async () => {
		const result = await run({
			method: 'GET',
			path: `${blobEndpoint()}/${container}?restype=container&comp=list`,
			headers: pairs({ 'x-ms-version': '2021-12-02' }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ statusCode: 200, body: { EnumerationResults: { $: { ContainerName: container } } } });
	});

	it('Put Blob with a JSON body and with a text body (Content-Type from the body choice or the Headers)', async () => {
		const json = await run({
			method: 'PUT',
			path: `/${container}/data.json`,
			headers: pairs({ 'x-ms-blob-type': 'BlockBlob' }),
			bodyType: 'json',
			jsonBody: '{ "a": [1, 2], "b": "ü" }',
		});
		expect(json.error).toBeUndefined();
		const text = await run({
			method: 'PUT',
			path: `/${container}/tags.xml`,
			headers: pairs({ 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'application/xml' }),
			bodyType: 'text',
			textBody: '<?xml version="1.0"?><x>ü</x>',
		});
		expect(text.error).toBeUndefined();
		const client = sdk().getContainerClient(container);
		expect((await client.getBlobClient('data.json').downloadToBuffer()).toString()).toBe('{"a":[1,2],"b":"ü"}');
		expect((await client.getBlobClient('data.json').getProperties()).contentType).toBe('application/json');
		expect((await client.getBlobClient('tags.xml').downloadToBuffer()).toString()).toBe('<?xml version="1.0"?><x>ü</x>');
		expect((await client.getBlobClient('tags.xml').getProperties()).contentType).toBe('application/xml');
	});

	it('Set Blob Tags with an XML text body, as in the README', async () => {
		const result = await run({
			method: 'PUT',
			path: `/${container}/doc.txt?comp=tags`,
			headers: pairs({ 'Content-Type': 'application/xml' }),
			bodyType: 'text',
			textBody: '<?xml version="1.0" encoding="utf-8"?><Tags><TagSet><Tag><Key>year</Key><Value>2024</Value></Tag></TagSet></Tags>',
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ statusCode: 204 });
		expect((await sdk().getContainerClient(container).getBlobClient('doc.txt').getTags()).tags).toEqual({ year: '2024' });
	});

	it.each([
		[{ method: 'PATCH', path: '/' }, 'Method must be one of "DELETE", "GET", "HEAD", "POST", "PUT"; got "PATCH"'],
		[{ method: 'GET', path: 42 }, 'Path or URL must be text, but the expression returned a number (42)'],
		[{ method: 'GET', path: '/c/a/../../other/x' }, 'Path or URL "/c/a/../../other/x" has a "." or ".." path segment, which URLs resolve to another blob or container'],
		[{ method: 'GET', path: '/c/%2e%2e/x' }, 'Path or URL "/c/%2e%2e/x" has a "." or ".." path segment, which URLs resolve to another blob or container'],
		[{ method: 'GET', path: '/c/a\\b' }, 'Path or URL has a backslash (\\), which URLs turn into "/"'],
		[{ method: 'GET', path: '/c/100%' }, 'Path or URL has a "%" not followed by two hex digits'],
		[{ method: 'PUT', path: '/c/x', bodyType: 'json', jsonBody: '{"a": }' }, /^JSON Body is not valid JSON: /],
		[{ method: 'GET', path: '/c', headers: pairs({ 'x-ms-meta-a': 'line\nbreak' }) }, 'Headers: the value of "x-ms-meta-a" has a line break, which HTTP headers cannot carry'],
		[{ method: 'GET', path: '/c', headers: pairs({ 'bad header': 'x' }) }, 'Headers: "bad header" is not a valid header name'],
		[{ method: 'GET', path: '/c', headers: pairs({ Authorization: 'Bearer x' }) }, 'Headers: remove "Authorization": the credential authorizes the request itself'],
		[
			{ method: 'PUT', path: '/c/x?comp=metadata', headers: pairs({ 'x-ms-meta-note': credentialCases()[0].secrets[0] }) },
			'Headers: the value of "x-ms-meta-note" holds what looks like a secret (an account key, SAS signature or token)',
		],
		[{ method: 'GET', path: '/c?sv=2020&sig=abc' }, 'The request has a SAS signature (a "sig" parameter) of its own'],
		[{ method: 'GET', path: '/c', queryParameters: { entries: [{ name: 'comp', value: { a: 1 } }] } }, 'Query Parameters value of "comp" must be text, but the expression returned an object'],
		[{ method: 'GET', path: 'http://127.0.0.1:1/devstoreaccount1/c' }, /^Path or URL is for host 127\.0\.0\.1:1, not for the credential's storage account/],
		[{ method: 'GET', path: '/c', responseFormat: 'xml' }, 'Response Format must be one of "parsed", "text", "file"; got "xml"'],
	])('refuses %j before any request: %s', async (parameters, message) => {
		const result = await run(parameters as Record<string, unknown>);
		expect(result.items).toEqual([]);
		if (typeof message === 'string') expect(result.error?.message).toBe(message);
		else expect(result.error?.message).toMatch(message);
	});

	it('a URL of another account on the same IP endpoint is refused', async () => {
		const other = blobEndpoint().replace('/devstoreaccount1', '/otheraccount');
		const result = await run({ method: 'GET', path: `${other}/c?restype=container` });
		expect(result.error?.message).toBe(`Path or URL is not under the credential's account ${blobEndpoint()}`);
	});

	it('applies the item\'s timeouts and retries (Max Retries 0, Request Timeout 5 s)', async () => {
		const result = await run({ method: 'GET', path: `/${container}/doc.txt`, responseFormat: 'text', options: { maxRetries: 0, requestTimeout: 5 } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ body: 'hello' });
	});
});

describe('API Call with a container SAS', () => {
	it('works inside its container and refuses any other path before sending', async () => {
		const container = await createContainer('api-sas');
		await sdk().getContainerClient(container).getBlockBlobClient('in.txt').uploadData(Buffer.from('inside'));
		const sasUrl = containerSasUrl(container);
		const signature = new URLSearchParams(sasUrl.split('?')[1]).get('sig')!;
		const credential = { authentication: 'sas', type: 'azureBlobStorageSasApi', data: { sasMode: 'sasUrl', sasUrl } };
		const inside = await runWith(credential, { method: 'GET', path: `/${container}/in.txt`, responseFormat: 'text' });
		expect(inside.error).toBeUndefined();
		expect(inside.items[0].json).toMatchObject({ statusCode: 200, body: 'inside', request: { url: `${blobEndpoint()}/${container}/in.txt` } });

		const outside = await runWith(credential, { method: 'GET', path: '/other-container/x.txt' });
		expect(outside.error?.message).toBe(
			'Path or URL is in container "other-container", outside the credential\'s SAS, which grants access to container "' + container + '" only',
		);
		const account = await runWith(credential, { method: 'GET', path: '/?comp=list' });
		expect(account.error?.message).toMatch(/^Path or URL is for the whole account, outside the credential's SAS/);
		expectNoSecrets(inside, [signature, encodeURIComponent(signature)]);
	});
});

describe('API Call with n8n\'s filesystem binary data mode (streams both ways)', () => {
	beforeAll(async () => await useBinaryDataMode('filesystem'));
	afterAll(async () => await useBinaryDataMode('default'));

	it('streams a 24 MiB file up from the binary store and back down into it, never reading it whole; the bytes match', async () => {
		const [sharedKey] = credentialCases();
		const container = await createContainer('api-stream');
		const content = randomBytes(24 * MiB);
		const item = await storedFileItem(content, 'big.bin', 'application/x-big');
		const watch = watchBinaryStore();
		try {
			const up = await runWith(
				sharedKey,
				{ method: 'PUT', path: `/${container}/big.bin`, headers: pairs({ 'x-ms-blob-type': 'BlockBlob' }), bodyType: 'binary', inputBinaryField: 'data' },
				{ items: [item] },
			);
			expect(up.error).toBeUndefined();
			expect(up.items[0].json).toMatchObject({ statusCode: 201 });
			expect(watch.bufferReads).toBe(0);
			expect(watch.streams.length).toBeGreaterThanOrEqual(1);

			const down = await runWith(sharedKey, { method: 'GET', path: `/${container}/big.bin`, responseFormat: 'file', outputBinaryField: 'data' });
			expect(down.error).toBeUndefined();
			const binary = down.items[0].binary!.data;
			expect(binary.id).toBeTruthy();
			expect(binary).toMatchObject({ fileName: 'big.bin', mimeType: 'application/x-big' });
			expect(watch.writes.filter((w) => w === 'stream').length).toBeGreaterThanOrEqual(1);
			expect(sha256(await readStoredBinary(binary))).toBe(sha256(content));
		} finally {
			watch.stop();
		}
	}, 90_000);
});
