/**
 * Managed identity as on App Service and Container Apps: the node run by n8n's engine, tokens
 * from a loopback server speaking the platform's identity endpoint protocol (IDENTITY_ENDPOINT +
 * IDENTITY_HEADER, 2019-08-01), checked by Azurite in `--oauth basic` over HTTPS.
 */
import { AzureLogger, setLogLevel } from '@azure/logger';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { clearIdentityCache } from '../../nodes/AzureBlobStorage/transport/identity';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { allowLoopbackOnly, type LoopbackGuard } from '../helpers/loopbackOnly';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../helpers/managedIdentityEndpoint';
import { byName, fileItem, sha256 } from '../helpers/params';
import { generateCertificate, trustCertificateInThisProcess, type TestCertificate } from '../helpers/tls';
import {
	ALLOW_ENV,
	credentialTest,
	everyOperation,
	expectNoSecrets,
	listContainers,
	MANAGED_IDENTITY,
	run,
	setEnv,
	uploadText,
} from './support';

const USER_ASSIGNED = {
	clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
	resourceId: '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/n8n/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n8n-blob',
};

let tls: TestCertificate;
let untrust: () => void;
let guard: LoopbackGuard;
let azurite: RunningAzurite;
let endpoint: ManagedIdentityEndpoint;
let storage: BlobServiceClient;
let restoreEnv: () => void;

beforeAll(async () => {
	guard = allowLoopbackOnly();
	tls = generateCertificate();
	untrust = trustCertificateInThisProcess(tls.pem);
	[azurite, endpoint] = await Promise.all([
		startAzurite({ https: { cert: tls.certFile, key: tls.keyFile } }),
		startManagedIdentityEndpoint([USER_ASSIGNED]),
	]);
	restoreEnv = setEnv({
		IDENTITY_ENDPOINT: endpoint.identityEndpoint,
		IDENTITY_HEADER: endpoint.identityHeader,
		[ALLOW_ENV]: 'true',
		// Nothing else may steer @azure/identity to another source.
		MSI_ENDPOINT: undefined,
		MSI_SECRET: undefined,
		IDENTITY_SERVER_THUMBPRINT: undefined,
		IMDS_ENDPOINT: undefined,
		AZURE_FEDERATED_TOKEN_FILE: undefined,
		AZURE_POD_IDENTITY_AUTHORITY_HOST: undefined,
	});
	storage = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
}, 90_000);

afterAll(async () => {
	restoreEnv?.();
	await azurite?.stop();
	await endpoint?.stop();
	untrust?.();
	tls?.remove();
	guard?.remove();
});

beforeEach(() => {
	endpoint.reset();
	clearIdentityCache();
	process.env[ALLOW_ENV] = 'true';
});

afterEach(() => expect(guard.refused).toEqual([]));

/** What a user enters: system-assigned identity, custom cloud pointing at Azurite. */
function fields(extra: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return { identityType: 'systemAssigned', cloud: 'custom', endpoint: azurite.blobEndpoint, ...extra } as ICredentialDataDecryptedObject;
}

function secrets(): string[] {
	return [endpoint.identityHeader, ...endpoint.everIssued];
}

async function createContainer(label: string): Promise<string> {
	const name = `${label}-${randomBytes(4).toString('hex')}`;
	await storage.getContainerClient(name).create();
	return name;
}

describe('managed identity (App Service / Container Apps identity endpoint)', () => {
	it('runs every operation with the host identity, on one token for the whole process; no token or identity header in output or SDK logs', async () => {
		const logged: string[] = [];
		const originalLog = AzureLogger.log;
		AzureLogger.log = (...args: unknown[]) => logged.push(args.map(String).join(' '));
		setLogLevel('verbose');
		try {
			await everyOperation(MANAGED_IDENTITY, fields(), secrets, 'mi-ops');
		} finally {
			setLogLevel();
			AzureLogger.log = originalLog;
		}
		// Seven executions, one token: the cache lives per credential and process, not per run.
		expect(endpoint.requests).toHaveLength(1);
		const [request] = endpoint.requests;
		expect(request).toMatchObject({ protocol: 'appService', method: 'GET', path: '/msi/token' });
		expect(request.query).toEqual({ 'api-version': '2019-08-01', resource: 'https://storage.azure.com' });
		expect(request.headers['x-identity-header']).toBe(endpoint.identityHeader);
		expect(logged.length).toBeGreaterThan(0);
		const log = logged.join('\n');
		for (const secret of secrets()) expect(log).not.toContain(secret);
	});

	it('asks for the user-assigned identity by client ID or by resource ID, and keeps one token per identity', async () => {
		const byClientId = fields({ identityType: 'userAssignedClientId', clientId: USER_ASSIGNED.clientId });
		const byResourceId = fields({ identityType: 'userAssignedResourceId', resourceId: USER_ASSIGNED.resourceId });
		for (const data of [byClientId, byResourceId, fields(), byClientId, byResourceId, fields()]) {
			const result = await run(MANAGED_IDENTITY, data, listContainers);
			expect(result.error).toBeUndefined();
		}
		expect(endpoint.requests.map((r) => r.query)).toEqual([
			{ 'api-version': '2019-08-01', resource: 'https://storage.azure.com', client_id: USER_ASSIGNED.clientId },
			{ 'api-version': '2019-08-01', resource: 'https://storage.azure.com', mi_res_id: USER_ASSIGNED.resourceId },
			{ 'api-version': '2019-08-01', resource: 'https://storage.azure.com' },
		]);
		expect(endpoint.issued.map((t) => t.clientId)).toEqual([USER_ASSIGNED.clientId, USER_ASSIGNED.clientId, 'system']);
	});

	it('renews the token before it expires during a long upload, while the old one is still valid; the bytes match', async () => {
		const container = await createContainer('mi-long');
		endpoint.lifetimeSeconds = 1;
		const content = randomBytes(80 * 1024 * 1024);
		const started = Date.now();
		const result = await run(
			MANAGED_IDENTITY,
			fields(),
			{ resource: 'blob', operation: 'upload', container: byName(container), blobName: 'big.bin', options: { blockSizeMiB: 1, parallelUploads: 1 } },
			[fileItem(content, 'big.bin', 'application/octet-stream')],
		);
		const seconds = (Date.now() - started) / 1000;
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: content.length, blocks: 80 });
		expect(endpoint.issued.length).toBeGreaterThanOrEqual(2);
		// Proactive renewal: new tokens are asked for while the previous one is still valid. (On a
		// starved machine a single block can outlast the renewal window; then Azure's rejection
		// brings the new token, so at least one renewal, not all, must have come early.)
		const early = endpoint.issued.slice(1).filter((_, i) => endpoint.requests[i + 1].at < endpoint.issued[i].expiresAt).length;
		expect(early).toBeGreaterThanOrEqual(1);
		const downloaded = await storage.getContainerClient(container).getBlobClient('big.bin').downloadToBuffer();
		expect(sha256(downloaded)).toBe(sha256(content));
		expectNoSecrets(result, secrets());
		console.info(`80 MiB in 1 MiB blocks with 1-2 s managed identity tokens: ${seconds.toFixed(1)} s, ${endpoint.issued.length} tokens, ${early} renewed before expiry`);
	}, 120_000);

	it('gets a new token once when Azure rejects one that looked valid', async () => {
		const container = await createContainer('mi-rejected');
		// Valid by its exp claim, not before an hour from now: Azurite answers 403 AuthenticationFailed.
		endpoint.nextTokenClaims = { nbf: Math.floor(Date.now() / 1000) + 3600 };
		const result = await run(MANAGED_IDENTITY, fields(), uploadText(container, 'a.txt', 'a'));
		expect(result.error).toBeUndefined();
		expect(endpoint.issued).toHaveLength(2);
		expect(await storage.getContainerClient(container).getBlobClient('a.txt').exists()).toBe(true);
	});

	it.each([['unset', undefined], ['false', 'false']])(
		'with %s N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY the node and the Test say how to enable it, and ask the host for nothing',
		async (_label, value) => {
			if (value === undefined) delete process.env[ALLOW_ENV];
			else process.env[ALLOW_ENV] = value;
			const result = await run(MANAGED_IDENTITY, fields(), listContainers);
			expect(result.error?.message).toBe('Managed identity is not enabled on this n8n instance');
			expect(result.error?.description).toContain('N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true');
			expect(result.error?.description).toContain('restarts n8n');
			const tested = await credentialTest(MANAGED_IDENTITY, fields());
			expect(tested).toEqual({
				status: 'Error',
				message: expect.stringMatching(/^Managed identity is not enabled on this n8n instance\. .*N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true/),
			});
			expect(endpoint.requests).toEqual([]);
		},
	);

	it('says the host has no such identity when a user-assigned identity is not attached to it', async () => {
		const result = await run(
			MANAGED_IDENTITY,
			fields({ identityType: 'userAssignedClientId', clientId: '99999999-8888-4777-8666-555555555555' }),
			listContainers,
		);
		expect(result.error?.message).toBe('This host has no managed identity matching the credential');
		expect(result.error?.description).toContain('User-assigned: add the identity to the host');
		expectNoSecrets(result, secrets());
	});

	it('says the identity endpoint cannot be reached when it drops every connection', async () => {
		endpoint.fail('drop');
		const result = await run(MANAGED_IDENTITY, fields(), listContainers);
		expect(result.error?.message).toBe('The managed identity endpoint of this host cannot be reached');
		expect(result.error?.description).toContain('IDENTITY_ENDPOINT and IDENTITY_HEADER');
		expectNoSecrets(result, secrets());
	});

	it('refuses a resource ID that is not a user-assigned identity, naming the field, before any request', async () => {
		const result = await run(MANAGED_IDENTITY, fields({ identityType: 'userAssignedResourceId', resourceId: 'n8n-blob' }), listContainers);
		expect(result.error?.message).toBe('Resource ID "n8n-blob" is not the resource ID of a user-assigned managed identity');
		expect(endpoint.requests).toEqual([]);
	});

	it('"Test" in the credential dialog lists the account with the host identity', async () => {
		expect(await credentialTest(MANAGED_IDENTITY, fields())).toEqual({ status: 'OK', message: `Connected to storage account "${AZURITE_ACCOUNT}"` });
		expect(endpoint.requests).toHaveLength(1);
	});
});
