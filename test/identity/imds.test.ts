/**
 * Managed identity on a VM or scale set: @azure/identity asks the instance metadata service
 * (IMDS). The test never goes near 169.254.169.254: AZURE_POD_IDENTITY_AUTHORITY_HOST (which
 * Microsoft's library reads to override the IMDS host) points at a loopback server speaking the
 * IMDS protocol, every non-loopback connection is refused by a guard, and the requests are
 * checked at the HTTP level. A file of its own because Microsoft's library picks the identity
 * source once per process (module registry).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { clearIdentityCache } from '../../nodes/AzureBlobStorage/transport/identity';
import { AZURITE_ACCOUNT, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { allowLoopbackOnly, type LoopbackGuard } from '../helpers/loopbackOnly';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../helpers/managedIdentityEndpoint';
import { generateCertificate, trustCertificateInThisProcess, type TestCertificate } from '../helpers/tls';
import { ALLOW_ENV, credentialTest, expectNoSecrets, listContainers, MANAGED_IDENTITY, run, setEnv } from './support';

const USER_ASSIGNED = {
	clientId: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
	resourceId: '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/vm/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n8n-vm',
};

let guard: LoopbackGuard;
let tls: TestCertificate;
let untrust: () => void;
let azurite: RunningAzurite;
let imds: ManagedIdentityEndpoint;
let restoreEnv: () => void;

beforeAll(async () => {
	guard = allowLoopbackOnly();
	tls = generateCertificate();
	untrust = trustCertificateInThisProcess(tls.pem);
	[azurite, imds] = await Promise.all([
		startAzurite({ https: { cert: tls.certFile, key: tls.keyFile } }),
		startManagedIdentityEndpoint([USER_ASSIGNED]),
	]);
	restoreEnv = setEnv({
		// No App Service, Arc, Service Fabric, Cloud Shell or AKS variables: the VM flow.
		IDENTITY_ENDPOINT: undefined,
		IDENTITY_HEADER: undefined,
		IDENTITY_SERVER_THUMBPRINT: undefined,
		IMDS_ENDPOINT: undefined,
		MSI_ENDPOINT: undefined,
		MSI_SECRET: undefined,
		AZURE_FEDERATED_TOKEN_FILE: undefined,
		AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.imdsHost,
		[ALLOW_ENV]: 'true',
	});
}, 90_000);

afterAll(async () => {
	restoreEnv?.();
	await azurite?.stop();
	await imds?.stop();
	untrust?.();
	tls?.remove();
	guard?.remove();
});

beforeEach(() => {
	imds.reset();
	clearIdentityCache();
});

afterEach(() => expect(guard.refused).toEqual([]));

function fields(extra: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return { identityType: 'systemAssigned', cloud: 'custom', endpoint: azurite.blobEndpoint, ...extra } as ICredentialDataDecryptedObject;
}

describe('managed identity through the VM instance metadata service (on loopback)', () => {
	it('asks IMDS for a storage token the way a VM does: GET /metadata/identity/oauth2/token, api-version 2018-02-01, Metadata: true', async () => {
		const result = await run(MANAGED_IDENTITY, fields(), listContainers);
		expect(result.error).toBeUndefined();
		expect(imds.requests).toHaveLength(1);
		const [request] = imds.requests;
		expect(request.protocol).toBe('imds');
		expect(request.method).toBe('GET');
		// Microsoft's library appends a slash to the path; the metadata service accepts both.
		expect(request.path).toMatch(/^\/metadata\/identity\/oauth2\/token\/?$/);
		expect(request.query).toEqual({ 'api-version': '2018-02-01', resource: 'https://storage.azure.com' });
		expect(request.headers.metadata).toBe('true');
		expect(request.headers['x-identity-header']).toBeUndefined();
		expectNoSecrets(result, imds.everIssued);
	});

	it('names a user-assigned identity as IMDS expects: client_id, or msi_res_id for a resource ID', async () => {
		for (const data of [
			fields({ identityType: 'userAssignedClientId', clientId: USER_ASSIGNED.clientId }),
			fields({ identityType: 'userAssignedResourceId', resourceId: USER_ASSIGNED.resourceId }),
		]) {
			expect((await run(MANAGED_IDENTITY, data, listContainers)).error).toBeUndefined();
		}
		expect(imds.requests.map((r) => r.query)).toEqual([
			{ 'api-version': '2018-02-01', resource: 'https://storage.azure.com', client_id: USER_ASSIGNED.clientId },
			{ 'api-version': '2018-02-01', resource: 'https://storage.azure.com', msi_res_id: USER_ASSIGNED.resourceId },
		]);
	});

	it('asks for another resource when a custom cloud names one', async () => {
		const result = await run(MANAGED_IDENTITY, fields({ storageAudience: 'https://devstoreaccount1.blob.core.windows.net/' }), listContainers);
		expect(result.error).toBeUndefined();
		expect(imds.requests[0].query.resource).toBe('https://devstoreaccount1.blob.core.windows.net');
	});

	it('says the VM has no such identity when IMDS answers "Identity not found"', async () => {
		const result = await run(MANAGED_IDENTITY, fields({ identityType: 'userAssignedClientId', clientId: '12345678-1234-4234-8234-123456789012' }), listContainers);
		expect(result.error?.message).toBe('This host has no managed identity matching the credential');
		expect(result.error?.description).toContain('Identity not found');
	});

	it('"Test" in the credential dialog works through IMDS', async () => {
		expect(await credentialTest(MANAGED_IDENTITY, fields())).toEqual({ status: 'OK', message: `Connected to storage account "${AZURITE_ACCOUNT}"` });
		expect(imds.requests).toHaveLength(1);
	});
});
