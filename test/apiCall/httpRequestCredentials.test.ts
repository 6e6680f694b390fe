/**
 * The package's credentials as n8n's HTTP Request node uses them ("Predefined Credential Type"):
 * n8n calls the credential's `authenticate` with the request the node built, then sends what it
 * returns through its own HTTP client (n8n-core requestWithAuthentication: credentialsHelper.
 * authenticate, then OutboundHttp.requestLegacy). Here the same two steps run with n8n's real
 * client against Azurite, with requests shaped like the HTTP Request node's (lower-case headers,
 * `uri`, `qs`, bodies as Buffer, string, object or stream). The node itself in real n8n:
 * test/e2e/httpRequestNode.e2e.test.ts.
 */
import { Container } from '@n8n/di';
import { OutboundHttp } from '@n8n/backend-network';
import { randomBytes } from 'crypto';
import { mock } from 'jest-mock-extended';
import { getCredentialAllowedDomains, isDomainAllowed } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INode, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { dirname, join } from 'path';
import { Readable } from 'stream';

import { BLOB_API_VERSION, headerNameSortsBefore } from '../../credentials/sharedKeySigning';
import { sdkApiVersion } from '../../nodes/AzureBlobStorage/transport/apiRequest';
import { connectWithCredentials } from '../../nodes/AzureBlobStorage/transport/client';
import { credentialTypes } from '../helpers/engine';
import { blobEndpoint, containerSasUrl, createContainer, credentialCases, sdk, type CredentialCase } from '../helpers/fixtures';
import { resolveCredentialData } from '../helpers/oauthCredentials';
import { sha256 } from '../helpers/params';

// The Azure SDK's own header order (not exported by the package, so loaded by path).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compareHeader } = require(join(dirname(require.resolve('@azure/storage-common')), 'utils', 'SharedKeyComparator.js')) as {
	compareHeader(a: string, b: string): number;
};

type Authenticate = (credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

const node: INode = { id: '1', name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [0, 0], parameters: {} };

function additionalData(): IWorkflowExecuteAdditionalData {
	const data = mock<IWorkflowExecuteAdditionalData>();
	(data as unknown as Record<string, unknown>).executionContext = undefined;
	return data;
}

/** The credential data as n8n hands it over: defaults applied, hidden expressions resolved. */
async function resolved(type: string, data: ICredentialDataDecryptedObject) {
	return await resolveCredentialData(credentialTypes, type, structuredClone(data), additionalData());
}

interface Response {
	statusCode: number;
	headers: Record<string, string>;
	body: string;
}

/** What the HTTP Request node (V4) does with a predefined credential, minus the node around it. */
async function sendLikeHttpRequestNode(type: string, data: ICredentialDataDecryptedObject, options: Record<string, unknown>): Promise<Response> {
	const credentials = await resolved(type, data);
	const request = {
		headers: {},
		method: 'GET',
		gzip: true,
		rejectUnauthorized: true,
		followRedirect: false,
		resolveWithFullResponse: true,
		simple: false,
		timeout: 30_000,
		encoding: null,
		json: false,
		useStream: false,
		...options,
	};
	const authenticate = credentialTypes[type].authenticate as unknown as Authenticate;
	const signed = await authenticate(credentials, request as unknown as IHttpRequestOptions);
	const response = (await Container.get(OutboundHttp).requests().requestLegacy(signed as never)) as {
		statusCode: number;
		headers: Record<string, string>;
		body: Buffer | string | undefined;
	};
	return { statusCode: response.statusCode, headers: response.headers, body: Buffer.isBuffer(response.body) ? response.body.toString('utf8') : String(response.body ?? '') };
}

describe.each(credentialCases())('$label credential in the HTTP Request node', (credential: CredentialCase) => {
	let container: string;
	const send = (options: Record<string, unknown>) => sendLikeHttpRequestNode(credential.type, credential.data, options);

	beforeAll(async () => {
		container = await createContainer('http-node');
	});

	it('creates a container with a bodiless PUT (the client would otherwise add a form Content-Type)', async () => {
		const name = `${container}-made`;
		const response = await send({ method: 'PUT', uri: `${blobEndpoint()}/${name}`, qs: { restype: 'container' } });
		expect(response.statusCode).toBe(201);
		expect(await sdk().getContainerClient(name).exists()).toBe(true);
	});

	it('lists containers with query parameters in qs, one of them with a space and a slash', async () => {
		await sdk().getContainerClient(container).getBlockBlobClient('my dir/a b.txt').uploadData(Buffer.from('x'));
		const response = await send({ uri: `${blobEndpoint()}/${container}?restype=container`, qs: { comp: 'list', prefix: 'my dir/' } });
		expect(response.statusCode).toBe(200);
		expect(response.body).toContain('<Name>my dir/a b.txt</Name>');
	});

	it('uploads a blob from a Buffer (binary field, in-memory mode), a stream with content-length (filesystem mode), text and JSON', async () => {
		const bytes = randomBytes(70_000);
		const client = sdk().getContainerClient(container);
		const put = (name: string, extra: Record<string, unknown>) =>
			send({ method: 'PUT', uri: `${blobEndpoint()}/${container}/${name}`, ...extra, headers: { 'x-ms-blob-type': 'BlockBlob', ...(extra.headers as object) } });

		expect((await put('buffer.bin', { body: bytes, headers: { 'content-length': bytes.length, 'content-type': 'image/png' } })).statusCode).toBe(201);
		expect((await put('stream.bin', { body: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), headers: { 'content-length': bytes.length, 'content-type': 'application/x-s' } })).statusCode).toBe(201);
		expect((await put('raw.txt', { body: ' text with spaces and ü ', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(201);
		expect((await put('data.json', { body: { a: 1, list: [1, 2] }, json: true })).statusCode).toBe(201);

		expect(sha256(await client.getBlobClient('buffer.bin').downloadToBuffer())).toBe(sha256(bytes));
		expect((await client.getBlobClient('buffer.bin').getProperties()).contentType).toBe('image/png');
		expect(sha256(await client.getBlobClient('stream.bin').downloadToBuffer())).toBe(sha256(bytes));
		expect((await client.getBlobClient('raw.txt').downloadToBuffer()).toString()).toBe(' text with spaces and ü ');
		expect((await client.getBlobClient('data.json').downloadToBuffer()).toString()).toBe('{"a":1,"list":[1,2]}');
		expect((await client.getBlobClient('data.json').getProperties()).contentType).toBe('application/json');
	});

	it('sets metadata whose names Azure sorts its own way ("_" before digits, case ignored)', async () => {
		const blob = sdk().getContainerClient(container).getBlockBlobClient('meta.txt');
		await blob.uploadData(Buffer.from('m'));
		const response = await send({
			method: 'PUT',
			uri: `${blobEndpoint()}/${container}/meta.txt`,
			qs: { comp: 'metadata' },
			headers: { 'x-ms-meta-a1': '1', 'x-ms-meta-a_1': '2', 'x-ms-meta-B': '3', 'x-ms-meta-a': '4' },
		});
		expect(response.statusCode).toBe(200);
		expect((await blob.getProperties()).metadata).toEqual({ a1: '1', a_1: '2', b: '3', a: '4' });
	});

	it('refuses to sign or authorize a request for another host, port, scheme or account, naming it', async () => {
		const endpoint = new URL(blobEndpoint());
		const cases: Array<[string, RegExp]> = [
			['https://attacker.example.com/devstoreaccount1/x', /not for attacker\.example\.com$/],
			[`http://localhost:${endpoint.port}/devstoreaccount1/x`, new RegExp(`not for localhost:${endpoint.port}$`)],
			['http://127.0.0.1:1/devstoreaccount1/x', /not for 127\.0\.0\.1:1$/],
			[`https://127.0.0.1:${endpoint.port}/devstoreaccount1/x`, /over http only, not https$/],
			[`http://127.0.0.1:${endpoint.port}/otheraccount/x`, /the URL's path does not start with \/devstoreaccount1$/],
		];
		for (const [uri, message] of cases) {
			const error = await send({ uri }).then(
				() => undefined,
				(e: Error) => e,
			);
			expect(error?.message).toMatch(message);
			const text = JSON.stringify([error?.message, (error as { description?: string })?.description, error?.stack]);
			for (const secret of credential.secrets) expect(text).not.toContain(secret);
		}
	});

	it('hands the node back a copy: the node\'s own request (which it echoes to the editor and into errors) gets no signature or SAS', async () => {
		const options = { uri: `${blobEndpoint()}/${container}`, qs: { restype: 'container', comp: 'list' }, headers: { accept: '*/*' }, method: 'GET' };
		const before = structuredClone(options);
		const signed = (await (credentialTypes[credential.type].authenticate as unknown as Authenticate)(
			await resolved(credential.type, credential.data),
			options as unknown as IHttpRequestOptions,
		)) as unknown as Record<string, any>;
		expect(options).toEqual(before);
		expect(signed.headers['x-ms-version']).toBe(BLOB_API_VERSION);
		if (credential.authentication === 'sas' || credential.label.startsWith('SAS')) {
			// The SAS travels as query parameters (which n8n leaves out of the errors it records).
			expect(signed.qs.sig).toBeTruthy();
			expect(signed.uri).not.toContain('sig=');
		} else {
			expect(signed.headers.authorization).toMatch(/^SharedKey devstoreaccount1:[A-Za-z0-9+/]+=*$/);
		}
	});

	it('presets n8n\'s "Allowed HTTP Request Domains" to the account\'s host; n8n then blocks every other host', async () => {
		const credentials = await resolved(credential.type, credential.data);
		expect(credentials.allowedHttpRequestDomains).toBe('domains');
		expect(credentials.allowedDomains).toBe('127.0.0.1');
		const allowedDomains = String(getCredentialAllowedDomains({ node, credentialData: credentials }));
		expect(allowedDomains).toBe('127.0.0.1');
		expect(isDomainAllowed({ url: `${blobEndpoint()}/c`, allowedDomains })).toBe(true);
		expect(isDomainAllowed({ url: 'https://attacker.example.com/x', allowedDomains })).toBe(false);
		expect(isDomainAllowed({ url: `http://localhost:${new URL(blobEndpoint()).port}/x`, allowedDomains })).toBe(false);
	});
});

describe('SAS credentials in the HTTP Request node', () => {
	it('a container SAS authorizes requests in its container and refuses others before sending', async () => {
		const container = await createContainer('http-node-csas');
		await sdk().getContainerClient(container).getBlockBlobClient('in.txt').uploadData(Buffer.from('inside'));
		const data = { sasMode: 'sasUrl', sasUrl: containerSasUrl(container) };
		const inside = await sendLikeHttpRequestNode('azureBlobStorageSasApi', data, { uri: `${blobEndpoint()}/${container}/in.txt` });
		expect(inside).toMatchObject({ statusCode: 200, body: 'inside' });
		await expect(sendLikeHttpRequestNode('azureBlobStorageSasApi', data, { uri: `${blobEndpoint()}/other/x.txt` })).rejects.toThrow(
			`The Azure Blob Storage SAS credential is a SAS for container "${container}" only; the request is for container "other"`,
		);
	});

	it('refuses a URL that carries a SAS of its own', async () => {
		const [, , , sasUrl] = credentialCases();
		await expect(sendLikeHttpRequestNode(sasUrl.type, sasUrl.data, { uri: `${blobEndpoint()}/c?sv=2020-01-01&sig=abc` })).rejects.toThrow(
			'The URL already has a SAS signature',
		);
	});
});

describe('"Allowed Domains" the credentials preset, for Azure clouds and custom endpoints', () => {
	it.each([
		['azureBlobStorageSharedKeyApi', { accountName: 'Contoso1', accountKey: 'a2V5', cloud: 'azurePublic' }, 'contoso1.blob.core.windows.net'],
		['azureBlobStorageSharedKeyApi', { accountName: 'gov1', accountKey: 'a2V5', cloud: 'azureUsGovernment' }, 'gov1.blob.core.usgovcloudapi.net'],
		['azureBlobStorageSharedKeyApi', { accountName: 'cn1', accountKey: 'a2V5', cloud: 'azureChina' }, 'cn1.blob.core.chinacloudapi.cn'],
		['azureBlobStorageSharedKeyApi', { accountName: 'x', accountKey: 'a2V5', cloud: 'custom', endpoint: 'https://Files.Contoso.com:8443/' }, 'files.contoso.com'],
		['azureBlobStorageConnectionStringApi', { connectionString: 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn' }, 'acme.blob.core.chinacloudapi.cn'],
		['azureBlobStorageConnectionStringApi', { connectionString: 'AccountName=acme;AccountKey=a2V5' }, 'acme.blob.core.windows.net'],
		['azureBlobStorageConnectionStringApi', { connectionString: 'BlobEndpoint=https://acme.privatelink.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=x' }, 'acme.privatelink.blob.core.windows.net'],
		['azureBlobStorageConnectionStringApi', { connectionString: 'UseDevelopmentStorage=true' }, '127.0.0.1'],
		['azureBlobStorageSasApi', { sasMode: 'sasUrl', sasUrl: 'https://acme.blob.core.windows.net/box?sv=1&sig=x' }, 'acme.blob.core.windows.net'],
		['azureBlobStorageSasApi', { sasMode: 'endpointAndToken', endpoint: 'https://acme.blob.core.windows.net', sasToken: 'sv=1&sig=x' }, 'acme.blob.core.windows.net'],
		['azureBlobStorageOAuth2Api', { tenantId: 't', clientId: 'c', clientSecret: 's', cloud: 'azurePublic', accountName: 'acme' }, 'acme.blob.core.windows.net, login.microsoftonline.com'],
		['azureBlobStorageOAuth2Api', { tenantId: 't', clientId: 'c', clientSecret: 's', cloud: 'azureUsGovernment', accountName: 'acme' }, 'acme.blob.core.usgovcloudapi.net, login.microsoftonline.us'],
		[
			'azureBlobStorageClientCredentialsOAuth2Api',
			{ tenantId: 't', clientId: 'c', clientSecret: 's', cloud: 'custom', endpoint: 'https://[::1]:10000/devstoreaccount1', loginAuthority: 'https://login.example.org/' },
			'[::1], login.example.org',
		],
	])('%s %j -> %s', async (type, data, expected) => {
		const credentials = await resolved(type, data as ICredentialDataDecryptedObject);
		expect(credentials.allowedHttpRequestDomains).toBe('domains');
		expect(credentials.allowedDomains).toBe(expected);
	});

	it('the Entra ID credentials refresh on 401, and on 403 too for a custom cloud (Azurite answers an expired token with 403)', async () => {
		const azure = await resolved('azureBlobStorageOAuth2Api', { tenantId: 't', clientId: 'c', clientSecret: 's', cloud: 'azurePublic', accountName: 'acme' });
		const custom = await resolved('azureBlobStorageClientCredentialsOAuth2Api', { tenantId: 't', clientId: 'c', clientSecret: 's', cloud: 'custom', endpoint: 'https://127.0.0.1:1/devstoreaccount1' });
		expect(azure.tokenExpiredStatusCode).toBe(401);
		expect(custom.tokenExpiredStatusCode).toEqual([401, 403]);
	});
});

describe('what n8n shows the editor', () => {
	it.each(['azureBlobStorageSharedKeyApi', 'azureBlobStorageConnectionStringApi', 'azureBlobStorageSasApi'])(
		'%s keeps `authenticate` when n8n copies the type with { ...credential } (so the HTTP Request node lists it)',
		(type) => {
			const copy = { ...credentialTypes[type] };
			expect(typeof copy.authenticate).toBe('function');
		},
	);
});

describe('Shared Key details', () => {
	it('orders x-ms-* header names exactly like the Azure SDK (Azure\'s culture-aware order)', () => {
		const alphabet = 'abz09_-\'AZ';
		const names = Array.from({ length: 3000 }, () => `x-ms-meta-${Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('')}`);
		names.push('x-ms-meta-a1', 'x-ms-meta-a_1', 'x-ms-meta-a-1', 'x-ms-version', 'x-ms-date', 'x-ms-blob-type', 'x-ms-blob-content-type');
		for (let i = 1; i < names.length; i++) {
			const [a, b] = [names[i - 1], names[i]];
			expect([a, b, headerNameSortsBefore(a, b)]).toEqual([a, b, compareHeader(a, b) < 0]);
		}
	});

	it('the credentials and the node\'s API Call send the same x-ms-version: the one of the Azure SDK the package ships', () => {
		const [sharedKey] = credentialCases();
		const connection = connectWithCredentials('sharedKey', sharedKey.data);
		expect(BLOB_API_VERSION).toBe(sdkApiVersion(connection));
		expect((connection.service as unknown as { storageClientContext: { version: string } }).storageClientContext.version).toBe(BLOB_API_VERSION);
	});
});
