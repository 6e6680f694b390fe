/**
 * The one place where a credential becomes an authenticated Azure client. Operations receive a
 * `BlobStorageConnection` and never look at credential types.
 */
import type { StoragePipelineOptions } from '@azure/storage-blob';
import { AnonymousCredential, BlobServiceClient, Pipeline, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import type { AzureCloud } from './endpoints';
import {
	accountNameFromUrl,
	accountNameProblem,
	blobEndpointFor,
	normalizeSasToken,
	parseConnectionString,
	splitSasUrl,
} from './endpoints';
import { entraIdFailureFrom } from './entraIdErrors';
import { InputError } from './errors';
import type { OAuthTokenData, TokenRenewal } from './tokenCredential';
import { entraIdBearerPolicy, N8nOAuth2TokenCredential, readToken, tokenSecrets } from './tokenCredential';

export type AuthenticationMethod = 'sharedKey' | 'connectionString' | 'sas' | 'oAuth2' | 'clientCredentials';

/** Credential type name (as in the credentials' `name`) per authentication choice in the node. */
export const CREDENTIAL_TYPE: Record<AuthenticationMethod, string> = {
	sharedKey: 'azureBlobStorageSharedKeyApi',
	connectionString: 'azureBlobStorageConnectionStringApi',
	sas: 'azureBlobStorageSasApi',
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a credential type name
	oAuth2: 'azureBlobStorageOAuth2Api',
	clientCredentials: 'azureBlobStorageClientCredentialsOAuth2Api',
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
	/** Values that must never appear in output or errors (keys, signatures, tokens). */
	secrets: string[];
}

function pipelineOptions(options: ConnectOptions): StoragePipelineOptions {
	return {
		userAgentOptions: { userAgentPrefix: 'n8n-nodes-azure-blob-storage' },
		retryOptions: { maxTries: options.maxTries ?? 4 },
	};
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
	const service = new BlobServiceClient(
		endpoint,
		new StorageSharedKeyCredential(accountName, accountKey),
		pipelineOptions(options),
	);
	return { service, accountName, method: 'sharedKey', secrets: [accountKey] };
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
	let service: BlobServiceClient | undefined;
	let problem = '';
	try {
		service = BlobServiceClient.fromConnectionString(connectionString, pipelineOptions(options));
	} catch (error) {
		problem = (error as Error).message;
	}
	if (!service) {
		throw new InputError(
			'Connection String could not be read',
			`Expected "Key=Value;..." pairs with AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature. ${problem}`,
		);
	}
	return { service, accountName: service.accountName, method: 'connectionString', secrets };
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
	const service = new BlobServiceClient(`${endpoint}/?${sasToken}`, new AnonymousCredential(), pipelineOptions(options));
	return {
		service,
		accountName: accountNameFromUrl(endpoint),
		method: 'sas',
		scopedContainer,
		secrets: [sasToken, signature, encodeURIComponent(signature)],
	};
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
	const service = new BlobServiceClient(endpoint, new Pipeline([entraIdBearerPolicy(credential)], pipelineOptions(options)));
	return { service, accountName, method, secrets };
}

export interface ConnectOptions {
	/** How an Entra ID connection gets a new token from n8n; absent where n8n cannot persist one. */
	renewToken?: TokenRenewal;
	/** Tries per request (the SDK retries network errors and 500/503 with back-off); default 4. */
	maxTries?: number;
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
	}
	throw new InputError(`Unknown authentication "${String(method)}"`);
}

/** The connection for the credential selected in the node's "Authentication" parameter. */
export async function connect(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
	method: AuthenticationMethod,
): Promise<BlobStorageConnection> {
	const credentialType = CREDENTIAL_TYPE[method];
	if (!credentialType) throw new InputError(`Authentication "${String(method)}" is not supported`);
	const data = await ctx.getCredentials(credentialType);
	if (method === 'oAuth2' || method === 'clientCredentials') {
		return connectWithCredentials(method, data, { renewToken: n8nTokenRenewal(ctx, credentialType, data) });
	}
	return connectWithCredentials(method, data);
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
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
	credentialType: string,
	data: ICredentialDataDecryptedObject,
): TokenRenewal {
	let tokenStored = readToken(data.oauthTokenData as OAuthTokenData | undefined) !== undefined;
	return async () => {
		const refresh = (ctx.helpers as { refreshOAuth2Token?: RefreshOAuth2Token }).refreshOAuth2Token;
		let renewed: OAuthTokenData | undefined;
		if (tokenStored && typeof refresh === 'function') {
			renewed = await refresh.call(ctx, credentialType);
		} else {
			try {
				await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, {
					method: 'GET',
					url: `${entraIdTarget(data).endpoint}/?comp=list&maxresults=1`,
					headers: { 'x-ms-version': '2021-12-02' },
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
	};
}
