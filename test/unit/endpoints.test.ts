import {
	accountEndpointProblem,
	accountNameFromUrl,
	ALLOW_HTTP_ENV,
	blobEndpointFor,
	checkEndpoint,
	parseSasToken,
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
		expect(normalizeSasToken('?sv=1&sp=r&sig=x')).toBe('sv=1&sp=r&sig=x');
		expect(normalizeSasToken(' sv=1&si=policy&sig=x ')).toBe('sv=1&si=policy&sig=x');
		expect(() => normalizeSasToken('sv=1')).toThrow(/^SAS Token has no signature \(no "sig" parameter\)/);
		expect(() => normalizeSasToken('sig=abc')).toThrow(/^SAS Token is incomplete/);
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

describe('endpoint safety', () => {
	afterEach(() => {
		delete process.env[ALLOW_HTTP_ENV];
	});

	it('allows plain http only to loopback hosts, naming the field and the fix', () => {
		expect(blobEndpointFor('', 'custom', 'http://127.0.0.1:10000/devstoreaccount1')).toBe('http://127.0.0.1:10000/devstoreaccount1');
		expect(blobEndpointFor('', 'custom', 'http://localhost:10000/devstoreaccount1')).toBe('http://localhost:10000/devstoreaccount1');
		expect(blobEndpointFor('', 'custom', 'http://[::1]:10000/devstoreaccount1')).toBe('http://[::1]:10000/devstoreaccount1');
		expect(() => blobEndpointFor('', 'custom', 'http://files.example.com')).toThrow(
			/^Blob Endpoint uses http:\/\/ to files\.example\.com; only https:\/\/ is allowed except for a local emulator/,
		);
		expect(() => splitSasUrl('http://acme.blob.core.windows.net/?sv=1&sig=abc')).toThrow(/^SAS URL uses http:\/\//);
		process.env[ALLOW_HTTP_ENV] = 'true';
		expect(blobEndpointFor('', 'custom', 'http://azurite:10000/devstoreaccount1')).toBe('http://azurite:10000/devstoreaccount1');
	});

	it('requires the account in the path of an IP-address endpoint', () => {
		expect(() => blobEndpointFor('', 'custom', 'http://127.0.0.1:10000')).toThrow(/^Blob Endpoint http:\/\/127\.0\.0\.1:10000 has no account name in its path/);
		expect(() => checkEndpoint('http://127.0.0.1:10000/', 'BlobEndpoint')).toThrow(/has no account name/);
	});

	it('refuses an account name that does not match the endpoint, and accepts custom domains', () => {
		expect(accountEndpointProblem('devstoreaccount1', 'http://127.0.0.1:10000/devstoreaccount1')).toBeUndefined();
		expect(accountEndpointProblem('acme', 'http://127.0.0.1:10000/devstoreaccount1')).toContain('which is for account "devstoreaccount1"');
		expect(accountEndpointProblem('acme', 'https://other.blob.core.windows.net')).toContain('which is for account "other"');
		expect(accountEndpointProblem('acme', 'https://acme.blob.core.windows.net')).toBeUndefined();
		expect(accountEndpointProblem('acme', 'https://files.contoso.com')).toBeUndefined();
	});

	it('refuses user names and passwords in endpoints', () => {
		expect(() => blobEndpointFor('', 'custom', 'https://user:pass@acme.blob.core.windows.net')).toThrow(/must not contain a user name or password/);
	});
});

describe('blob URLs are read as typed, never resolved', () => {
	it('keeps dot segments (so the name check refuses them) instead of resolving them to another container', () => {
		expect(parseBlobUrl('https://acme.blob.core.windows.net/c1/a/../../c2/x').blobName).toBe('a/../../c2/x');
		expect(parseBlobUrl('https://acme.blob.core.windows.net/c1/%2e%2e/c2/x')).toMatchObject({ container: 'c1', blobName: '../c2/x' });
		expect(parseBlobUrl('http://127.0.0.1:10000/devstoreaccount1/c1/./x').blobName).toBe('./x');
	});

	it('refuses backslashes and broken escapes in the path', () => {
		expect(() => parseBlobUrl('https://acme.blob.core.windows.net/c1/a\\b')).toThrow(/backslash/);
		expect(() => parseBlobUrl('https://acme.blob.core.windows.net/c1/100%')).toThrow(/broken %-escape/);
	});

	it('decodes each segment exactly once', () => {
		expect(parseBlobUrl('https://acme.blob.core.windows.net/c1/a%2520b%23c%3Fd+e').blobName).toBe('a%20b#c?d+e');
	});
});

describe('what a SAS says about itself', () => {
	it('reads permissions, validity, resource types, IP range and protocol', () => {
		const facts = parseSasToken('?sv=2022-11-02&ss=b&srt=co&sp=rl&st=2026-01-01T00:00:00Z&se=2026-02-01T00:00:00Z&sip=10.0.0.1-10.0.0.9&spr=https&sig=abc');
		expect(facts).toEqual({
			permissions: 'rl',
			startsOn: new Date('2026-01-01T00:00:00Z'),
			expiresOn: new Date('2026-02-01T00:00:00Z'),
			resourceTypes: 'co',
			resource: undefined,
			ipRange: '10.0.0.1-10.0.0.9',
			protocol: 'https',
		});
		expect(parseSasToken('sv=1&sr=c&sp=r&sig=x').resource).toBe('c');
	});
});
