/**
 * The new operations with Entra ID credentials. Create SAS URL: a user delegation SAS. Delete
 * Many and Set Tier Many: Blob Batch sub-requests signed with the bearer token. Azurite supports user
 * delegation keys only over HTTPS with `--oauth basic`; tokens come from a loopback OAuth2
 * server (oauth2-mock-server) through n8n's own client-credentials flow.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { runNode } from '../helpers/engine';
import { startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { byName } from '../helpers/params';
import { generateCertificate, trustCertificateInThisProcess, type TestCertificate } from '../helpers/tls';

const CLIENT_CREDENTIALS = 'azureBlobStorageClientCredentialsOAuth2Api';
const CLIENT_SECRET = `secret-${randomBytes(12).toString('hex')}`;

let cert: TestCertificate;
let azurite: RunningAzurite;
let entra: MockEntraId;
let untrust: () => void;
let container: string;
let storage: BlobServiceClient;

beforeAll(async () => {
	cert = generateCertificate();
	untrust = trustCertificateInThisProcess(cert.pem);
	[azurite, entra] = await Promise.all([startAzurite({ https: { cert: cert.certFile, key: cert.keyFile } }), startMockEntraId()]);
	storage = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
	container = `sas-ud-${randomBytes(4).toString('hex')}`;
	await storage.getContainerClient(container).create();
	await storage.getContainerClient(container).getBlockBlobClient('shared/plan.txt').uploadData(Buffer.from('the plan'));
}, 90_000);

// Real Entra ID access tokens carry the caller's object id (oid); Azurite derives the user
// delegation key from it (HTTP 500 without one).
beforeEach(() => {
	entra.extraClaims = { oid: '0f0e0d0c-0b0a-4909-8807-060504030201' };
});

afterAll(async () => {
	await azurite?.stop();
	await entra?.stop();
	untrust?.();
	cert?.remove();
});

function fields(): ICredentialDataDecryptedObject {
	return { tenantId: TENANT, clientId: 'app-client-id', clientSecret: CLIENT_SECRET, cloud: 'custom', loginAuthority: entra.authority, endpoint: azurite.blobEndpoint };
}

function runWith(operation: string, parameters: Record<string, unknown>) {
	return runNode({
		credentials: { [CLIENT_CREDENTIALS]: fields() },
		parameters: { authentication: 'clientCredentials', resource: 'blob', operation, container: byName(container), ...parameters } as never,
	});
}
const createSasUrl = (parameters: Record<string, unknown>) => runWith('createSasUrl', parameters);

it('signs a user delegation SAS that downloads the blob over HTTPS, and no token or secret shows', async () => {
	const { items, error } = await createSasUrl({ blob: byName('shared/plan.txt'), permissions: ['r'], expiresOn: new Date(Date.now() + 3600_000).toISOString() });
	expect(error).toBeUndefined();
	expect(items[0].json).toMatchObject({ sasType: 'user delegation', permissions: 'r', httpsOnly: true });
	const url = new URL(String(items[0].json.url));
	// A user delegation SAS names the key's object and tenant (skoid, sktid) and is signed with it.
	expect(url.searchParams.get('skoid')).toBeTruthy();
	expect(url.searchParams.get('spr')).toBe('https');
	const download = await fetch(url); // the test certificate is trusted by this process (trustCertificateInThisProcess)
	expect(download.status).toBe(200);
	expect(await download.text()).toBe('the plan');
	expect(JSON.stringify(items)).not.toContain(CLIENT_SECRET);
	expect(JSON.stringify(items)).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\./);
});

it('signs a container link that lists', async () => {
	const { items, error } = await createSasUrl({ linkFor: 'container', permissions: ['l', 'r'], expiresOn: new Date(Date.now() + 3600_000).toISOString() });
	expect(error).toBeUndefined();
	const list = await fetch(`${String(items[0].json.url)}&restype=container&comp=list`);
	expect(list.status).toBe(200);
	expect(await list.text()).toContain('shared/plan.txt');
});

it('refuses an expiry more than 7 days ahead, which a user delegation key cannot cover', async () => {
	const { error } = await createSasUrl({ blob: byName('shared/plan.txt'), expiresOn: new Date(Date.now() + 8 * 24 * 3600_000).toISOString() });
	expect(error?.message).toBe('A user delegation SAS (Entra ID credential) can be valid for at most 7 days from its start');
});

it('Delete Many and Set Tier Many sign each batch sub-request with the token', async () => {
	const names = ['bulk/1.txt', 'bulk/2.txt', 'bulk/3.txt'];
	for (const name of names) await storage.getContainerClient(container).getBlockBlobClient(name).uploadData(Buffer.from(name));
	const tiered = await runWith('setTierMany', { prefix: 'bulk/', accessTier: 'Cool' });
	expect(tiered.error).toBeUndefined();
	expect(tiered.items.map((i) => i.json.outcome)).toEqual(['tier set', 'tier set', 'tier set']);
	const deleted = await runWith('deleteMany', { prefix: 'bulk/' });
	expect(deleted.error).toBeUndefined();
	expect(deleted.items.map((i) => i.json.outcome)).toEqual(['deleted', 'deleted', 'deleted']);
	expect(JSON.stringify([tiered.items, deleted.items])).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\./);
});

it('Copy within the account: Azure reads the source through a user delegation SAS (sync) or the token (async)', async () => {
	for (const copyMethod of ['auto', 'async']) {
		const { items, error } = await runWith('copy', {
			sourceContainer: byName(container),
			sourceBlob: byName('shared/plan.txt'),
			blobName: `copies/plan-${copyMethod}.txt`,
			options: { copyMethod },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ copyStatus: 'success', copyMethod: copyMethod === 'auto' ? 'sync' : 'async', size: 8 });
		expect(JSON.stringify(items)).not.toMatch(/sig=/);
	}
});
