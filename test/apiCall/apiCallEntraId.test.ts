/**
 * The "API Call" resource with the Entra ID credentials: bearer tokens from a real OAuth2 server
 * (oauth2-mock-server), checked by Azurite in `--oauth basic` over HTTPS, the node executed by
 * n8n's real engine. The request goes through the same bearer policy as every other operation,
 * so an expired token is refreshed through n8n (and n8n persists the new one).
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes } from 'crypto';
import { mock } from 'jest-mock-extended';
import type { ICredentialDataDecryptedObject, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { credentialTypes, runNode, type RunResult } from '../helpers/engine';
import { resolveCredentialData } from '../helpers/oauthCredentials';
import { connectAccount, startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { fileItem, sha256 } from '../helpers/params';
import { generateCertificate, trustCertificateInThisProcess, type TestCertificate } from '../helpers/tls';

const OAUTH2 = 'azureBlobStorageOAuth2Api';
const CLIENT_CREDENTIALS = 'azureBlobStorageClientCredentialsOAuth2Api';
const CLIENT_SECRET = `secret-${randomBytes(12).toString('hex')}`;

let cert: TestCertificate;
let azurite: RunningAzurite;
let entra: MockEntraId;
let untrust: () => void;
let storage: BlobServiceClient;

beforeAll(async () => {
	cert = generateCertificate();
	untrust = trustCertificateInThisProcess(cert.pem);
	[azurite, entra] = await Promise.all([startAzurite({ https: { cert: cert.certFile, key: cert.keyFile } }), startMockEntraId()]);
	storage = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
}, 90_000);

afterAll(async () => {
	await azurite?.stop();
	await entra?.stop();
	untrust?.();
	cert?.remove();
});

beforeEach(() => entra.reset());

function fields(): ICredentialDataDecryptedObject {
	return { tenantId: TENANT, clientId: 'app-client-id', clientSecret: CLIENT_SECRET, cloud: 'custom', loginAuthority: entra.authority, endpoint: azurite.blobEndpoint };
}

async function connectedOAuth2(): Promise<ICredentialDataDecryptedObject> {
	const additionalData = mock<IWorkflowExecuteAdditionalData>();
	(additionalData as unknown as Record<string, unknown>).executionContext = undefined;
	const stored = fields();
	const resolved = await resolveCredentialData(credentialTypes, OAUTH2, stored, additionalData);
	return { ...stored, oauthTokenData: await connectAccount(resolved) } as ICredentialDataDecryptedObject;
}

function pairs(values: Record<string, string>) {
	return { entries: Object.entries(values).map(([name, value]) => ({ name, value })) };
}

async function run(type: string, data: ICredentialDataDecryptedObject, parameters: Record<string, unknown>, items?: RunResult['items']) {
	const authentication = type === OAUTH2 ? 'oAuth2' : 'clientCredentials';
	return await runNode({
		credentials: { [type]: data },
		parameters: { authentication, resource: 'apiCall', operation: 'request', ...parameters } as never,
		items,
	});
}

function tokensOf(...data: Array<ICredentialDataDecryptedObject | undefined>): string[] {
	const values = [CLIENT_SECRET];
	for (const d of data) {
		const t = (d?.oauthTokenData ?? {}) as Record<string, unknown>;
		for (const key of ['access_token', 'refresh_token', 'id_token']) if (typeof t[key] === 'string') values.push(t[key] as string);
	}
	return values;
}

function expectNoSecrets(result: RunResult, secrets: string[]) {
	const text = JSON.stringify([result.items, result.error, result.error?.message, result.error?.description]);
	for (const secret of [...secrets, ...entra.issuedTokens]) expect(text).not.toContain(secret);
}

describe.each([
	['client credentials', CLIENT_CREDENTIALS],
	['OAuth2 authorization code', OAUTH2],
])('API Call with %s (Entra ID bearer token)', (_label, type) => {
	let data: ICredentialDataDecryptedObject;
	let container: string;

	beforeAll(async () => {
		data = type === OAUTH2 ? await connectedOAuth2() : fields();
		container = `api-${type === OAUTH2 ? 'ac' : 'cc'}-${randomBytes(3).toString('hex')}`;
		await storage.createContainer(container);
	});

	/** Runs with the token n8n persisted last, as the next execution would. */
	async function step(parameters: Record<string, unknown>, items?: RunResult['items']) {
		const result = await run(type, data, parameters, items);
		const [latest] = result.credentialsHelper.persisted.slice(-1);
		if (latest) data = { ...data, oauthTokenData: latest.data.oauthTokenData } as ICredentialDataDecryptedObject;
		expectNoSecrets(result, tokensOf(data));
		return result;
	}

	it('Put Blob (binary), List Blobs (XML to JSON), Set Blob Metadata and Get Blob (binary) with the bearer token', async () => {
		const content = randomBytes(64 * 1024);
		const put = await step(
			{ method: 'PUT', path: `/${container}/in/data.bin`, headers: pairs({ 'x-ms-blob-type': 'BlockBlob' }), bodyType: 'binary', inputBinaryField: 'data' },
			[fileItem(content, 'data.bin', 'application/x-data')],
		);
		expect(put.error).toBeUndefined();
		expect(put.items[0].json).toMatchObject({ statusCode: 201 });

		const list = await step({ method: 'GET', path: `/${container}?restype=container&comp=list` });
		expect(list.error).toBeUndefined();
		const blob = (list.items[0].json as any).body.EnumerationResults.Blobs.Blob;
		expect(blob.Name).toBe('in/data.bin');
		expect(Number(blob.Properties['Content-Length'])).toBe(content.length);

		const meta = await step({ method: 'PUT', path: `/${container}/in/data.bin`, queryParameters: pairs({ comp: 'metadata' }), headers: pairs({ 'x-ms-meta-stage': 'raw' }) });
		expect(meta.error).toBeUndefined();
		expect((await storage.getContainerClient(container).getBlobClient('in/data.bin').getProperties()).metadata).toEqual({ stage: 'raw' });

		const get = await step({ method: 'GET', path: `/${container}/in/data.bin`, responseFormat: 'file', outputBinaryField: 'data' });
		expect(get.error).toBeUndefined();
		expect(sha256(Buffer.from(get.items[0].binary!.data.data, 'base64'))).toBe(sha256(content));
		expect(get.items[0].binary!.data.mimeType).toBe('application/x-data');
	});

	it('a missing blob (404) fails with Azure\'s code and no token in the error', async () => {
		const result = await step({ method: 'DELETE', path: `/${container}/ghost.txt` });
		expect(result.error?.message).toBe(`Blob "ghost.txt" does not exist in container "${container}"`);
		expect(result.error?.httpCode).toBe('404');
		expect(result.error?.description).toContain('Azure error code: BlobNotFound');
	});

	it('a URL of another host is refused: the token is never sent there', async () => {
		const result = await step({ method: 'GET', path: 'https://login.example.net/steal?comp=list' });
		expect(result.error?.message).toMatch(/^Path or URL is for host login\.example\.net, not for the credential's storage account at https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
		expect(entra.requests).toEqual([]);
	});
});

it('API Call with OAuth2: an expired stored token is refreshed through n8n first, and n8n stores the new one', async () => {
	entra.lifetimeSeconds = -60;
	const data = await connectedOAuth2();
	entra.reset();
	const container = `api-refresh-${randomBytes(3).toString('hex')}`;
	await storage.createContainer(container);
	const result = await run(OAUTH2, data, { method: 'GET', path: `/${container}?restype=container&comp=list` });
	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ statusCode: 200 });
	expect(entra.hits('refresh_token')).toBe(1);
	const persisted = result.credentialsHelper.persisted.map((p) => p.data.oauthTokenData as Record<string, string>);
	expect(persisted).toHaveLength(1);
	expect(persisted[0].access_token).not.toBe((data.oauthTokenData as Record<string, string>).access_token);
	expectNoSecrets(result, tokensOf(data, { oauthTokenData: persisted[0] }));
});
