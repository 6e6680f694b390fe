import {
	accountNameFromUrl,
	blobEndpointFor,
	isPathStyleHost,
	normalizeSasToken,
	parseBlobUrl,
	parseConnectionString,
	splitSasUrl,
} from '../../nodes/AzureBlobStorage/transport/endpoints';

describe('blob endpoint per cloud', () => {
	it('builds the public, US Government and China endpoints from the account name', () => {
		expect(blobEndpointFor('acme', 'azurePublic')).toBe('https://acme.blob.core.windows.net');
		expect(blobEndpointFor('acme', 'azureUsGovernment')).toBe('https://acme.blob.core.usgovcloudapi.net');
		expect(blobEndpointFor('acme', 'azureChina')).toBe('https://acme.blob.core.chinacloudapi.cn');
	});

	it('normalises a custom endpoint: no trailing slash, no query, path kept for path-style hosts', () => {
		expect(blobEndpointFor('', 'custom', 'http://127.0.0.1:10000/devstoreaccount1/')).toBe(
			'http://127.0.0.1:10000/devstoreaccount1',
		);
		expect(blobEndpointFor('', 'custom', 'https://files.example.com/?x=1')).toBe('https://files.example.com');
	});

	it('rejects a custom endpoint that is not an http(s) URL, naming the field', () => {
		expect(() => blobEndpointFor('', 'custom', 'acme.blob.core.windows.net')).toThrow(/Blob Endpoint .* is not a URL/);
		expect(() => blobEndpointFor('', 'custom', 'ftp://x')).toThrow(/Blob Endpoint must start with https/);
	});
});

describe('path-style hosts', () => {
	it('treats IP addresses and localhost as path-style, DNS names as virtual-host style', () => {
		expect(isPathStyleHost('127.0.0.1')).toBe(true);
		expect(isPathStyleHost('[::1]')).toBe(true);
		expect(isPathStyleHost('localhost')).toBe(true);
		expect(isPathStyleHost('acme.blob.core.windows.net')).toBe(false);
	});

	it('finds the account name in the host or in the first path segment', () => {
		expect(accountNameFromUrl('https://acme.blob.core.windows.net')).toBe('acme');
		expect(accountNameFromUrl('http://127.0.0.1:10000/devstoreaccount1')).toBe('devstoreaccount1');
	});
});

describe('SAS URLs and tokens', () => {
	it('splits an account SAS URL into endpoint and token', () => {
		expect(splitSasUrl('https://acme.blob.core.windows.net/?sv=2022-11-02&ss=b&sig=abc%3D')).toEqual({
			endpoint: 'https://acme.blob.core.windows.net',
			container: undefined,
			sasToken: 'sv=2022-11-02&ss=b&sig=abc%3D',
		});
	});

	it('recognises a container SAS URL on virtual-host and path-style endpoints', () => {
		expect(splitSasUrl('https://acme.blob.core.windows.net/invoices?sv=1&sr=c&sig=x').container).toBe('invoices');
		const azurite = splitSasUrl('http://127.0.0.1:10000/devstoreaccount1/invoices?sv=1&sr=c&sig=x');
		expect(azurite).toEqual({ endpoint: 'http://127.0.0.1:10000/devstoreaccount1', container: 'invoices', sasToken: 'sv=1&sr=c&sig=x' });
	});

	it('rejects a SAS URL without signature or pointing at a blob', () => {
		expect(() => splitSasUrl('https://acme.blob.core.windows.net/?sv=1')).toThrow(/no signature/);
		expect(() => splitSasUrl('https://acme.blob.core.windows.net/c/b.txt?sv=1&sig=x')).toThrow(/points at a blob/);
	});

	it('accepts a token with or without the leading question mark', () => {
		expect(normalizeSasToken('?sv=1&sig=x')).toBe('sv=1&sig=x');
		expect(normalizeSasToken(' sv=1&sig=x ')).toBe('sv=1&sig=x');
		expect(() => normalizeSasToken('sv=1')).toThrow(/SAS Token has no signature/);
	});
});

describe('blob URLs', () => {
	it('parses virtual-host URLs with folders and encoded characters', () => {
		expect(parseBlobUrl('https://acme.blob.core.windows.net/invoices/2024/jan%20report.pdf?sv=1&sig=x')).toEqual({
			endpoint: 'https://acme.blob.core.windows.net',
			accountName: 'acme',
			container: 'invoices',
			blobName: '2024/jan report.pdf',
		});
	});

	it('parses path-style (Azurite) URLs', () => {
		expect(parseBlobUrl('http://127.0.0.1:10000/devstoreaccount1/c1/a/b.txt')).toEqual({
			endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
			accountName: 'devstoreaccount1',
			container: 'c1',
			blobName: 'a/b.txt',
		});
	});

	it('rejects a URL without a blob name', () => {
		expect(() => parseBlobUrl('https://acme.blob.core.windows.net/invoices')).toThrow(/no container and blob name/);
	});
});

describe('connection strings', () => {
	it('reads keys case-insensitively and keeps "=" inside values', () => {
		const parts = parseConnectionString(
			'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=abc==;EndpointSuffix=core.windows.net;',
		);
		expect(parts).toEqual({
			defaultendpointsprotocol: 'https',
			accountname: 'acme',
			accountkey: 'abc==',
			endpointsuffix: 'core.windows.net',
		});
	});
});
