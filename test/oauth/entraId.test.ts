/**
 * Entra ID credentials end to end: the node executed by n8n's real engine, tokens issued by a
 * real OAuth2 server (oauth2-mock-server) and checked by Azurite in `--oauth basic` over HTTPS,
 * with a credentials helper that records what n8n persists.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { mock } from 'jest-mock-extended';
import type { IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { CredentialTestContext } from 'n8n-core';

import { testBlobStorageCredential } from '../../nodes/AzureBlobStorage/methods/credentialTest';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { credentialTypes, runNode, TestCredentialsHelper, type RunResult } from '../helpers/engine';
import { resolveCredentialData } from '../helpers/oauthCredentials';
import { connectAccount, startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { byName, fileItem, sha256 } from '../helpers/params';
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
	[azurite, entra] = await Promise.all([
		startAzurite({ https: { cert: cert.certFile, key: cert.keyFile } }),
		startMockEntraId(),
	]);
	storage = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
}, 90_000);

afterAll(async () => {
	await azurite?.stop();
	await entra?.stop();
	untrust?.();
	cert?.remove();
});

beforeEach(() => entra.reset());

/** What a user enters: a custom cloud pointing at the loopback sign-in server and Azurite. */
function fields(): ICredentialDataDecryptedObject {
	return {
		tenantId: TENANT,
		clientId: 'app-client-id',
		clientSecret: CLIENT_SECRET,
		cloud: 'custom',
		loginAuthority: entra.authority,
		endpoint: azurite.blobEndpoint,
	};
}

const additionalData = () => {
	const data = mock<IWorkflowExecuteAdditionalData>();
	(data as unknown as Record<string, unknown>).executionContext = undefined;
	return data;
};

/** An authorization-code credential after "Connect my account" (tokens from the real flow). */
async function connectedOAuth2(): Promise<ICredentialDataDecryptedObject> {
	const stored = fields();
	const resolved = await resolveCredentialData(credentialTypes, OAUTH2, stored, additionalData());
	const oauthTokenData = await connectAccount(resolved);
	return { ...stored, oauthTokenData } as ICredentialDataDecryptedObject;
}

async function createContainer(label: string): Promise<string> {
	const name = `${label}-${randomBytes(4).toString('hex')}`;
	await storage.getContainerClient(name).create();
	return name;
}

function uploadText(container: string, blobName: string, text: string) {
	return { resource: 'blob', operation: 'upload', container: byName(container), blobName, inputDataType: 'text', textContent: text };
}

async function run(type: string, data: ICredentialDataDecryptedObject, parameters: Record<string, unknown>, items?: RunResult['items']) {
	const authentication = type === OAUTH2 ? 'oAuth2' : 'clientCredentials';
	return await runNode({ credentials: { [type]: data }, parameters: { authentication, ...parameters } as never, items });
}

/** Every token and secret the test has seen; none may appear in output or errors. */
function secretsOf(...data: Array<ICredentialDataDecryptedObject | undefined>): string[] {
	const values = [CLIENT_SECRET];
	for (const d of data) {
		const t = (d?.oauthTokenData ?? {}) as Record<string, unknown>;
		for (const key of ['access_token', 'refresh_token', 'id_token']) if (typeof t[key] === 'string') values.push(t[key] as string);
	}
	return values;
}

function expectNoSecrets(result: RunResult, secrets: string[]) {
	const text = JSON.stringify([result.items, result.error, result.error?.message, result.error?.description]);
	for (const secret of secrets) expect(text).not.toContain(secret);
}

function persistedTokens(result: RunResult) {
	return result.credentialsHelper.persisted.map((p) => p.data.oauthTokenData as Record<string, string>);
}

describe('client credentials (service principal)', () => {
	it('fetches a token on first use, n8n stores it, and the next run reuses it without asking Entra ID again', async () => {
		const container = await createContainer('cc-first');
		const first = await run(CLIENT_CREDENTIALS, fields(), uploadText(container, 'one.txt', 'one'));
		expect(first.error).toBeUndefined();
		expect(entra.hits('client_credentials')).toBe(1);
		const [stored] = persistedTokens(first);
		expect(stored.access_token).toMatch(/^ey/);
		// The token request carried the secret in the body and asked for the storage scope.
		const request = entra.requests[0];
		expect(request.body).toMatchObject({
			grant_type: 'client_credentials',
			client_id: 'app-client-id',
			client_secret: CLIENT_SECRET,
			scope: 'https://storage.azure.com/.default',
		});

		const secondData = { ...fields(), oauthTokenData: stored } as ICredentialDataDecryptedObject;
		const second = await run(CLIENT_CREDENTIALS, secondData, uploadText(container, 'two.txt', 'two'));
		expect(second.error).toBeUndefined();
		expect(entra.hits('client_credentials')).toBe(1);
		expect(second.credentialsHelper.persisted).toEqual([]);
		expect(await storage.getContainerClient(container).getBlobClient('two.txt').exists()).toBe(true);
		expectNoSecrets(first, secretsOf(secondData));
		expectNoSecrets(second, secretsOf(secondData));
	});

	it('fetches a new token through n8n when the stored one has expired', async () => {
		const container = await createContainer('cc-expired');
		entra.lifetimeSeconds = -60;
		const expired = persistedTokens(await run(CLIENT_CREDENTIALS, fields(), { resource: 'container', operation: 'getAll', returnAll: true }))[0];
		entra.reset();
		const result = await run(
			CLIENT_CREDENTIALS,
			{ ...fields(), oauthTokenData: expired } as ICredentialDataDecryptedObject,
			uploadText(container, 'x.txt', 'x'),
		);
		expect(result.error).toBeUndefined();
		expect(entra.hits('client_credentials')).toBe(1);
		expect(persistedTokens(result)[0].access_token).not.toBe(expired.access_token);
	});

	it('says the client secret was rejected when Entra ID answers AADSTS7000215, without showing the secret', async () => {
		entra.fail('client_credentials', {
			status: 401,
			body: {
				error: 'invalid_client',
				error_description:
					"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'app-client-id'. Trace ID: 1 Correlation ID: 2 Timestamp: 2024-01-01 00:00:00Z",
				error_codes: [7000215],
			},
		});
		const result = await run(CLIENT_CREDENTIALS, fields(), { resource: 'container', operation: 'getAll', returnAll: true });
		expect(result.error?.message).toBe('Microsoft Entra ID rejected the client secret');
		expect(result.error?.description).toContain('AADSTS7000215');
		expect(result.credentialsHelper.persisted).toEqual([]);
		expectNoSecrets(result, [CLIENT_SECRET]);
	});

	it('says the app may not use Azure Storage when Entra ID answers AADSTS500011', async () => {
		entra.fail('client_credentials', {
			status: 400,
			body: {
				error: 'invalid_resource',
				error_description:
					'AADSTS500011: The resource principal named https://storage.azure.com was not found in the tenant named Contoso.',
			},
		});
		const result = await run(CLIENT_CREDENTIALS, fields(), { resource: 'container', operation: 'getAll', returnAll: true });
		expect(result.error?.message).toBe('The app registration is not allowed to access Azure Storage');
		expect(result.error?.description).toContain('Azure Storage');
	});

	it('says the tenant is unknown when Entra ID answers AADSTS90002', async () => {
		entra.fail('client_credentials', {
			status: 400,
			body: {
				error: 'invalid_request',
				error_description: "AADSTS90002: Tenant 'contoso.example' not found. Check to make sure you have the correct tenant ID.",
			},
		});
		const result = await run(CLIENT_CREDENTIALS, fields(), { resource: 'container', operation: 'getAll', returnAll: true });
		expect(result.error?.message).toBe('Microsoft Entra ID does not know the tenant entered in the credential');
		expectNoSecrets(result, [CLIENT_SECRET]);
	});
});

describe('authorization code (user sign-in)', () => {
	it('uses a stored valid token as it is: no token request, nothing persisted', async () => {
		const container = await createContainer('ac-valid');
		const data = await connectedOAuth2();
		entra.requests.length = 0;
		const result = await run(OAUTH2, data, uploadText(container, 'a.txt', 'a'));
		expect(result.error).toBeUndefined();
		expect(entra.requests).toEqual([]);
		expect(result.credentialsHelper.persisted).toEqual([]);
		expectNoSecrets(result, secretsOf(data));
	});

	it('refreshes an expired stored token before the first request; n8n persists the new access and refresh token', async () => {
		const container = await createContainer('ac-expired');
		entra.lifetimeSeconds = -60;
		const data = await connectedOAuth2();
		entra.reset();
		const old = data.oauthTokenData as Record<string, string>;
		const result = await run(OAUTH2, data, uploadText(container, 'b.txt', 'b'));
		expect(result.error).toBeUndefined();
		expect(entra.hits('refresh_token')).toBe(1);
		expect(entra.requests[0].body).toMatchObject({ grant_type: 'refresh_token', refresh_token: old.refresh_token });
		const [renewed] = persistedTokens(result);
		expect(renewed.access_token).toMatch(/^ey/);
		expect(renewed.access_token).not.toBe(old.access_token);
		expect(renewed.refresh_token).toBeTruthy();
		expect(renewed.refresh_token).not.toBe(old.refresh_token);
		expectNoSecrets(result, secretsOf(data, { oauthTokenData: renewed }));
	});

	it('renews once and repeats the request when Azure rejects a token that looked valid', async () => {
		const container = await createContainer('ac-rejected');
		// Valid by its exp claim, but not before an hour from now: Azurite answers 403 AuthenticationFailed.
		entra.extraClaims = { nbf: Math.floor(Date.now() / 1000) + 3600 };
		const data = await connectedOAuth2();
		entra.reset();
		const result = await run(OAUTH2, data, uploadText(container, 'c.txt', 'c'));
		expect(result.error).toBeUndefined();
		expect(entra.hits('refresh_token')).toBe(1);
		expect(result.credentialsHelper.persisted).toHaveLength(1);
	});

	it('keeps a multi-block upload going when the access token expires in the middle of it; the bytes match', async () => {
		const container = await createContainer('ac-midway');
		// Tokens live at most one second (exp = iat + 1, iat in whole seconds).
		entra.lifetimeSeconds = 1;
		const data = await connectedOAuth2();
		entra.requests.length = 0;
		const content = randomBytes(80 * 1024 * 1024);
		const started = Date.now();
		const result = await run(
			OAUTH2,
			data,
			{
				resource: 'blob',
				operation: 'upload',
				container: byName(container),
				blobName: 'big.bin',
				options: { blockSizeMiB: 1, parallelUploads: 1 },
			},
			[fileItem(content, 'big.bin', 'application/octet-stream')],
		);
		const seconds = (Date.now() - started) / 1000;
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: content.length, blocks: 80 });
		// The upload outlived a token (at most 1 s), and n8n renewed at least twice: the second
		// renewal came after blocks had gone out with the first renewed token, i.e. mid-upload.
		expect(seconds).toBeGreaterThan(1);
		expect(entra.hits('refresh_token')).toBeGreaterThanOrEqual(2);
		expect(result.credentialsHelper.persisted.length).toBe(entra.hits('refresh_token'));
		const downloaded = await storage.getContainerClient(container).getBlobClient('big.bin').downloadToBuffer();
		expect(sha256(downloaded)).toBe(sha256(content));
		console.info(`80 MiB in 1 MiB blocks: ${seconds.toFixed(1)} s, ${entra.hits('refresh_token')} token renewals`);
	}, 120_000);

	it('says "reconnect the credential" when Entra ID refuses the refresh (invalid_grant), without any token in the text', async () => {
		entra.lifetimeSeconds = -60;
		const data = await connectedOAuth2();
		entra.reset();
		entra.fail('refresh_token', {
			status: 400,
			body: {
				error: 'invalid_grant',
				error_description:
					'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2024-01-01 and was inactive for 90.00:00:00.',
			},
		});
		const result = await run(OAUTH2, data, { resource: 'container', operation: 'getAll', returnAll: true });
		expect(result.error?.message).toContain('reconnect the credential');
		expect(result.credentialsHelper.persisted).toEqual([]);
		expectNoSecrets(result, secretsOf(data));
	});

	it('two processes refreshing the same expired token at once both succeed against rotating refresh tokens', async () => {
		// Two executions with their own credential id share one credential store (as n8n
		// processes share the database) and do not share n8n's in-process refresh lock. Entra ID
		// accepts each refresh token once: the second refresh is refused although the credential
		// is fine, and the node must then use the token the first one stored, not say "reconnect".
		const container = await createContainer('ac-race');
		entra.lifetimeSeconds = -60;
		const data = await connectedOAuth2();
		entra.reset();
		entra.singleUseRefreshTokens = true;
		const shared = new TestCredentialsHelper({ [OAUTH2]: structuredClone(data) });
		const runAs = (id: string, name: string) =>
			runNode({
				credentials: { [OAUTH2]: data },
				credentialsHelper: shared,
				credentialId: id,
				parameters: { authentication: 'oAuth2', ...uploadText(container, name, name) } as never,
			});
		const [first, second] = await Promise.all([runAs('process-1', 'one.txt'), runAs('process-2', 'two.txt')]);
		expect(entra.reusedRefreshTokens).toBe(1);
		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		const names = [];
		for await (const blob of storage.getContainerClient(container).listBlobsFlat()) names.push(blob.name);
		expect(names.sort()).toEqual(['one.txt', 'two.txt']);
		expect(shared.persisted).toHaveLength(1);
		expectNoSecrets(first, secretsOf(data, shared.persisted[0].data));
		expectNoSecrets(second, secretsOf(data, shared.persisted[0].data));
	});

	it('says the credential is not connected when there is no token yet', async () => {
		const result = await run(OAUTH2, fields(), { resource: 'container', operation: 'getAll', returnAll: true });
		expect(result.error?.message).toMatch(/not connected/i);
		expect(entra.requests).toEqual([]);
	});
});

describe.each([
	['client credentials', CLIENT_CREDENTIALS],
	['OAuth2 authorization code', OAUTH2],
])('every operation with %s', (_label, type) => {
	let data: ICredentialDataDecryptedObject;
	const container = `ops-${type === OAUTH2 ? 'ac' : 'cc'}-${randomBytes(3).toString('hex')}`;

	beforeAll(async () => {
		data = type === OAUTH2 ? await connectedOAuth2() : fields();
	});

	/** Runs with the token n8n persisted last, as the next execution would. */
	async function step(parameters: Record<string, unknown>, items?: RunResult['items']) {
		const result = await run(type, data, parameters, items);
		const [latest] = persistedTokens(result).slice(-1);
		if (latest) data = { ...data, oauthTokenData: latest } as ICredentialDataDecryptedObject;
		expect(result.error).toBeUndefined();
		expectNoSecrets(result, secretsOf(data));
		return result;
	}

	it('creates, lists, uploads, lists blobs, downloads identical bytes, deletes the blob and the container', async () => {
		const created = await step({ resource: 'container', operation: 'create', containerName: container });
		expect(created.items[0].json).toMatchObject({ name: container, created: true });

		const containers = await step({ resource: 'container', operation: 'getAll', prefix: container, returnAll: true });
		expect(containers.items.map((i) => i.json.name)).toEqual([container]);

		const content = Buffer.from('id,amount\n1,20\n'.repeat(500));
		const uploaded = await step(
			{ resource: 'blob', operation: 'upload', container: byName(container), blobName: 'in/q1.csv' },
			[fileItem(content, 'q1.csv', 'text/csv')],
		);
		expect(uploaded.items[0].json).toMatchObject({ name: 'in/q1.csv', size: content.length });

		const blobs = await step({ resource: 'blob', operation: 'getAll', container: byName(container), returnAll: true });
		expect(blobs.items.map((i) => i.json.name)).toEqual(['in/q1.csv']);

		const downloaded = await step({ resource: 'blob', operation: 'download', container: byName(container), blob: byName('in/q1.csv') });
		expect(sha256(Buffer.from(downloaded.items[0].binary!.data.data, 'base64'))).toBe(sha256(content));

		const deletedBlob = await step({ resource: 'blob', operation: 'delete', container: byName(container), blob: byName('in/q1.csv') });
		expect(deletedBlob.items[0].json).toMatchObject({ deleted: true });

		const deletedContainer = await step({ resource: 'container', operation: 'delete', container: byName(container) });
		expect(deletedContainer.items[0].json).toMatchObject({ name: container, deleted: true });
		expect(await storage.getContainerClient(container).exists()).toBe(false);
	});
});

describe('"Test" in the credential dialog', () => {
	async function test(type: string, data: ICredentialDataDecryptedObject) {
		const resolved = await resolveCredentialData(credentialTypes, type, data, additionalData());
		return await testBlobStorageCredential.call(new CredentialTestContext(), { id: '1', name: 'test', type, data: resolved });
	}

	it('client credentials: fetches a throw-away token and lists the account', async () => {
		const result = await test(CLIENT_CREDENTIALS, fields());
		expect(result).toEqual({ status: 'OK', message: `Connected to storage account "${AZURITE_ACCOUNT}"` });
		expect(entra.hits('client_credentials')).toBe(1);
	});

	it('client credentials: a wrong secret gives the secret message, without the secret', async () => {
		entra.fail('client_credentials', {
			status: 401,
			body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' },
		});
		const result = await test(CLIENT_CREDENTIALS, fields());
		expect(result.status).toBe('Error');
		expect(result.message).toContain('Microsoft Entra ID rejected the client secret');
		expect(result.message).not.toContain(CLIENT_SECRET);
	});

	it('authorization code: tests with the stored token and never refreshes it', async () => {
		const data = await connectedOAuth2();
		entra.requests.length = 0;
		expect(await test(OAUTH2, data)).toEqual({ status: 'OK', message: `Connected to storage account "${AZURITE_ACCOUNT}"` });
		expect(entra.requests).toEqual([]);
	});
});
