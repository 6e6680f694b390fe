/**
 * Workload identity and client certificate: Microsoft's sign-in library (@azure/identity, MSAL)
 * against oauth2-mock-server over HTTPS as the tenant's token endpoint, which records what it
 * received (grant type, client assertion, x5c); then the node run by n8n's engine against
 * Azurite in `--oauth basic` over HTTPS. Every connection outside loopback is refused.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { constants, createPublicKey, randomBytes, verify } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { tmpdir } from 'os';
import { join } from 'path';

import { clearIdentityCache } from '../../nodes/AzureBlobStorage/transport/identity';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { FEDERATED_TENANT, startHttpsEntraId, type HttpsEntraId } from '../helpers/httpsEntraId';
import { allowLoopbackOnly, type LoopbackGuard } from '../helpers/loopbackOnly';
import { makeServicePrincipalCertificate, type ServicePrincipalCertificate } from '../helpers/servicePrincipalCertificate';
import { generateCertificate, trustCertificateInThisProcess, type TestCertificate } from '../helpers/tls';
import {
	ALLOW_ENV,
	CLIENT_CERTIFICATE,
	credentialTest,
	everyOperation,
	expectNoSecrets,
	listContainers,
	run,
	setEnv,
	uploadText,
	WORKLOAD_IDENTITY,
} from './support';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const WORKLOAD_CLIENT_ID = 'cccccccc-dddd-4eee-8fff-000000000001';
const APP_CLIENT_ID = 'cccccccc-dddd-4eee-8fff-000000000002';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

let guard: LoopbackGuard;
let tls: TestCertificate;
let untrust: () => void;
let azurite: RunningAzurite;
let entra: HttpsEntraId;
let storage: BlobServiceClient;
let restoreEnv: () => void;
let dir: string;
let tokenFile: string;
let serviceAccountToken: string;
let spCert: ServicePrincipalCertificate;
let encryptedCert: ServicePrincipalCertificate;

function base64url(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
	guard = allowLoopbackOnly();
	tls = generateCertificate();
	untrust = trustCertificateInThisProcess(tls.pem);
	[azurite, entra] = await Promise.all([startAzurite({ https: { cert: tls.certFile, key: tls.keyFile } }), startHttpsEntraId(tls)]);
	storage = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
	restoreEnv = setEnv({
		[ALLOW_ENV]: 'true',
		AZURE_TENANT_ID: undefined,
		AZURE_CLIENT_ID: undefined,
		AZURE_FEDERATED_TOKEN_FILE: undefined,
		AZURE_AUTHORITY_HOST: undefined,
		AZURE_REGIONAL_AUTHORITY_NAME: undefined,
	});
	// What Kubernetes projects into the pod: a service account token for Entra ID's audience.
	dir = mkdtempSync(join(tmpdir(), 'workload-identity-'));
	tokenFile = join(dir, 'azure-identity-token');
	const now = Math.floor(Date.now() / 1000);
	serviceAccountToken = `${base64url({ alg: 'RS256', kid: 'k8s' })}.${base64url({
		iss: 'https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/',
		sub: 'system:serviceaccount:n8n:n8n',
		aud: ['api://AzureADTokenExchange'],
		iat: now,
		exp: now + 3600,
	})}.${randomBytes(64).toString('base64url')}`;
	writeFileSync(tokenFile, `${serviceAccountToken}\n`);
	spCert = makeServicePrincipalCertificate();
	encryptedCert = makeServicePrincipalCertificate({ password: PASSWORD, subject: 'n8n-encrypted' });
}, 90_000);

afterAll(async () => {
	restoreEnv?.();
	await azurite?.stop();
	await entra?.stop();
	untrust?.();
	tls?.remove();
	guard?.remove();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
	entra.reset();
	clearIdentityCache();
	process.env[ALLOW_ENV] = 'true';
});

afterEach(() => expect(guard.refused).toEqual([]));

/** Tenant, client and authority as typed in; Azurite as a custom-cloud endpoint. */
function target(): ICredentialDataDecryptedObject {
	return { tenantId: FEDERATED_TENANT, cloud: 'custom', loginAuthority: entra.authority, endpoint: azurite.blobEndpoint };
}

function workload(extra: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return { ...target(), clientId: WORKLOAD_CLIENT_ID, federatedTokenFile: tokenFile, ...extra } as ICredentialDataDecryptedObject;
}

function certificate(cert: ServicePrincipalCertificate = spCert, extra: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return { ...target(), clientId: APP_CLIENT_ID, certificate: cert.pem, ...extra } as ICredentialDataDecryptedObject;
}

/** The private key in every form a leak could take, the password, every token. */
function secrets(): string[] {
	const keyLines = [spCert, encryptedCert].flatMap((c) => c.keyPem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
	return [...keyLines, PASSWORD, serviceAccountToken, ...entra.issuedTokens];
}

function decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signed: Buffer; signature: Buffer } {
	const [header, payload, signature] = jwt.split('.');
	return {
		header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
		payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
		signed: Buffer.from(`${header}.${payload}`),
		signature: Buffer.from(signature, 'base64url'),
	};
}

/** Whether `jwt` is signed by the certificate's key (PS256 as MSAL signs, or RS256). */
function signedBy(jwt: string, cert: ServicePrincipalCertificate): boolean {
	const { header, signed, signature } = decode(jwt);
	const key = createPublicKey(cert.certificatePem);
	if (header.alg === 'PS256') {
		return verify('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
	}
	return header.alg === 'RS256' && verify('sha256', signed, key, signature);
}

describe('workload identity (federated token exchanged at the tenant\'s token endpoint)', () => {
	it('exchanges the token file for a storage token: client credentials grant, the file\'s token as JWT-bearer client assertion, the storage scope', async () => {
		const result = await run(WORKLOAD_IDENTITY, workload(), listContainers);
		expect(result.error).toBeUndefined();
		expect(entra.requests).toHaveLength(1);
		expect(entra.requests[0].body).toMatchObject({
			grant_type: 'client_credentials',
			client_id: WORKLOAD_CLIENT_ID,
			client_assertion_type: JWT_BEARER,
			client_assertion: serviceAccountToken,
			scope: 'https://storage.azure.com/.default',
		});
		expect(entra.requests[0].body.client_secret).toBeUndefined();
		expectNoSecrets(result, secrets());
	});

	it('takes tenant, client ID and token file from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE when the fields are empty', async () => {
		const restore = setEnv({ AZURE_TENANT_ID: FEDERATED_TENANT, AZURE_CLIENT_ID: WORKLOAD_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE: tokenFile });
		try {
			const data = { cloud: 'custom', loginAuthority: entra.authority, endpoint: azurite.blobEndpoint } as ICredentialDataDecryptedObject;
			const result = await run(WORKLOAD_IDENTITY, data, listContainers);
			expect(result.error).toBeUndefined();
			expect(entra.requests[0].body).toMatchObject({ client_id: WORKLOAD_CLIENT_ID, client_assertion: serviceAccountToken });
		} finally {
			restore();
		}
	});

	it('says which field is missing when neither the field nor the environment variable is set', async () => {
		const result = await run(WORKLOAD_IDENTITY, workload({ clientId: '' }), listContainers);
		expect(result.error?.message).toBe('Client ID is empty in the credential and AZURE_CLIENT_ID is not set on the n8n host');
		expect(entra.requests).toEqual([]);
	});

	it('runs every operation with the workload identity, on one token for all of them', async () => {
		await everyOperation(WORKLOAD_IDENTITY, workload(), secrets, 'wi-ops');
		expect(entra.requests).toHaveLength(1);
	});

	it('without N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY the node and the Test say how to enable it, and ask Entra ID for nothing', async () => {
		delete process.env[ALLOW_ENV];
		const result = await run(WORKLOAD_IDENTITY, workload(), listContainers);
		expect(result.error?.message).toBe('Workload identity is not enabled on this n8n instance');
		expect(result.error?.description).toContain('N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true');
		const tested = await credentialTest(WORKLOAD_IDENTITY, workload());
		expect(tested.status).toBe('Error');
		expect(tested.message).toMatch(/^Workload identity is not enabled on this n8n instance\. .*N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true/);
		expect(entra.requests).toEqual([]);
	});

	it.each([
		['AADSTS70021', "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://oidc.example/'."],
		['AADSTS700213', "AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:n8n:n8n'."],
	])('says no federated credential matches when Entra ID answers %s', async (_code, description) => {
		entra.fail({ status: 400, body: { error: 'invalid_request', error_description: description } });
		const result = await run(WORKLOAD_IDENTITY, workload(), listContainers);
		expect(result.error?.message).toBe('No federated credential of the app matches the token of this host');
		expect(result.error?.description).toContain('system:serviceaccount:<namespace>');
		expect(result.error?.description).toContain(description.slice(0, 40));
		expectNoSecrets(result, secrets());
	});

	it('says the token file does not exist when it is not there', async () => {
		const result = await run(WORKLOAD_IDENTITY, workload({ federatedTokenFile: join(dir, 'missing-token') }), listContainers);
		expect(result.error?.message).toBe('The federated token file does not exist on this host');
		expect(entra.requests).toEqual([]);
	});

	it('"Test" in the credential dialog exchanges the token and lists the account', async () => {
		expect(await credentialTest(WORKLOAD_IDENTITY, workload())).toEqual({ status: 'OK', message: `Connected to storage account "${AZURITE_ACCOUNT}"` });
	});
});

describe('client certificate (service principal)', () => {
	it('signs the client assertion with the certificate\'s key: it verifies with the certificate, names its SHA-256 thumbprint, and sends no chain unless asked', async () => {
		delete process.env[ALLOW_ENV]; // not a host identity: no opt-in needed
		const result = await run(CLIENT_CERTIFICATE, certificate(), listContainers);
		expect(result.error).toBeUndefined();
		expect(entra.requests).toHaveLength(1);
		const { body } = entra.requests[0];
		expect(body).toMatchObject({
			grant_type: 'client_credentials',
			client_id: APP_CLIENT_ID,
			client_assertion_type: JWT_BEARER,
			scope: 'https://storage.azure.com/.default',
		});
		expect(body.client_secret).toBeUndefined();
		const assertion = decode(body.client_assertion);
		expect(signedBy(body.client_assertion, spCert)).toBe(true);
		expect(signedBy(body.client_assertion, encryptedCert)).toBe(false);
		expect(assertion.header['x5t#S256']).toBe(spCert.x5tS256);
		expect(assertion.header.x5c).toBeUndefined();
		expect(assertion.payload).toMatchObject({ iss: APP_CLIENT_ID, sub: APP_CLIENT_ID, aud: entra.tokenEndpoint });
		expectNoSecrets(result, secrets());
	});

	it('with "Send Certificate Chain (x5c)" the assertion carries the certificate as x5c, and never the key', async () => {
		const result = await run(CLIENT_CERTIFICATE, certificate(spCert, { sendX5c: true }), listContainers);
		expect(result.error).toBeUndefined();
		const { body } = entra.requests[0];
		const { header } = decode(body.client_assertion);
		expect(header.x5c).toEqual([spCert.derBase64]);
		expect(signedBy(body.client_assertion, spCert)).toBe(true);
		const sent = JSON.stringify(body);
		for (const secret of secrets()) expect(sent).not.toContain(secret);
	});

	it('runs every operation with the certificate, on one token for all of them', async () => {
		await everyOperation(CLIENT_CERTIFICATE, certificate(), secrets, 'cert-ops');
		expect(entra.requests).toHaveLength(1);
	});

	it('opens an encrypted private key with its password', async () => {
		const result = await run(CLIENT_CERTIFICATE, certificate(encryptedCert, { certificatePassword: PASSWORD }), listContainers);
		expect(result.error).toBeUndefined();
		expect(signedBy(entra.requests[0].body.client_assertion, encryptedCert)).toBe(true);
		expectNoSecrets(result, secrets());
	});

	it('accepts a PEM whose line breaks became spaces on the way into the field', async () => {
		const flattened = spCert.pem.replace(/\n/g, ' ');
		const result = await run(CLIENT_CERTIFICATE, certificate(spCert, { certificate: flattened }), listContainers);
		expect(result.error).toBeUndefined();
		expect(signedBy(entra.requests[0].body.client_assertion, spCert)).toBe(true);
	});

	it.each([
		['a wrong password', () => certificate(encryptedCert, { certificatePassword: 'not-the-password' }), 'Certificate Password does not open the private key'],
		['no password for an encrypted key', () => certificate(encryptedCert), 'The private key is encrypted, and Certificate Password is empty'],
		[
			'the key of another certificate',
			() => certificate(spCert, { certificate: `${spCert.certificatePem}${makeServicePrincipalCertificate({ subject: 'other' }).keyPem}` }),
			'The private key does not belong to the certificate',
		],
		['no private key', () => certificate(spCert, { certificate: spCert.certificatePem }), 'Certificate holds no private key (-----BEGIN PRIVATE KEY-----)'],
		['an EC key', () => certificate(makeServicePrincipalCertificate({ keyType: 'ec' })), 'The private key is an EC key; Microsoft Entra ID signs in applications with RSA certificates only'],
		['an expired certificate', () => certificate(makeServicePrincipalCertificate({ expired: true })), 'The certificate expired on 2020-01-02'],
	])('refuses %s before any request, saying what to fix and showing no key or password', async (_label, data, message) => {
		const result = await run(CLIENT_CERTIFICATE, data(), listContainers);
		expect(result.error?.message).toBe(message);
		expect(entra.requests).toEqual([]);
		expectNoSecrets(result, secrets());
	});

	it('says Entra ID does not accept the certificate when it answers AADSTS700027, without the key in any text', async () => {
		entra.fail({
			status: 401,
			body: {
				error: 'invalid_client',
				error_description: "AADSTS700027: Client assertion failed signature validation. (Reason - The key was not found.) Trace ID: 1 Correlation ID: 2 Timestamp: 2024-01-01 00:00:00Z",
				error_codes: [700027],
			},
		});
		const result = await run(CLIENT_CERTIFICATE, certificate(encryptedCert, { certificatePassword: PASSWORD }), listContainers);
		expect(result.error?.message).toBe('Microsoft Entra ID does not accept the certificate');
		expect(result.error?.description).toContain('Certificates & secrets');
		expect(result.error?.description).toContain('AADSTS700027');
		expectNoSecrets(result, secrets());
	});

	it('says the tenant is unknown when Entra ID answers AADSTS90002', async () => {
		entra.fail({ status: 400, body: { error: 'invalid_request', error_description: "AADSTS90002: Tenant 'x' not found." } });
		const result = await run(CLIENT_CERTIFICATE, certificate(), listContainers);
		expect(result.error?.message).toBe('Microsoft Entra ID does not know the tenant entered in the credential');
	});

	it('gets a new token once when Azure rejects one that looked valid, although Microsoft\'s library still holds it in its cache', async () => {
		const container = `cert-rejected-${randomBytes(3).toString('hex')}`;
		await storage.getContainerClient(container).create();
		// An hour-long token: MSAL would hand back its cached copy; the package asks with a fresh client.
		entra.lifetimeSeconds = 3600;
		entra.nextTokenClaims = { nbf: Math.floor(Date.now() / 1000) + 3600 };
		const result = await run(CLIENT_CERTIFICATE, certificate(), uploadText(container, 'a.txt', 'a'));
		expect(result.error).toBeUndefined();
		expect(entra.requests).toHaveLength(2);
		expect(await storage.getContainerClient(container).getBlobClient('a.txt').exists()).toBe(true);
	});

	it('"Test" in the credential dialog: OK with the certificate; a wrong password is named without showing it', async () => {
		expect(await credentialTest(CLIENT_CERTIFICATE, certificate())).toEqual({ status: 'OK', message: `Connected to storage account "${AZURITE_ACCOUNT}"` });
		const wrong = await credentialTest(CLIENT_CERTIFICATE, certificate(encryptedCert, { certificatePassword: 'wrong-password-1' }));
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/^Certificate Password does not open the private key/);
		expect(wrong.message).not.toContain('wrong-password-1');
	});
});
