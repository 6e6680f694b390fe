/**
 * The polling trigger with the Entra ID credentials: tokens from a real OAuth2 server
 * (oauth2-mock-server), checked by Azurite in `--oauth basic` over HTTPS, fetched and stored
 * through n8n's poll context.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { mock } from 'jest-mock-extended';
import type { IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { credentialTypes } from '../helpers/engine';
import { resolveCredentialData } from '../helpers/oauthCredentials';
import { connectAccount, startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { byName } from '../helpers/params';
import { generateCertificate, trustCertificateInThisProcess, type TestCertificate } from '../helpers/tls';
import { PollHarness } from '../helpers/triggerEngine';

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

async function connectedOAuth2(): Promise<ICredentialDataDecryptedObject> {
	const stored = fields();
	const additionalData = mock<IWorkflowExecuteAdditionalData>();
	(additionalData as unknown as Record<string, unknown>).executionContext = undefined;
	const resolved = await resolveCredentialData(credentialTypes, 'azureBlobStorageOAuth2Api', stored, additionalData);
	return { ...stored, oauthTokenData: await connectAccount(resolved) } as ICredentialDataDecryptedObject;
}

it.each([
	['client credentials', 'clientCredentials', 'azureBlobStorageClientCredentialsOAuth2Api'],
	['OAuth2 sign-in', 'oAuth2', 'azureBlobStorageOAuth2Api'],
])('%s: a new blob fires once; tokens n8n stores never reach the items or the state', async (_label, authentication, type) => {
	const container = `trig-entra-${randomBytes(4).toString('hex')}`;
	await storage.getContainerClient(container).create();
	const data = type === 'azureBlobStorageOAuth2Api' ? await connectedOAuth2() : fields();
	const t = new PollHarness({
		credentials: { [type]: data },
		parameters: { authentication, container: byName(container), events: ['created', 'updated'] } as never,
	});
	expect((await t.activate()).items).toBeUndefined();
	await storage.getContainerClient(container).getBlockBlobClient('entra.txt').upload('hi', 2);
	const outcome = await t.tick();
	expect(outcome.error).toBeUndefined();
	expect(outcome.items?.map((item) => `${item.json.event} ${item.json.name}`)).toEqual(['created entra.txt']);

	const tokens = [data, ...t.credentialsHelper.persisted.map((p) => p.data)].flatMap((d) => {
		const token = (d.oauthTokenData ?? {}) as Record<string, unknown>;
		return ['access_token', 'refresh_token'].map((key) => token[key]).filter((v): v is string => typeof v === 'string');
	});
	if (type === 'azureBlobStorageClientCredentialsOAuth2Api') expect(tokens.length).toBeGreaterThan(0); // n8n stored the token it fetched
	const visible = JSON.stringify([outcome.items, t.saved, t.nodeStaticData()]);
	for (const secret of [CLIENT_SECRET, ...tokens]) expect(visible).not.toContain(secret);
});
