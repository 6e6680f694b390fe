/**
 * Entra ID identities that store no secret in n8n (managed identity, workload identity) or prove
 * themselves with a certificate, built with Microsoft's @azure/identity. One token cache per
 * credential and process: every connection made with the same identity shares the token and
 * any renewal in flight; a token is renewed shortly before it expires (as the OAuth2 credentials
 * are) and once more when Azure rejects it. The cache is keyed by a hash of the identifying
 * fields, never by a secret in clear.
 *
 * Managed and workload identity act as the machine n8n runs on, so they stay off until the n8n
 * administrator allows them with an environment variable (HOST_IDENTITY_ENV).
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { ClientCertificateCredential, ManagedIdentityCredential, WorkloadIdentityCredential } from '@azure/identity';
import { createHash, createPrivateKey, X509Certificate } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { AzureCloud } from './endpoints';
import { CLOUDS } from './endpoints';
import { EntraIdError, explainCode } from './entraIdErrors';
import { InputError } from './errors';
import type { OAuthTokenData } from './tokenCredential';
import { N8nOAuth2TokenCredential, readToken, tokenSecrets } from './tokenCredential';

export type IdentityMethod = 'managedIdentity' | 'workloadIdentity' | 'clientCertificate';

/** Set to `true` by the n8n administrator to allow credentials that act as the n8n host. */
export const HOST_IDENTITY_ENV = 'N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY';

export function isIdentityMethod(method: string): method is IdentityMethod {
	return method === 'managedIdentity' || method === 'workloadIdentity' || method === 'clientCertificate';
}

/** Managed and workload identity use the host's own identity; a certificate is the app's. */
export function isHostIdentity(method: IdentityMethod): boolean {
	return method === 'managedIdentity' || method === 'workloadIdentity';
}

export function hostIdentityAllowed(): boolean {
	return /^(true|1|yes)$/i.test((process.env[HOST_IDENTITY_ENV] ?? '').trim());
}

const HOST_IDENTITY_LABEL: Record<string, string> = {
	managedIdentity: 'Managed identity',
	workloadIdentity: 'Workload identity',
};

/** Refuses a host identity unless the administrator allowed it; the message says how to. */
export function assertHostIdentityAllowed(method: IdentityMethod): void {
	if (!isHostIdentity(method) || hostIdentityAllowed()) return;
	throw new InputError(
		`${HOST_IDENTITY_LABEL[method]} is not enabled on this n8n instance`,
		`This credential signs in as the Azure identity of the machine n8n runs on, so every n8n user who can use the credential acts as that machine. To allow it, the n8n administrator sets the environment variable ${HOST_IDENTITY_ENV}=true for n8n (the main process and every worker) and restarts n8n.`,
	);
}

function text(data: ICredentialDataDecryptedObject, field: string): string {
	const value = data[field];
	return typeof value === 'string' ? value.trim() : '';
}

function hash(parts: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** What it takes to get tokens for one identity. */
interface IdentitySpec {
	method: IdentityMethod;
	/** sha256 over the identifying fields (and of the key material, never the key itself). */
	key: string;
	scope: string;
	build(): TokenCredential;
	/** Whether a new @azure/identity object gets a new token (its own MSAL cache). */
	rebuildable: boolean;
	/** Values that must never appear in output or errors. */
	secrets: string[];
	/** Where tokens come from, for messages. */
	source: string;
}

// ---------------------------------------------------------------------------------------------
// Where tokens come from: authority and storage resource per cloud
// ---------------------------------------------------------------------------------------------

function cloudOf(data: ICredentialDataDecryptedObject): AzureCloud | 'custom' {
	return (text(data, 'cloud') || 'azurePublic') as AzureCloud | 'custom';
}

/** The scope for Azure Storage: https://storage.azure.com/.default unless a custom cloud says otherwise. */
function storageScope(data: ICredentialDataDecryptedObject): string {
	const custom = cloudOf(data) === 'custom' ? text(data, 'storageAudience').replace(/\/+$/, '') : '';
	if (custom && !/^(https?:\/\/|api:\/\/)?[^\s]+$/.test(custom)) {
		throw new InputError('Storage Resource is not a resource URI', 'Keep https://storage.azure.com unless your cloud documents another one.');
	}
	return `${custom || 'https://storage.azure.com'}/.default`;
}

/** The sign-in authority (without tenant): per cloud, or the one typed in for a custom cloud. */
function authorityOf(data: ICredentialDataDecryptedObject): { authorityHost: string; custom: boolean } {
	const cloud = cloudOf(data);
	if (cloud !== 'custom') {
		const known = CLOUDS[cloud];
		if (!known) throw new InputError(`Cloud "${cloud}" is not one of the listed clouds`);
		return { authorityHost: `https://${known.loginHost}`, custom: false };
	}
	const value = (text(data, 'loginAuthority') || 'https://login.microsoftonline.com').replace(/\/+$/, '');
	const url = URL.canParse(value) ? new URL(value) : undefined;
	if (!url || url.protocol !== 'https:' || url.username || url.password || url.search) {
		throw new InputError(
			`Sign-In Authority "${value}" is not an https:// URL`,
			'Enter the Microsoft Entra ID host that issues tokens, e.g. https://login.microsoftonline.com (Microsoft\'s sign-in library only talks to https:// authorities).',
		);
	}
	return { authorityHost: value, custom: true };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkTenant(tenantId: string, field: string): string {
	if (!/^[0-9a-zA-Z.-]+$/.test(tenantId)) {
		throw new InputError(`${field} "${tenantId}" is not a tenant ID`, 'Use the "Directory (tenant) ID" (a GUID) or a verified domain such as contoso.onmicrosoft.com.');
	}
	if (/^(common|organizations|consumers)$/i.test(tenantId)) {
		throw new InputError(
			`${field} "${tenantId}" cannot be used for an application sign-in`,
			'Use the directory (tenant) ID of the tenant the app registration or managed identity lives in.',
		);
	}
	return tenantId;
}

function checkClientId(clientId: string, field: string): string {
	if (!GUID.test(clientId) && !/^[0-9a-zA-Z._:/-]+$/.test(clientId)) {
		throw new InputError(`${field} "${clientId}" is not a client ID`, 'Copy the "Application (client) ID" or the managed identity\'s "Client ID" (a GUID).');
	}
	return clientId;
}

// ---------------------------------------------------------------------------------------------
// Managed identity
// ---------------------------------------------------------------------------------------------

function managedIdentitySpec(data: ICredentialDataDecryptedObject): IdentitySpec {
	const identity = text(data, 'identityType') || 'systemAssigned';
	const scope = storageScope(data);
	let options: { clientId?: string; resourceId?: string } = {};
	if (identity === 'userAssignedClientId') {
		const clientId = text(data, 'clientId');
		if (!clientId) {
			throw new InputError('Client ID is empty in the credential', 'Copy the "Client ID" from the user-assigned managed identity\'s Overview page in the Azure portal.');
		}
		options = { clientId: checkClientId(clientId, 'Client ID') };
	} else if (identity === 'userAssignedResourceId') {
		const resourceId = text(data, 'resourceId');
		if (!/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/\s]+$/i.test(resourceId)) {
			throw new InputError(
				resourceId ? `Resource ID "${resourceId}" is not the resource ID of a user-assigned managed identity` : 'Resource ID is empty in the credential',
				'Copy it from the managed identity\'s "Properties" page: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>.',
			);
		}
		options = { resourceId };
	} else if (identity !== 'systemAssigned') {
		throw new InputError(`Identity "${identity}" is not one of the listed choices`);
	}
	// The host's identity endpoint is part of the identity (a test, or a container moved between hosts).
	const endpoint = process.env.IDENTITY_ENDPOINT ?? process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST ?? '';
	const identityHeader = process.env.IDENTITY_HEADER;
	return {
		method: 'managedIdentity',
		key: hash(['managedIdentity', identity, options.clientId, options.resourceId, scope, endpoint]),
		scope,
		// A few quick retries only: a host without an identity endpoint should fail in seconds.
		build: () => new ManagedIdentityCredential({ ...options, retryOptions: { maxRetries: 2 } }),
		// Azure Identity's managed identity cache is shared by the whole process: a new object
		// would hand back the same token.
		rebuildable: false,
		secrets: identityHeader && identityHeader.length >= 6 ? [identityHeader] : [],
		source: process.env.IDENTITY_ENDPOINT ? 'the identity endpoint of this host (IDENTITY_ENDPOINT)' : 'the instance metadata service of this VM',
	};
}

// ---------------------------------------------------------------------------------------------
// Workload identity
// ---------------------------------------------------------------------------------------------

function fieldOrEnv(data: ICredentialDataDecryptedObject, field: string, env: string, label: string, fix: string): string {
	const value = text(data, field) || (process.env[env] ?? '').trim();
	if (!value) throw new InputError(`${label} is empty in the credential and ${env} is not set on the n8n host`, fix);
	return value;
}

function workloadIdentitySpec(data: ICredentialDataDecryptedObject): IdentitySpec {
	const tenantId = checkTenant(
		fieldOrEnv(data, 'tenantId', 'AZURE_TENANT_ID', 'Directory (Tenant) ID', 'Enter the tenant ID of the app registration or managed identity that has the federated credential.'),
		'Directory (Tenant) ID',
	);
	const clientId = checkClientId(
		fieldOrEnv(data, 'clientId', 'AZURE_CLIENT_ID', 'Client ID', 'Enter the client ID of the app registration or user-assigned managed identity that has the federated credential.'),
		'Client ID',
	);
	const tokenFilePath = fieldOrEnv(
		data,
		'federatedTokenFile',
		'AZURE_FEDERATED_TOKEN_FILE',
		'Token File',
		'On AKS the workload identity webhook sets AZURE_FEDERATED_TOKEN_FILE when the pod uses a service account annotated with azure.workload.identity/client-id and carries the label azure.workload.identity/use: "true".',
	);
	const { authorityHost, custom } = authorityOf(data);
	const scope = storageScope(data);
	return {
		method: 'workloadIdentity',
		key: hash(['workloadIdentity', tenantId.toLowerCase(), clientId.toLowerCase(), tokenFilePath, authorityHost, scope]),
		scope,
		build: () => new WorkloadIdentityCredential({ tenantId, clientId, tokenFilePath, authorityHost, disableInstanceDiscovery: custom }),
		rebuildable: true,
		secrets: [],
		source: `Microsoft Entra ID (${authorityHost})`,
	};
}

// ---------------------------------------------------------------------------------------------
// Client certificate
// ---------------------------------------------------------------------------------------------

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

interface PemBlock {
	label: string;
	body: string;
	text: string;
}

/**
 * PEM blocks as typed into a credential field: line breaks may have become spaces or a literal
 * "\n" on the way, so bodies are rewrapped (except encrypted legacy keys, whose headers matter).
 */
function pemBlocks(value: string): PemBlock[] {
	const normalized = value.replace(/\\r\\n|\\n/g, '\n').replace(/\r\n?/g, '\n');
	const blocks: PemBlock[] = [];
	for (const match of normalized.matchAll(PEM_BLOCK)) {
		const [, label, raw] = match;
		let body: string;
		if (raw.includes(':')) {
			body = raw.trim();
		} else {
			const base64 = raw.replace(/\s+/g, '');
			body = (base64.match(/.{1,64}/g) ?? []).join('\n');
		}
		blocks.push({ label, body, text: `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n` });
	}
	return blocks;
}

/** Everything of a certificate field that must never be shown: the private key in every form. */
export function certificateSecrets(value: unknown): string[] {
	if (typeof value !== 'string' || !value.includes('PRIVATE KEY')) return [];
	const secrets: string[] = [];
	for (const block of pemBlocks(value)) {
		if (!block.label.includes('PRIVATE KEY')) continue;
		secrets.push(block.text.trim(), block.body, block.body.replace(/\s+/g, ''));
		for (const line of block.body.split('\n')) if (line.trim().length >= 16) secrets.push(line.trim());
	}
	return secrets;
}

interface ParsedCertificate {
	/** The certificate chain and the decrypted private key (PKCS#8), as @azure/identity reads it. */
	pem: string;
	thumbprintSha256: string;
	secrets: string[];
}

const PFX_HINT =
	'Paste the certificate and its private key in PEM form (-----BEGIN CERTIFICATE----- ... and -----BEGIN PRIVATE KEY----- ...). A .pfx file converts with: openssl pkcs12 -in cert.pfx -out cert.pem -nodes';

function readCertificate(pem: string): X509Certificate | undefined {
	try {
		return new X509Certificate(pem);
	} catch {
		return undefined;
	}
}

const KEY_TYPE_NAMES: Record<string, string> = { ec: 'an EC', ed25519: 'an Ed25519', ed448: 'an Ed448', dsa: 'a DSA', 'rsa-pss': 'an RSA-PSS' };

/** Checks the PEM before any request: a certificate, an RSA key that opens and belongs to it. */
export function parseCertificatePem(value: string, password: string): ParsedCertificate {
	if (!value) throw new InputError('Certificate is empty in the credential', PFX_HINT);
	const blocks = pemBlocks(value);
	const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
	const keys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
	if (certificates.length === 0) throw new InputError('Certificate holds no PEM certificate (-----BEGIN CERTIFICATE-----)', PFX_HINT);
	if (keys.length === 0) throw new InputError('Certificate holds no private key (-----BEGIN PRIVATE KEY-----)', PFX_HINT);
	if (keys.length > 1) throw new InputError('Certificate holds more than one private key', 'Keep only the private key that belongs to the certificate.');
	const [keyBlock] = keys;
	const encrypted = keyBlock.label === 'ENCRYPTED PRIVATE KEY' || keyBlock.body.includes('ENCRYPTED');
	if (encrypted && !password) {
		throw new InputError('The private key is encrypted, and Certificate Password is empty', 'Enter the password of the private key, or paste the key unencrypted.');
	}
	let privateKey: ReturnType<typeof createPrivateKey>;
	try {
		privateKey = createPrivateKey({ key: keyBlock.text, format: 'pem', ...(encrypted ? { passphrase: password } : {}) });
	} catch {
		throw encrypted
			? new InputError('Certificate Password does not open the private key', 'Enter the password the private key was exported with.')
			: new InputError('The private key in Certificate cannot be read', PFX_HINT);
	}
	if (privateKey.asymmetricKeyType !== 'rsa') {
		const type = privateKey.asymmetricKeyType ?? 'unknown';
		throw new InputError(
			`The private key is ${KEY_TYPE_NAMES[type] ?? `a ${type}`} key; Microsoft Entra ID signs in applications with RSA certificates only`,
			'Create the certificate with an RSA key (2048 bits or more).',
		);
	}
	const certificate = readCertificate(certificates[0].text);
	if (!certificate) throw new InputError('The certificate in Certificate cannot be read', PFX_HINT);
	if (!certificate.checkPrivateKey(privateKey)) {
		throw new InputError(
			'The private key does not belong to the certificate',
			'Paste the certificate first (the one uploaded to the app registration) together with its own private key.',
		);
	}
	const expires = Date.parse(certificate.validTo);
	if (Number.isFinite(expires) && expires < Date.now()) {
		throw new InputError(
			`The certificate expired on ${new Date(expires).toISOString().slice(0, 10)}`,
			'Create a new certificate, upload its public part to the app registration ("Certificates & secrets" > "Certificates") and paste it here with its private key.',
		);
	}
	const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
	const thumbprintSha256 = createHash('sha256').update(certificate.raw).digest('hex');
	return {
		pem: `${certificates.map((c) => c.text).join('')}${pkcs8}`,
		thumbprintSha256,
		secrets: [...certificateSecrets(value), ...certificateSecrets(pkcs8), ...(password.length >= 6 ? [password] : [])],
	};
}

function clientCertificateSpec(data: ICredentialDataDecryptedObject): IdentitySpec {
	const tenantId = text(data, 'tenantId');
	if (!tenantId) throw new InputError('Directory (Tenant) ID is empty in the credential', 'Copy the "Directory (tenant) ID" from the app registration\'s Overview page.');
	checkTenant(tenantId, 'Directory (Tenant) ID');
	const clientId = text(data, 'clientId');
	if (!clientId) throw new InputError('Application (Client) ID is empty in the credential', 'Copy the "Application (client) ID" from the app registration\'s Overview page.');
	checkClientId(clientId, 'Application (Client) ID');
	const password = typeof data.certificatePassword === 'string' ? data.certificatePassword : '';
	const certificate = parseCertificatePem(typeof data.certificate === 'string' ? data.certificate.trim() : '', password);
	const sendCertificateChain = data.sendX5c === true;
	const { authorityHost, custom } = authorityOf(data);
	const scope = storageScope(data);
	return {
		method: 'clientCertificate',
		key: hash([
			'clientCertificate',
			tenantId.toLowerCase(),
			clientId.toLowerCase(),
			certificate.thumbprintSha256,
			// The key material by its hash only: a replaced key or chain never reuses a cached token.
			createHash('sha256').update(certificate.pem).digest('hex'),
			sendCertificateChain,
			authorityHost,
			scope,
		]),
		scope,
		build: () =>
			new ClientCertificateCredential(tenantId, clientId, { certificate: certificate.pem }, {
				authorityHost,
				disableInstanceDiscovery: custom,
				sendCertificateChain,
			}),
		rebuildable: true,
		secrets: certificate.secrets,
		source: `Microsoft Entra ID (${authorityHost})`,
	};
}

// ---------------------------------------------------------------------------------------------
// Token cache: one per identity and process
// ---------------------------------------------------------------------------------------------

function tokenDataOf(token: AccessToken): OAuthTokenData {
	return {
		access_token: token.token,
		n8n_expires_at: token.expiresOnTimestamp,
		expires_in: Math.max(0, Math.round((token.expiresOnTimestamp - Date.now()) / 1000)),
	};
}

/** Valid for longer than its renewal margin (a tenth of its lifetime, at most a minute). */
function isFresh(token: AccessToken | undefined): token is AccessToken {
	const read = token ? readToken(tokenDataOf(token)) : undefined;
	return !!read && Date.now() < read.expiresOnTimestamp - read.renewMarginMs;
}

class CachedIdentity {
	/** When a connection last used this identity (ms). */
	lastUsed = Date.now();

	private credential: TokenCredential | undefined;

	private current: AccessToken | undefined;

	private pending: Promise<AccessToken> | undefined;

	constructor(private spec: IdentitySpec) {}

	/** Later connections bring the same identity; its secrets stay the newest ones. */
	update(spec: IdentitySpec): void {
		this.spec = spec;
	}

	/** The cached token while it is fresh. */
	fresh(): AccessToken | undefined {
		return isFresh(this.current) ? this.current : undefined;
	}

	/** A fresh token other than `stale` (a token about to expire, or one Azure rejected). */
	async token(stale: string | undefined, timeoutMs: number): Promise<AccessToken> {
		const current = this.current;
		if (isFresh(current) && current.token !== stale) return current;
		this.pending ??= this.fetch(stale, timeoutMs).finally(() => {
			this.pending = undefined;
		});
		return await this.pending;
	}

	private async fetch(stale: string | undefined, timeoutMs: number): Promise<AccessToken> {
		let token = await this.request(timeoutMs);
		if (stale !== undefined && token.token === stale && this.spec.rebuildable) {
			// Azure Identity handed back its cached copy of the token being replaced: a new object
			// has an empty cache and asks Microsoft Entra ID again.
			this.credential = undefined;
			token = await this.request(timeoutMs);
		}
		this.current = token;
		return token;
	}

	private async request(timeoutMs: number): Promise<AccessToken> {
		const spec = this.spec;
		let timer: NodeJS.Timeout | undefined;
		try {
			this.credential ??= spec.build();
			const credential = this.credential;
			const timeout = new Promise<never>((_, reject) => {
				timer = setTimeout(
					() =>
						reject(
							new EntraIdError(
								`No token from ${spec.source} within ${Math.round(timeoutMs / 1000)} s`,
								spec.method === 'managedIdentity' ? UNREACHABLE_IDENTITY_ENDPOINT : 'Check that this n8n host can reach the sign-in authority of the credential (proxy, firewall, Cloud setting), then run again.',
							),
						),
					timeoutMs,
				);
			});
			const token = await Promise.race([credential.getToken(spec.scope), timeout]);
			if (!token?.token) throw new EntraIdError(`${spec.source} answered without a token`, 'Run again; if it keeps happening, check the identity configuration of the host.');
			return token;
		} catch (error) {
			throw identityFailure(spec.method, error, spec.source);
		} finally {
			clearTimeout(timer);
		}
	}
}

const MAX_CACHED_IDENTITIES = 100;
/** An identity unused for this long is forgotten, with its key material and token. */
const IDLE_EVICTION_MS = 60 * 60_000;
const cache = new Map<string, CachedIdentity>();

function cachedIdentity(spec: IdentitySpec): CachedIdentity {
	const now = Date.now();
	for (const [key, cached] of cache) if (now - cached.lastUsed > IDLE_EVICTION_MS) cache.delete(key);
	let entry = cache.get(spec.key);
	if (entry) {
		cache.delete(spec.key);
		entry.update(spec);
	} else {
		entry = new CachedIdentity(spec);
	}
	entry.lastUsed = now;
	cache.set(spec.key, entry);
	while (cache.size > MAX_CACHED_IDENTITIES) cache.delete(cache.keys().next().value as string);
	return entry;
}

/** Forgets every cached identity and token (tests). */
export function clearIdentityCache(): void {
	cache.clear();
}

/** The keys of the cached identities: sha256 hex digests (tests). */
export function cachedIdentityKeys(): string[] {
	return [...cache.keys()];
}

export interface IdentityConnection {
	/** Fits the package's bearer policy: renews before expiry and after a rejection. */
	credential: N8nOAuth2TokenCredential;
	/** Key material, the host's identity header, and every token handed out (grows). */
	secrets: string[];
}

function specFor(method: IdentityMethod, data: ICredentialDataDecryptedObject): IdentitySpec {
	switch (method) {
		case 'managedIdentity':
			return managedIdentitySpec(data);
		case 'workloadIdentity':
			return workloadIdentitySpec(data);
		case 'clientCertificate':
			return clientCertificateSpec(data);
	}
	throw new InputError(`Unknown identity "${String(method)}"`);
}

/**
 * The token source for a connection: the process-wide cache entry of this identity, wrapped in
 * the credential type the package's bearer policy uses. Throws before any request when a host
 * identity is not allowed or a field is wrong.
 */
export function identityTokenCredential(method: IdentityMethod, data: ICredentialDataDecryptedObject, timeoutMs: number): IdentityConnection {
	assertHostIdentityAllowed(method);
	const spec = specFor(method, data);
	const entry = cachedIdentity(spec);
	const secrets = [...spec.secrets];
	const cached = entry.fresh();
	if (cached) secrets.push(cached.token);
	let mine = cached?.token;
	const credential = new N8nOAuth2TokenCredential({
		tokenData: cached ? tokenDataOf(cached) : undefined,
		renew: async () => {
			const token = await entry.token(mine, timeoutMs);
			mine = token.token;
			return tokenDataOf(token);
		},
		onTokenData: (renewed) => secrets.push(...tokenSecrets(renewed)),
		missingTokenMessage: `${spec.source} issued no token`,
	});
	return { credential, secrets };
}

// ---------------------------------------------------------------------------------------------
// Errors of @azure/identity, each turned into what to change
// ---------------------------------------------------------------------------------------------

const UNREACHABLE_IDENTITY_ENDPOINT =
	'n8n must run on an Azure host with a managed identity turned on (VM or scale set, App Service, Functions, Container Apps). App Service and Container Apps give n8n the environment variables IDENTITY_ENDPOINT and IDENTITY_HEADER; pass them on to n8n\'s container if you start it yourself. On a VM the instance metadata service (169.254.169.254) must be reachable from n8n, not blocked by a proxy (add it to NO_PROXY) or a container network.';

const NO_SUCH_IDENTITY =
	'System-assigned: turn it on for the host (its "Identity" page > "System assigned" > On). User-assigned: add the identity to the host ("Identity" > "User assigned") and copy its Client ID or Resource ID into the credential exactly.';

const CERTIFICATE_NOT_ACCEPTED =
	'Upload the certificate\'s public part (.cer, .crt or .pem without the key) to the app registration under "Certificates & secrets" > "Certificates", and paste that certificate here with its own private key. With "Send Certificate Chain (x5c)" on, the app must be set up for subject name and issuer authentication (trustedCertificateSubjects in its manifest).';

const NO_FEDERATED_CREDENTIAL =
	'Add a federated credential to the app registration or user-assigned managed identity ("Certificates & secrets" > "Federated credentials", or the identity\'s "Federated credentials" page): issuer = the cluster\'s OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl), subject = system:serviceaccount:<namespace>:<service account of the n8n pod>, audience = api://AzureADTokenExchange.';

interface Explained {
	message: string;
	hint: string;
}

function explainIdentityCode(method: IdentityMethod, code: string | undefined): Explained | undefined {
	switch (code) {
		case 'AADSTS700027':
		case 'AADSTS700023':
		case 'AADSTS50012':
			if (method === 'clientCertificate') return { message: 'Microsoft Entra ID does not accept the certificate', hint: CERTIFICATE_NOT_ACCEPTED };
			return { message: 'Microsoft Entra ID does not accept the federated token of this host', hint: NO_FEDERATED_CREDENTIAL };
		case 'AADSTS700024':
			if (method === 'clientCertificate') {
				return {
					message: 'Microsoft Entra ID refused the signed assertion as outside its valid time',
					hint: 'Check the clock of the n8n host: it must be within a few minutes of the real time.',
				};
			}
			return {
				message: 'The federated token of this host has expired',
				hint: 'Kubernetes refreshes the projected service account token in the token file; check that the credential points at that file (AZURE_FEDERATED_TOKEN_FILE) and not at a copy.',
			};
		case 'AADSTS70021':
		case 'AADSTS700211':
		case 'AADSTS700212':
		case 'AADSTS700213':
		case 'AADSTS7002131':
			return { message: 'No federated credential of the app matches the token of this host', hint: NO_FEDERATED_CREDENTIAL };
		case 'AADSTS50027':
		case 'AADSTS5002727':
			return method === 'workloadIdentity'
				? { message: 'The federated token file does not hold a valid token', hint: 'Point the credential at the projected service account token (AZURE_FEDERATED_TOKEN_FILE on AKS).' }
				: undefined;
	}
	return undefined;
}

function fallback(method: IdentityMethod): Explained {
	switch (method) {
		case 'managedIdentity':
			return { message: 'The identity endpoint of this host refused to issue a token', hint: NO_SUCH_IDENTITY };
		case 'workloadIdentity':
			return {
				message: 'Microsoft Entra ID refused to exchange the federated token of this host',
				hint: 'Check the tenant, the client ID and the federated credential of the app or managed identity.',
			};
		default:
			return {
				message: 'Microsoft Entra ID refused a token for the certificate',
				hint: 'Check the tenant, the Application (Client) ID, and that this certificate is uploaded to the app registration.',
			};
	}
}

interface FailureText {
	oauthError?: string;
	description?: string;
	code?: string;
	all: string;
}

/** Microsoft's answer inside what @azure/identity throws (its own fields, or MSAL's message text). */
function failureText(error: unknown): FailureText {
	const parts: string[] = [];
	let oauthError: string | undefined;
	let description: string | undefined;
	for (let e = error as { message?: unknown; cause?: unknown; errorResponse?: { error?: string; errorDescription?: string }; errorCode?: unknown; code?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
		if (typeof e.message === 'string') parts.push(e.message);
		if (typeof e.code === 'string') parts.push(e.code);
		if (e.errorResponse && e.errorResponse.error !== 'unknown' && e.errorResponse.error !== 'unknown_error') {
			oauthError ??= e.errorResponse.error;
			description ??= e.errorResponse.errorDescription;
		}
		e = e.cause as typeof e;
	}
	const all = parts.join('\n');
	// MSAL: "invalid_client: Error(s): 700027 - Timestamp: ... - Description: AADSTS700027: ... - Correlation ID: ..."
	const msal = /(?:^|\s)([a-z_]+): Error\(s\):[\s\S]*?Description: ([\s\S]*?)(?: - Correlation ID:| - Trace ID: Not Available|$)/.exec(all);
	if (msal) {
		oauthError ??= msal[1];
		description ??= msal[2];
	}
	description = description?.split(/\r?\n/)[0].trim();
	const code = /\bAADSTS\d+/.exec(description ?? all)?.[0];
	return { oauthError, description, code, all };
}

/** An EntraIdError saying what to change for anything @azure/identity threw. */
export function identityFailure(method: IdentityMethod, error: unknown, source: string): EntraIdError | InputError {
	if (error instanceof EntraIdError || error instanceof InputError) return error;
	const { oauthError, description, code, all } = failureText(error);
	const says = (who: string) => (description ? `${who} says: ${description}` : '');

	if (method === 'workloadIdentity') {
		const file = /\b(ENOENT|EACCES|EISDIR|EPERM)\b/.exec(all)?.[1];
		if (file) {
			return new EntraIdError(
				file === 'ENOENT' ? 'The federated token file does not exist on this host' : 'n8n cannot read the federated token file',
				'On AKS the workload identity webhook mounts it (and sets AZURE_FEDERATED_TOKEN_FILE) when the pod uses a service account annotated with azure.workload.identity/client-id and has the label azure.workload.identity/use: "true". Check the Token File field or the variable.',
			);
		}
		if (/No content on the file/i.test(all)) return new EntraIdError('The federated token file is empty', 'Point the credential at the projected service account token (AZURE_FEDERATED_TOKEN_FILE on AKS).');
	}

	if (!description && /network|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|endpoints_resolution_error|Endpoints cannot be resolved/i.test(all)) {
		if (method === 'managedIdentity') return new EntraIdError('The managed identity endpoint of this host cannot be reached', UNREACHABLE_IDENTITY_ENDPOINT);
		return new EntraIdError(
			`${source} cannot be reached`,
			'Check that this n8n host can reach the sign-in authority (proxy, firewall), and that the Cloud setting (or the Sign-In Authority of a custom cloud) is right.',
		);
	}

	if (method === 'managedIdentity') {
		if (/identity not found|unable to load (the proper )?managed identity|no managed identity|not assigned|identity.*not.*(found|exist)/i.test(all)) {
			return new EntraIdError('This host has no managed identity matching the credential', [NO_SUCH_IDENTITY, says('The identity endpoint')].filter(Boolean).join('\n'));
		}
		const explained = (code && explainCode(code, undefined)) || fallback(method);
		return new EntraIdError(explained.message, [explained.hint, says('The identity endpoint') || firstLine(all)].filter(Boolean).join('\n'), code);
	}

	const explained = explainIdentityCode(method, code) ?? (code ? explainCode(code, undefined) : undefined) ?? fallback(method);
	const detail = says('Microsoft') || (oauthError ? `Microsoft says: ${oauthError}` : firstLine(all));
	return new EntraIdError(explained.message, [explained.hint, detail].filter(Boolean).join('\n'), code);
}

function firstLine(value: string): string {
	return value.split(/\r?\n/)[0].replace(/^[A-Za-z]+Credential: /, '').trim();
}
