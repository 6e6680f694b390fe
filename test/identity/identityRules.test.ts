/**
 * The pure rules behind the identity credentials: the opt-in switch, certificate parsing and
 * redaction, the token cache keys, and the translation of @azure/identity's errors.
 */
import * as net from 'net';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { connectWithCredentials, credentialSecrets } from '../../nodes/AzureBlobStorage/transport/client';
import { EntraIdError } from '../../nodes/AzureBlobStorage/transport/entraIdErrors';
import {
	cachedIdentityKeys,
	certificateSecrets,
	clearIdentityCache,
	HOST_IDENTITY_ENV,
	hostIdentityAllowed,
	identityFailure,
	parseCertificatePem,
} from '../../nodes/AzureBlobStorage/transport/identity';
import { allowLoopbackOnly } from '../helpers/loopbackOnly';
import { makeServicePrincipalCertificate, type ServicePrincipalCertificate } from '../helpers/servicePrincipalCertificate';
import { setEnv } from './support';

let cert: ServicePrincipalCertificate;
let restoreEnv: () => void;

beforeAll(() => {
	cert = makeServicePrincipalCertificate();
	restoreEnv = setEnv({ [HOST_IDENTITY_ENV]: undefined, IDENTITY_ENDPOINT: undefined, AZURE_POD_IDENTITY_AUTHORITY_HOST: undefined });
});

afterAll(() => restoreEnv());

function keyBody(pem: string): string[] {
	return pem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
}

describe('the opt-in switch for host identities', () => {
	it.each(['true', 'TRUE', '1', 'yes', ' true '])('"%s" allows them', (value) => {
		process.env[HOST_IDENTITY_ENV] = value;
		expect(hostIdentityAllowed()).toBe(true);
	});

	it.each(['', 'false', '0', 'no', 'on please'])('"%s" does not', (value) => {
		process.env[HOST_IDENTITY_ENV] = value;
		expect(hostIdentityAllowed()).toBe(false);
	});

	it('is checked when connecting with managed or workload identity, before anything else; a certificate does not need it', () => {
		delete process.env[HOST_IDENTITY_ENV];
		expect(() => connectWithCredentials('managedIdentity', { cloud: 'custom', endpoint: 'https://127.0.0.1:1/devstoreaccount1' })).toThrow(
			'Managed identity is not enabled on this n8n instance',
		);
		expect(() => connectWithCredentials('workloadIdentity', {})).toThrow('Workload identity is not enabled on this n8n instance');
		expect(() =>
			connectWithCredentials('clientCertificate', {
				tenantId: 'contoso.onmicrosoft.com',
				clientId: '11111111-2222-4333-8444-555555555555',
				certificate: cert.pem,
				accountName: 'mycompanydata',
			}),
		).not.toThrow();
	});
});

describe('certificate parsing', () => {
	it.each([
		['as pasted', (pem: string) => pem],
		['with Windows line ends', (pem: string) => pem.replace(/\n/g, '\r\n')],
		['with line breaks written as \\n', (pem: string) => pem.replace(/\n/g, '\\n')],
		['with line breaks turned into spaces', (pem: string) => pem.replace(/\n/g, ' ')],
		['with the key before the certificate', () => `${cert.keyPem}${cert.certificatePem}`],
	])('reads a certificate and key %s', (_label, shape) => {
		const parsed = parseCertificatePem(shape(cert.pem), '');
		expect(parsed.pem).toContain('-----BEGIN CERTIFICATE-----\n');
		expect(parsed.pem).toContain('-----BEGIN PRIVATE KEY-----\n');
		expect(parsed.thumbprintSha256).toBe(Buffer.from(cert.x5tS256, 'base64url').toString('hex'));
	});

	it('counts the private key in every form as a secret, but not the certificate', () => {
		const secrets = certificateSecrets(cert.pem);
		for (const line of keyBody(cert.keyPem)) expect(secrets).toContain(line);
		for (const line of keyBody(cert.certificatePem)) expect(secrets).not.toContain(line);
		expect(certificateSecrets(cert.certificatePem)).toEqual([]);
	});

	it('the credential\'s secrets include the whole field, the key and the password, before any connection', () => {
		const secrets = credentialSecrets({ certificate: cert.pem, certificatePassword: 'correct horse battery' });
		expect(secrets).toContain(cert.pem);
		expect(secrets).toContain('correct horse battery');
		for (const line of keyBody(cert.keyPem)) expect(secrets).toContain(line);
	});
});

describe('the token cache', () => {
	it('is keyed by sha256 digests: no tenant, client ID, password or key in a key', () => {
		clearIdentityCache();
		const restore = setEnv({ [HOST_IDENTITY_ENV]: 'true' });
		try {
			const target = { cloud: 'custom', endpoint: 'https://127.0.0.1:1/devstoreaccount1', loginAuthority: 'https://127.0.0.1:2' };
			const encrypted = makeServicePrincipalCertificate({ password: 'pass-phrase-1' });
			const credentials: Array<[Parameters<typeof connectWithCredentials>[0], ICredentialDataDecryptedObject]> = [
				['managedIdentity', { ...target, identityType: 'userAssignedClientId', clientId: 'aaaaaaaa-0000-4000-8000-000000000001' }],
				['workloadIdentity', { ...target, tenantId: 'tenant-one.example', clientId: 'aaaaaaaa-0000-4000-8000-000000000002', federatedTokenFile: '/tmp/none' }],
				['clientCertificate', { ...target, tenantId: 'tenant-two.example', clientId: 'aaaaaaaa-0000-4000-8000-000000000003', certificate: encrypted.pem, certificatePassword: 'pass-phrase-1' }],
				// The same identity again: no new entry.
				['clientCertificate', { ...target, tenantId: 'tenant-two.example', clientId: 'aaaaaaaa-0000-4000-8000-000000000003', certificate: encrypted.pem, certificatePassword: 'pass-phrase-1' }],
			];
			for (const [method, data] of credentials) connectWithCredentials(method, data);
			const keys = cachedIdentityKeys();
			expect(keys).toHaveLength(3);
			for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
		} finally {
			restore();
			clearIdentityCache();
		}
	});
});

describe('the token cache lifetime', () => {
	it('forgets an identity (its key material and token) after an hour without use', () => {
		clearIdentityCache();
		const restore = setEnv({ [HOST_IDENTITY_ENV]: 'true' });
		jest.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
		try {
			const target = { cloud: 'custom', endpoint: 'https://127.0.0.1:1/devstoreaccount1' };
			connectWithCredentials('managedIdentity', { ...target, identityType: 'systemAssigned' });
			const [first] = cachedIdentityKeys();
			jest.setSystemTime(Date.parse('2030-01-01T00:59:00Z'));
			connectWithCredentials('managedIdentity', { ...target, identityType: 'userAssignedClientId', clientId: 'aaaaaaaa-0000-4000-8000-000000000009' });
			expect(cachedIdentityKeys()).toHaveLength(2);
			jest.setSystemTime(Date.parse('2030-01-01T01:01:00Z'));
			connectWithCredentials('managedIdentity', { ...target, identityType: 'userAssignedClientId', clientId: 'aaaaaaaa-0000-4000-8000-000000000009' });
			expect(cachedIdentityKeys()).toHaveLength(1);
			expect(cachedIdentityKeys()).not.toContain(first);
		} finally {
			jest.useRealTimers();
			restore();
			clearIdentityCache();
		}
	});
});

describe('errors of Microsoft\'s sign-in library', () => {
	it('reads Entra ID\'s code out of MSAL\'s message text', () => {
		const error = Object.assign(new Error(
			'invalid_client: Error(s): 7000215 - Timestamp: 2024-01-01 - Description: AADSTS700016: Application with identifier \'x\' was not found in the directory. Trace ID: 1 - Correlation ID: 2 - Trace ID: Not Available',
		), { name: 'AuthenticationRequiredError' });
		const failure = identityFailure('clientCertificate', error, 'Microsoft Entra ID');
		expect(failure).toBeInstanceOf(EntraIdError);
		expect(failure.message).toBe('The Application (Client) ID is not registered in this tenant');
		expect(failure.description).toContain('Microsoft says: AADSTS700016');
	});

	it('reads AuthenticationError\'s error response', () => {
		const error = Object.assign(new Error('invalid_client'), {
			name: 'AuthenticationError',
			errorResponse: { error: 'invalid_client', errorDescription: 'AADSTS700027: Client assertion failed signature validation.' },
		});
		expect(identityFailure('clientCertificate', error, 'Microsoft Entra ID').message).toBe('Microsoft Entra ID does not accept the certificate');
		expect(identityFailure('workloadIdentity', error, 'Microsoft Entra ID').message).toBe('Microsoft Entra ID does not accept the federated token of this host');
	});

	it('never blames a client secret for a certificate or a federated token', () => {
		const error = Object.assign(new Error('invalid_client: Error(s): Not Available - Timestamp: x - Description: Unknown - Correlation ID: y'), {
			name: 'AuthenticationRequiredError',
		});
		expect(identityFailure('clientCertificate', error, 'Microsoft Entra ID').message).toBe('Microsoft Entra ID refused a token for the certificate');
		expect(identityFailure('workloadIdentity', error, 'Microsoft Entra ID').message).toBe('Microsoft Entra ID refused to exchange the federated token of this host');
	});

	it('tells a host without a reachable identity endpoint what to check', () => {
		const error = Object.assign(new Error('ManagedIdentityCredential: Network unreachable. Message: connect ECONNREFUSED 169.254.169.254:80'), {
			name: 'CredentialUnavailableError',
		});
		const failure = identityFailure('managedIdentity', error, 'the instance metadata service of this VM');
		expect(failure.message).toBe('The managed identity endpoint of this host cannot be reached');
		expect(failure.description).toContain('NO_PROXY');
	});

	it('says an unreachable sign-in authority cannot be reached', () => {
		const error = Object.assign(new Error('endpoints_resolution_error: Endpoints cannot be resolved'), { name: 'CredentialUnavailableError' });
		expect(identityFailure('clientCertificate', error, 'Microsoft Entra ID (https://login.example)').message).toBe(
			'Microsoft Entra ID (https://login.example) cannot be reached',
		);
	});
});

describe('the loopback guard of the tests', () => {
	it('refuses a connection outside loopback before it reaches the network layer', () => {
		const prototype = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => unknown };
		const real = prototype.connect;
		const reached: unknown[] = [];
		// The guard wraps whatever connect is installed: a stub here, so nothing can leave even if the guard failed.
		prototype.connect = function (this: net.Socket, ...args: unknown[]) {
			reached.push(args[0]);
			return this;
		};
		const guard = allowLoopbackOnly();
		try {
			const socket = new net.Socket();
			socket.on('error', () => undefined);
			socket.connect({ host: '169.254.169.254', port: 80 });
			socket.connect({ host: '127.0.0.1', port: 9 });
			expect(guard.refused).toEqual(['169.254.169.254:80']);
			expect(reached).toEqual([{ host: '127.0.0.1', port: 9 }]);
			socket.destroy();
		} finally {
			guard.remove();
			prototype.connect = real;
		}
	});
});
