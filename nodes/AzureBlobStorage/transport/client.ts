/**
 * The one place where a credential becomes an authenticated Azure client. Operations receive a
 * `BlobStorageConnection` and never look at credential types.
 */
import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import { AnonymousCredential, BlobServiceClient, Pipeline, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions, INode } from 'n8n-workflow';

import type { AzureCloud, SasFacts } from './endpoints';
import {
	accountEndpointProblem,
	accountNameFromUrl,
	accountNameProblem,
	blobEndpointFor,
	checkEndpoint,
	normalizeSasToken,
	parseConnectionString,
	parseSasToken,
	splitSasUrl,
} from './endpoints';
import { entraIdFailureFrom } from './entraIdErrors';
import { InputError, redactError } from './errors';
import type { IdentityMethod } from './identity';
import { certificateSecrets, identityTokenCredential } from './identity';
import type { RequestLimits } from './policies';
import { DEFAULT_LIMITS, installPolicies } from './policies';
import type { OAuthTokenData, TokenRenewal } from './tokenCredential';
import { entraIdBearerPolicy, N8nOAuth2TokenCredential, readToken, tokenSecrets } from './tokenCredential';

export type AuthenticationMethod =
	| 'sharedKey'
	| 'connectionString'
	| 'sas'
	| 'oAuth2'
	| 'clientCredentials'
	| 'managedIdentity'
	| 'workloadIdentity'
	| 'clientCertificate';

/** Credential type name (as in the credentials' `name`) per authentication choice in the node. */
export const CREDENTIAL_TYPE: Record<AuthenticationMethod, string> = {
	sharedKey: 'azureBlobStorageSharedKeyApi',
	connectionString: 'azureBlobStorageConnectionStringApi',
	sas: 'azureBlobStorageSasApi',
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a credential type name
	oAuth2: 'azureBlobStorageOAuth2Api',
	clientCredentials: 'azureBlobStorageClientCredentialsOAuth2Api',
	managedIdentity: 'azureBlobStorageManagedIdentityApi',
	workloadIdentity: 'azureBlobStorageWorkloadIdentityApi',
	clientCertificate: 'azureBlobStorageClientCertificateApi',
};

export function authenticationMethodOf(credentialType: string): AuthenticationMethod | undefined {
	return (Object.keys(CREDENTIAL_TYPE) as AuthenticationMethod[]).find((m) => CREDENTIAL_TYPE[m] === credentialType);
}

export interface BlobStorageConnection {
	service: BlobServiceClient;
	accountName: string;
	method: AuthenticationMethod;
	/** Set when the credential grants one container only (a container SAS). */
	scopedContainer?: string;
	/** What the SAS of a SAS credential says about itself (for explaining a refusal). */
	sas?: SasFacts;
	/** Values that must never appear in output or errors (keys, signatures, tokens). */
	secrets: string[];
	/** An Entra ID connection's token source, for requests signed outside the pipeline (Blob Batch sub-requests). */
	tokenCredential?: EntraIdTokenSource;
}

/** What Entra ID connections sign with (the shape of @azure/core-auth's TokenCredential). */
export interface EntraIdTokenSource {
	getToken(scopes: string | string[], options?: object): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/**
 * The client of a container, refused before any request when the credential is a container SAS
 * for another container (Azure would answer with an authentication error that reads like a
 * wrong key).
 */
export function containerClient(connection: BlobStorageConnection, container: string): ContainerClient {
	const scoped = connection.scopedContainer;
	if (scoped !== undefined && scoped !== container) {
		throw new InputError(
			`Container "${container}" is outside the credential's SAS, which grants access to container "${scoped}" only`,
			`Pick container "${scoped}", or use a credential with an account SAS, a key or Entra ID for other containers.`,
		);
	}
	// Building a ContainerClient builds its whole SDK client (a measurable part of the CPU of a run
	// over many small items); the items of a run mostly name the same few containers.
	let clients = containerClients.get(connection);
	if (!clients) containerClients.set(connection, (clients = new Map()));
	let client = clients.get(container);
	if (!client) {
		if (clients.size >= 64) clients.clear();
		client = connection.service.getContainerClient(container);
		clients.set(container, client);
	}
	return client;
}

const containerClients = new WeakMap<BlobStorageConnection, Map<string, ContainerClient>>();

function pipelineOptions(): StoragePipelineOptions {
	// The package's own retry and timeout policies replace the SDK's (see installPolicies).
	return {
		userAgentOptions: { userAgentPrefix: 'n8n-nodes-azure-blob-storage' },
		retryOptions: { maxTries: 1 },
	};
}

function withPolicies(connection: BlobStorageConnection, options: ConnectOptions): BlobStorageConnection {
	installPolicies(connection.service, options.limits ?? DEFAULT_LIMITS);
	return connection;
}

/**
 * Every secret a credential holds, known before (and whether or not) a connection can be built,
 * so that errors about the credential itself are cleaned too: whole field values (a key pasted
 * into the wrong field is still that key), keys inside connection strings, SAS signatures,
 * client secrets and stored tokens.
 */
export function credentialSecrets(data: ICredentialDataDecryptedObject | undefined): string[] {
	if (!data) return [];
	const secrets: string[] = [];
	for (const field of ['accountKey', 'connectionString', 'sasUrl', 'sasToken', 'clientSecret', 'certificate', 'certificatePassword']) {
		const value = data[field];
		if (typeof value === 'string' && value.trim()) secrets.push(value, value.trim());
	}
	const connectionString = typeof data.connectionString === 'string' ? parseConnectionString(data.connectionString) : {};
	for (const value of [connectionString.accountkey, connectionString.sharedaccesssignature]) if (value) secrets.push(value);
	for (const token of [data.sasUrl, data.sasToken, connectionString.sharedaccesssignature]) {
		if (typeof token !== 'string') continue;
		const query = token.includes('?') ? token.slice(token.indexOf('?') + 1) : token;
		const signature = new URLSearchParams(query.trim()).get('sig');
		if (signature) secrets.push(signature, encodeURIComponent(signature), decodeURIComponentSafe(signature));
	}
	secrets.push(...tokenSecrets(data.oauthTokenData as OAuthTokenData | undefined));
	secrets.push(...certificateSecrets(data.certificate));
	return [...new Set(secrets.filter((s) => s.length >= 6))];
}

function decodeURIComponentSafe(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function text(data: ICredentialDataDecryptedObject, field: string): string {
	const value = data[field];
	return typeof value === 'string' ? value.trim() : '';
}

function cloudOf(data: ICredentialDataDecryptedObject): AzureCloud | 'custom' {
	return (text(data, 'cloud') || 'azurePublic') as AzureCloud | 'custom';
}

function requireField(value: string, label: string, fix: string): string {
	if (!value) throw new InputError(`${label} is empty in the credential`, fix);
	return value;
}

function sharedKeyConnection(data: ICredentialDataDecryptedObject, options: ConnectOptions): BlobStorageConnection {
	const accountName = requireField(
		text(data, 'accountName'),
		'Account Name',
		'Enter the storage account name (the part before .blob.core.windows.net).',
	);
	const accountKey = requireField(
		text(data, 'accountKey'),
		'Account Key',
		'Paste key1 or key2 from the storage account\'s "Access keys" page in the Azure portal.',
	);
	const cloud = cloudOf(data);
	if (cloud !== 'custom') {
		const problem = accountNameProblem(accountName);
		if (problem) throw new InputError(`Account Name ${problem}`);
	}
	if (!BASE64.test(accountKey)) {
		throw new InputError(
			'Account Key is not a valid storage account key',
			'A storage account key is a base64 string of about 88 characters ending in "==". Copy it again from "Access keys".',
		);
	}
	const endpoint = blobEndpointFor(accountName, cloud, text(data, 'endpoint'));
	const mismatch = accountEndpointProblem(accountName, endpoint);
	if (mismatch) throw new InputError(mismatch, 'The key signs requests for one account: use that account\'s name and endpoint together.');
	const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(accountName, accountKey), pipelineOptions());
	return withPolicies({ service, accountName, method: 'sharedKey', secrets: [accountKey] }, options);
}

function connectionStringConnection(data: ICredentialDataDecryptedObject, options: ConnectOptions): BlobStorageConnection {
	const connectionString = requireField(
		text(data, 'connectionString'),
		'Connection String',
		'Paste the connection string from the storage account\'s "Access keys" page.',
	);
	const parts = parseConnectionString(connectionString);
	const secrets = [parts.accountkey, parts.sharedaccesssignature].filter((s): s is string => !!s);
	const usable = parts.usedevelopmentstorage === 'true' || parts.accountkey || parts.sharedaccesssignature;
	if (!usable) {
		throw new InputError(
			'Connection String has neither AccountKey nor SharedAccessSignature',
			'Use the full connection string ("DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net") or a SAS connection string.',
		);
	}
	if (parts.accountkey && !BASE64.test(parts.accountkey)) {
		throw new InputError('Connection String has an AccountKey that is not a valid storage account key');
	}
	if (parts.blobendpoint) {
		const endpoint = checkEndpoint(parts.blobendpoint, 'BlobEndpoint in the Connection String');
		const mismatch = parts.accountname && parts.accountkey ? accountEndpointProblem(parts.accountname, endpoint) : undefined;
		if (mismatch) throw new InputError(`Connection String: ${mismatch}`);
	} else if (parts.usedevelopmentstorage !== 'true' && (parts.defaultendpointsprotocol ?? 'https').toLowerCase() !== 'https') {
		throw new InputError(
			'Connection String uses DefaultEndpointsProtocol=http for a storage account in Azure',
			'Use DefaultEndpointsProtocol=https: with http the key or SAS would travel unencrypted.',
		);
	}
	let service: BlobServiceClient | undefined;
	let problem = '';
	if (parts.accountname && parts.accountkey && parts.usedevelopmentstorage !== 'true') {
		// A key connection string: built here, so that one without DefaultEndpointsProtocol or
		// EndpointSuffix (https and core.windows.net by default) works too.
		const accountName = parts.accountname;
		const endpoint = parts.blobendpoint
			? checkEndpoint(parts.blobendpoint, 'BlobEndpoint in the Connection String')
			: `${(parts.defaultendpointsprotocol ?? 'https').toLowerCase()}://${accountName}.blob.${parts.endpointsuffix ?? 'core.windows.net'}`;
		const problemWithName = parts.blobendpoint ? undefined : accountNameProblem(accountName);
		if (problemWithName) throw new InputError(`Connection String: AccountName ${problemWithName}`);
		service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(accountName, parts.accountkey), pipelineOptions());
	} else {
		try {
			service = BlobServiceClient.fromConnectionString(connectionString, pipelineOptions());
		} catch (error) {
			problem = (error as Error).message;
		}
	}
	if (!service) {
		throw new InputError(
			'Connection String could not be read',
			`Expected "Key=Value;..." pairs with AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature. ${problem}`,
		);
	}
	const sas = parts.sharedaccesssignature ? parseSasToken(parts.sharedaccesssignature) : undefined;
	return withPolicies({ service, accountName: service.accountName, method: 'connectionString', sas, secrets }, options);
}

function sasConnection(data: ICredentialDataDecryptedObject, options: ConnectOptions): BlobStorageConnection {
	const mode = text(data, 'sasMode') || 'sasUrl';
	let endpoint: string;
	let sasToken: string;
	let scopedContainer: string | undefined;
	if (mode === 'sasUrl') {
		const sasUrl = requireField(
			text(data, 'sasUrl'),
			'SAS URL',
			'Paste the "Blob service SAS URL" (account SAS) or a container\'s SAS URL from the Azure portal.',
		);
		({ endpoint, sasToken, container: scopedContainer } = splitSasUrl(sasUrl));
	} else {
		endpoint = blobEndpointFor('', 'custom', requireField(text(data, 'endpoint'), 'Blob Endpoint', 'Enter https://<account>.blob.core.windows.net'));
		sasToken = normalizeSasToken(requireField(text(data, 'sasToken'), 'SAS Token', 'Paste the SAS token (it starts with sv=).'));
	}
	const signature = new URLSearchParams(sasToken).get('sig') ?? '';
	const service = new BlobServiceClient(`${endpoint}/?${sasToken}`, new AnonymousCredential(), pipelineOptions());
	return withPolicies(
		{
			service,
			accountName: accountNameFromUrl(endpoint),
			method: 'sas',
			scopedContainer,
			sas: parseSasToken(sasToken),
			secrets: [sasToken, signature, encodeURIComponent(signature)],
		},
		options,
	);
}

/** An Entra ID credential's blob endpoint and account (for a custom cloud, taken from the endpoint). */
function entraIdTarget(data: ICredentialDataDecryptedObject): { accountName: string; endpoint: string } {
	const cloud = cloudOf(data);
	if (cloud === 'custom') {
		const endpoint = blobEndpointFor('', cloud, text(data, 'endpoint'));
		return { accountName: accountNameFromUrl(endpoint), endpoint };
	}
	const accountName = requireField(
		text(data, 'accountName'),
		'Storage Account Name',
		'Enter the storage account name (the part before .blob.core.windows.net).',
	);
	const problem = accountNameProblem(accountName);
	if (problem) throw new InputError(`Storage Account Name ${problem}`);
	return { accountName, endpoint: blobEndpointFor(accountName, cloud) };
}

function entraIdConnection(
	method: 'oAuth2' | 'clientCredentials',
	data: ICredentialDataDecryptedObject,
	options: ConnectOptions,
): BlobStorageConnection {
	const { accountName, endpoint } = entraIdTarget(data);
	const tokenData = data.oauthTokenData as OAuthTokenData | undefined;
	const secrets = [text(data, 'clientSecret'), ...tokenSecrets(tokenData)].filter((s) => s !== '');
	const credential = new N8nOAuth2TokenCredential({
		tokenData,
		renew: options.renewToken,
		onTokenData: (renewed) => secrets.push(...tokenSecrets(renewed)),
		missingTokenMessage:
			method === 'oAuth2'
				? 'The credential is not connected to Microsoft yet: open it and click "Connect my account"'
				: 'No access token is stored for this credential yet and none can be fetched here',
	});
	const service = new BlobServiceClient(endpoint, new Pipeline([entraIdBearerPolicy(credential)], pipelineOptions()));
	return withPolicies({ service, accountName, method, secrets, tokenCredential: credential }, options);
}

/**
 * Managed identity, workload identity and client certificate: tokens from Microsoft's
 * @azure/identity through transport/identity.ts (one token cache per identity and process),
 * sent by the same bearer policy as the OAuth2 credentials.
 */
function identityConnection(method: IdentityMethod, data: ICredentialDataDecryptedObject, options: ConnectOptions): BlobStorageConnection {
	const timeoutMs = Math.max((options.limits ?? DEFAULT_LIMITS).requestTimeoutMs, 10_000);
	const { credential, secrets } = identityTokenCredential(method, data, timeoutMs);
	const { accountName, endpoint } = entraIdTarget(data);
	const service = new BlobServiceClient(endpoint, new Pipeline([entraIdBearerPolicy(credential)], pipelineOptions()));
	return withPolicies({ service, accountName, method, secrets, tokenCredential: credential }, options);
}

export interface ConnectOptions {
	/** How an Entra ID connection gets a new token from n8n; absent where n8n cannot persist one. */
	renewToken?: TokenRenewal;
	/** Timeout and retries for requests sent without per-item limits; defaults: DEFAULT_LIMITS. */
	limits?: RequestLimits;
}

/** Builds the client for decrypted credential data. */
export function connectWithCredentials(
	method: AuthenticationMethod,
	data: ICredentialDataDecryptedObject,
	options: ConnectOptions = {},
): BlobStorageConnection {
	switch (method) {
		case 'sharedKey':
			return sharedKeyConnection(data, options);
		case 'connectionString':
			return connectionStringConnection(data, options);
		case 'sas':
			return sasConnection(data, options);
		case 'oAuth2':
		case 'clientCredentials':
			return entraIdConnection(method, data, options);
		case 'managedIdentity':
		case 'workloadIdentity':
		case 'clientCertificate':
			return identityConnection(method, data, options);
	}
	throw new InputError(`Unknown authentication "${String(method)}"`);
}

/**
 * What `connect` needs of an n8n context: credentials and the request helpers. Execute, load
 * options, poll, trigger and webhook contexts all have it.
 */
export interface CredentialContext {
	getCredentials(type: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject>;
	getNode(): INode;
	helpers: IExecuteFunctions['helpers'] | ILoadOptionsFunctions['helpers'];
}

/** The connection for the credential selected in the node's "Authentication" parameter. */
export async function connect(
	ctx: CredentialContext,
	method: AuthenticationMethod,
	options: Omit<ConnectOptions, 'renewToken'> = {},
): Promise<BlobStorageConnection> {
	const credentialType = CREDENTIAL_TYPE[method];
	if (!credentialType) throw new InputError(`Authentication "${String(method)}" is not supported`);
	const data = await ctx.getCredentials(credentialType);
	try {
		if (method === 'oAuth2' || method === 'clientCredentials') {
			const renewToken = n8nTokenRenewal(ctx, credentialType, data, (options.limits ?? DEFAULT_LIMITS).requestTimeoutMs);
			return connectWithCredentials(method, data, { ...options, renewToken });
		}
		return connectWithCredentials(method, data, options);
	} catch (error) {
		// Messages about the credential may quote what was typed into it: clean them here, where
		// the credential's secrets are known even though no connection was built.
		throw redactError(error, credentialSecrets(data));
	}
}

type RefreshOAuth2Token = (this: unknown, credentialType: string) => Promise<OAuthTokenData | undefined>;

/**
 * Renewal through n8n, which persists what it gets: `refreshOAuth2Token` (n8n 1.1xx and 2.x)
 * refreshes a stored token or fetches a new client-credentials one. The very first
 * client-credentials token (nothing stored yet) and n8n versions without `refreshOAuth2Token`
 * go through n8n's authenticated request helper instead, which fetches (or, on 401, refreshes)
 * and stores the token while making one cheap listing request to the account.
 */
function n8nTokenRenewal(
	ctx: CredentialContext,
	credentialType: string,
	data: ICredentialDataDecryptedObject,
	timeoutMs: number,
): TokenRenewal {
	let tokenStored = readToken(data.oauthTokenData as OAuthTokenData | undefined) !== undefined;
	const limit = Math.max(timeoutMs, 10_000);
	return async (current) => await withTimeout(renewOrAdopt(current), limit + RACE_GRACE_MS, 'Microsoft Entra ID did not issue a token in time');

	/**
	 * Another n8n process (a queue-mode worker, a parallel `n8n execute`) may have renewed the
	 * token already: a valid stored token other than ours is used as it is, and a refusal of the
	 * refresh token ("reconnect") is believed only when no such token shows up shortly after,
	 * since an identity provider that accepts each refresh token once refuses the second of two
	 * processes that refreshed at the same moment although the credential is fine.
	 */
	async function renewOrAdopt(current: string | undefined): Promise<OAuthTokenData | undefined> {
		const newer = await storedTokenOtherThan(current);
		if (newer) return newer;
		let failure: unknown;
		try {
			return await withTimeout(renew(), limit, 'Microsoft Entra ID did not issue a token in time');
		} catch (error) {
			failure = error;
		}
		// The router translates whatever is thrown here into the user's message.
		const reconnect = entraIdFailureFrom(failure)?.message.includes('reconnect');
		if (reconnect && tokenStored) {
			for (const waitMs of [250, 500, 1000, 1500]) {
				await new Promise((resolve) => setTimeout(resolve, waitMs));
				const adopted = await storedTokenOtherThan(current);
				if (adopted) return adopted;
			}
		}
		throw failure as Error;
	}

	async function storedTokenOtherThan(current: string | undefined): Promise<OAuthTokenData | undefined> {
		if (!current) return undefined;
		let stored: OAuthTokenData | undefined;
		try {
			stored = (await ctx.getCredentials(credentialType)).oauthTokenData as OAuthTokenData | undefined;
		} catch {
			return undefined;
		}
		const token = readToken(stored);
		return token && token.token !== current && token.expiresOnTimestamp - token.renewMarginMs > Date.now() ? stored : undefined;
	}

	async function renew() {
		const refresh = (ctx.helpers as { refreshOAuth2Token?: RefreshOAuth2Token }).refreshOAuth2Token;
		let renewed: OAuthTokenData | undefined;
		if (tokenStored && typeof refresh === 'function') {
			renewed = await refresh.call(ctx, credentialType);
		} else {
			try {
				await ctx.helpers.httpRequestWithAuthentication.call(ctx as never, credentialType, {
					method: 'GET',
					url: `${entraIdTarget(data).endpoint}/?comp=list&maxresults=1`,
					headers: { 'x-ms-version': '2021-12-02' },
					timeout: Math.max(timeoutMs, 10_000),
				});
			} catch (error) {
				// Only a failure to get a token matters here; the storage answer itself does not.
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
				if (entraIdFailureFrom(error)) throw error;
			}
			renewed = (await ctx.getCredentials(credentialType)).oauthTokenData as OAuthTokenData | undefined;
		}
		if (readToken(renewed)) tokenStored = true;
		return renewed;
	}
}

/** How long a refused refresh waits for another process's newly stored token. */
const RACE_GRACE_MS = 3_500;

/** Fails after `ms` when `promise` has not settled (n8n's token helpers take no timeout). */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new InputError(`${message} (no answer within ${Math.round(ms / 1000)} s)`, 'Check that this n8n host can reach the sign-in authority of the credential, then run again.')),
			ms,
		);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}
