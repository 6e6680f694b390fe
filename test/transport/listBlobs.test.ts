/**
 * The package's List Blobs reader (transport/listBlobs.ts) against the SDK's own listing, on the
 * same Azurite containers: names that XML must escape, every kind of blob, content settings,
 * metadata, tags, snapshots, the folder view and paging. Then the reader alone, on documents
 * Azurite does not produce (encoded names, character references, CDATA, comments) and on broken
 * ones, which must fail, never come back as a shorter list.
 */
import { BlobServiceClient, ContainerClient, type BlobItem } from '@azure/storage-blob';
import { createHash } from 'crypto';

import { sendThroughClient } from '../../nodes/AzureBlobStorage/transport/apiRequest';
import { DEFAULT_LIMITS, installPolicies } from '../../nodes/AzureBlobStorage/transport/policies';
import { BlobListFormatError, listBlobPages, parseBlobList, type ListBlobsOptions } from '../../nodes/AzureBlobStorage/transport/listBlobs';
import { blobEndpoint, containerSasUrl, createContainer, sdk, sharedKey } from '../helpers/fixtures';

const NAMES = [
	'plain.txt',
	'a & b.txt',
	'less < greater > .txt',
	'quotes " and \' .txt',
	'percent %41 and plus + and hash # and question ? .txt',
	'ünïcødé/日本語/файл.txt',
	'emoji 🎉.txt',
	'  spaces around  ',
	'cdata ]]> end.txt',
	'folder/sub/deep.txt',
	'folder/top.txt',
	'folder2/x',
	'&amp; literally.txt',
	'x'.repeat(600),
];

async function all(client: ContainerClient, options: Omit<ListBlobsOptions, 'abortSignal'>) {
	const blobs: BlobItem[] = [];
	const prefixes: string[] = [];
	let pages = 0;
	for await (const page of listBlobPages(client, { ...options, abortSignal: new AbortController().signal })) {
		pages++;
		blobs.push(...page.blobs);
		prefixes.push(...page.prefixes);
		expect(page.date).toBeInstanceOf(Date);
	}
	return { blobs, prefixes, pages };
}

/** The fields the package reads from a listed blob, as the SDK's BlobItem has them. */
function comparable(item: BlobItem) {
	const { properties } = item;
	return {
		name: item.name,
		snapshot: item.snapshot || undefined,
		versionId: item.versionId,
		isCurrentVersion: item.isCurrentVersion,
		deleted: item.deleted || undefined,
		metadata: item.metadata && Object.keys(item.metadata).length ? item.metadata : undefined,
		tags: item.tags && Object.keys(item.tags).length ? item.tags : undefined,
		properties: Object.fromEntries(
			Object.entries(properties)
				.filter(([, value]) => value !== undefined)
				.map(([key, value]) => [
					key,
					value instanceof Date ? value.toISOString() : value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
				]),
		),
	};
}

describe('List Blobs reader: same blobs as the SDK, on Azurite', () => {
	let container: string;
	let client: ContainerClient;
	beforeAll(async () => {
		container = await createContainer('listreader');
		client = sdk().getContainerClient(container);
		for (const name of NAMES) {
			await client.getBlockBlobClient(name).upload(name, Buffer.byteLength(name), {
				metadata: { kind: 'block', note: 'a & b < c > "d"' },
				tags: { team: 'a+b/c.d_e:f', 'with space': 'v=1' },
				blobHTTPHeaders: {
					blobContentType: 'text/plain; charset="utf-8"',
					blobContentEncoding: 'identity',
					blobContentLanguage: 'de-CH',
					blobContentDisposition: 'attachment; filename="a & b.txt"',
					blobCacheControl: 'max-age=60',
					blobContentMD5: createHash('md5').update(name).digest(),
				},
			});
		}
		await client.getAppendBlobClient('append.log').create();
		await client.getPageBlobClient('disk.vhd').create(1024);
		await client.getBlockBlobClient('leased.txt').upload('x', 1);
		await client.getBlobClient('leased.txt').getBlobLeaseClient().acquireLease(-1);
		await client.getBlobClient('plain.txt').createSnapshot();
		await client.getBlockBlobClient('empty').upload('', 0);
	});

	it('lists every blob with the same name, properties, metadata, tags and snapshots as the SDK', async () => {
		const options = { includeMetadata: true, includeTags: true, includeSnapshots: true };
		const expected: BlobItem[] = [];
		for await (const item of client.listBlobsFlat(options)) expected.push(item);
		const { blobs } = await all(client, { ...options, pageSize: 5000 });
		expect(expected.length).toBe(NAMES.length + 5);
		expect(blobs.map(comparable)).toEqual(expected.map(comparable));
		// Not vacuous: the fields the output items show are there.
		const plain = blobs.find((b) => b.name === 'a & b.txt')!;
		expect(plain.metadata).toEqual({ kind: 'block', note: 'a & b < c > "d"' });
		expect(plain.tags).toEqual({ team: 'a+b/c.d_e:f', 'with space': 'v=1' });
		expect(plain.properties.contentDisposition).toBe('attachment; filename="a & b.txt"');
		expect(plain.properties.lastModified).toBeInstanceOf(Date);
		expect(plain.properties.contentLength).toBe(Buffer.byteLength('a & b.txt'));
		expect(blobs.filter((b) => b.name === 'plain.txt').map((b) => Boolean(b.snapshot))).toEqual([true, false]);
	});

	it('without the include options, lists the same as the SDK (no metadata, tags or snapshots)', async () => {
		const expected: BlobItem[] = [];
		for await (const item of client.listBlobsFlat()) expected.push(item);
		const { blobs } = await all(client, { pageSize: 5000 });
		expect(blobs.map(comparable)).toEqual(expected.map(comparable));
		expect(blobs.every((b) => b.metadata === undefined && b.tags === undefined && !b.snapshot)).toBe(true);
	});

	it('pages: the same blobs in the same order, one request per page', async () => {
		const expected: string[] = [];
		for await (const item of client.listBlobsFlat()) expected.push(item.name);
		const { blobs, pages } = await all(client, { pageSize: 3 });
		expect(blobs.map((b) => b.name)).toEqual(expected);
		expect(pages).toBe(Math.ceil(expected.length / 3));
	});

	it('prefix and folder view match the SDK, with names that need escaping in the query', async () => {
		for (const prefix of ['folder/', 'a & b', 'percent %41 and plus +', 'ünïcødé/', '  spaces']) {
			const expected: string[] = [];
			for await (const item of client.listBlobsFlat({ prefix })) expected.push(item.name);
			const { blobs } = await all(client, { prefix, pageSize: 2 });
			expect(blobs.map((b) => b.name)).toEqual(expected);
			expect(expected.length).toBeGreaterThan(0);
		}
		const expectedPrefixes: string[] = [];
		const expectedBlobs: string[] = [];
		for await (const page of client.listBlobsByHierarchy('/').byPage({ maxPageSize: 5000 })) {
			expectedPrefixes.push(...(page.segment.blobPrefixes ?? []).map((p) => p.name));
			expectedBlobs.push(...page.segment.blobItems.map((b) => b.name));
		}
		const { blobs, prefixes } = await all(client, { delimiter: '/', pageSize: 5000 });
		expect(prefixes).toEqual(expectedPrefixes);
		expect(prefixes).toEqual(expect.arrayContaining(['folder/', 'folder2/', 'ünïcødé/']));
		expect(blobs.map((b) => b.name)).toEqual(expectedBlobs);
	});

	it('works with a container SAS (the SAS travels in the client URL next to the list query)', async () => {
		const sasClient = new ContainerClient(containerSasUrl(container, 'rl'));
		const { blobs } = await all(sasClient, { prefix: 'folder/', pageSize: 1 });
		expect(blobs.map((b) => b.name)).toEqual(['folder/sub/deep.txt', 'folder/top.txt']);
	});

	it('through the package\'s pipeline the SDK leaves the page unparsed (it is read once, by the reader)', async () => {
		const send = (withPolicies: boolean) => {
			const service = new BlobServiceClient(blobEndpoint(), sharedKey);
			if (withPolicies) installPolicies(service, DEFAULT_LIMITS);
			const target = service.getContainerClient(container);
			return sendThroughClient(target, {
				method: 'GET',
				url: `${target.url}?restype=container&comp=list&maxresults=2`,
				headers: {},
				streamResponse: false,
				abortSignal: new AbortController().signal,
			});
		};
		const plain = await send(false);
		expect((plain.response as { parsedBody?: unknown }).parsedBody).toBeDefined();
		const kept = await send(true);
		expect((kept.response as { parsedBody?: unknown }).parsedBody).toBeUndefined();
		expect(kept.bodyText).toBe(plain.bodyText);
		expect(parseBlobList(kept.bodyText!).blobs).toHaveLength(2);
		// With the package's policies, listing still works page by page.
		const service = new BlobServiceClient(blobEndpoint(), sharedKey);
		installPolicies(service, DEFAULT_LIMITS);
		const { blobs } = await all(service.getContainerClient(container), { pageSize: 4 });
		expect(blobs.length).toBe(NAMES.length + 4);
	});

	it('a missing container is Azure\'s ContainerNotFound error, not an empty list', async () => {
		const missing = sdk().getContainerClient('no-such-container-listreader');
		await expect(all(missing, { pageSize: 10 })).rejects.toMatchObject({ statusCode: 404, code: 'ContainerNotFound' });
	});
});

describe('List Blobs paging against a service that repeats itself', () => {
	it('a NextMarker equal to the marker just sent ends the listing with an error instead of looping forever', async () => {
		const { createServer } = await import('http');
		let requests = 0;
		const server = createServer((_req, res) => {
			requests++;
			res.writeHead(200, { 'content-type': 'application/xml', date: new Date().toUTCString() });
			res.end('<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs><Blob><Name>a</Name><Properties><Last-Modified>Fri, 27 Nov 2026 10:00:00 GMT</Last-Modified><Etag>0x1</Etag></Properties></Blob></Blobs><NextMarker>same</NextMarker></EnumerationResults>');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const port = (server.address() as import('net').AddressInfo).port;
			const client = new ContainerClient(`http://127.0.0.1:${port}/devstoreaccount1/loop`);
			const seen: string[] = [];
			await expect(
				(async () => {
					for await (const page of listBlobPages(client, { pageSize: 1, abortSignal: new AbortController().signal })) seen.push(...page.blobs.map((b) => b.name));
				})(),
			).rejects.toThrow(/never end/);
			expect(seen).toEqual(['a']);
			expect(requests).toBe(2);
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});

describe('List Blobs reader: documents Azurite does not produce', () => {
	const doc = (blobs: string, tail = '<NextMarker />') =>
		`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c"><MaxResults>5</MaxResults><Blobs>${blobs}</Blobs>${tail}</EnumerationResults>`;
	const blob = (name: string, extra = '') =>
		`<Blob>${name}<Properties><Last-Modified>Fri, 27 Nov 2026 10:00:00 GMT</Last-Modified><Etag>0x1</Etag><Content-Length>3</Content-Length></Properties>${extra}</Blob>`;

	it('decodes names Azure marks Encoded="true" (characters XML cannot carry)', () => {
		const { blobs } = parseBlobList(doc(blob('<Name Encoded="true">a%01b%EF%BF%BE.txt</Name>') + blob("<Name Encoded='false'>%41</Name>")));
		expect(blobs.map((b) => b.name)).toEqual(['a\u0001b\uFFFE.txt', '%41']);
	});

	it('decodes character references, CDATA and entities; skips comments and unknown elements', () => {
		const { blobs, nextMarker } = parseBlobList(
			doc(
				blob('<Name>a&#x26;b&#38;c&lt;&gt;&quot;&apos;&#x1F389;</Name>', '<Metadata><k><![CDATA[x <y> & z]]></k><!-- note --></Metadata><Future><Blob><Name>nested</Name></Blob></Future>') +
					'<!-- between -->' +
					blob('<Name><![CDATA[raw & <name>]]></Name>'),
				'<NextMarker>2!72!MDAwMDA&amp;</NextMarker>',
			),
		);
		expect(blobs.map((b) => b.name)).toEqual(['a&b&c<>"\'🎉', 'raw & <name>']);
		expect(blobs[0].metadata).toEqual({ k: 'x <y> & z' });
		expect(nextMarker).toBe('2!72!MDAwMDA&');
	});

	it('keeps whitespace in names and values as sent', () => {
		const { blobs } = parseBlobList(doc(blob('<Name>  a \n b  </Name>')));
		expect(blobs[0].name).toBe('  a \n b  ');
	});

	it('reads a ">" inside a quoted attribute value as part of the value', () => {
		const { blobs } = parseBlobList(doc(blob('<Name Note="a > b" Encoded="false">n</Name>')));
		expect(blobs[0].name).toBe('n');
	});

	it('an empty listing is an empty list', () => {
		expect(parseBlobList(doc('', '<NextMarker/>'))).toEqual({ blobs: [], prefixes: [], nextMarker: '' });
		expect(parseBlobList('<?xml version="1.0"?><EnumerationResults><Blobs /><NextMarker /></EnumerationResults>').blobs).toEqual([]);
	});

	it.each([
		['an empty body', ''],
		['HTML from a proxy', '<html><body>Bad gateway</body></html>'],
		['a document cut short', doc(blob('<Name>a</Name>') + blob('<Name>b</Name>')).slice(0, -60)],
		['a document cut inside a tag', doc(blob('<Name>a</Name>')).slice(0, 120)],
		['mismatched tags', doc('<Blob><Name>a</Blob></Name>')],
		['an unknown entity', doc(blob('<Name>a &nbsp; b</Name>'))],
		['a bad character reference', doc(blob('<Name>&#x110000;</Name>'))],
		['broken percent-encoding in an encoded name', doc(blob('<Name Encoded="true">%E0%A4%A</Name>'))],
		['a second root element', `${doc('')}<EnumerationResults></EnumerationResults>`],
		['text after the document', `${doc('')} trailing`],
		['a folder entry without a name', doc('<BlobPrefix></BlobPrefix>')],
	])('refuses %s with a clear error', (_label, xml) => {
		expect(() => parseBlobList(xml)).toThrow(BlobListFormatError);
		expect(() => parseBlobList(xml)).toThrow(/^Azure's blob list could not be read: /);
	});
});
