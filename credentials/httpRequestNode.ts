/**
 * What the package's credentials do when they are chosen as a "Predefined Credential Type" in
 * n8n's HTTP Request node:
 *
 * - `authenticate` (Shared Key, connection string, SAS): n8n calls it with the request the node
 *   built; it returns a signed (Shared Key) or authorized (SAS) copy, and refuses a request for
 *   any host other than the credential's blob endpoint. The OAuth2 credentials go through n8n's
 *   own OAuth2 path instead, which never calls `authenticate`.
 * - `allowedDomainFields`: n8n's "Allowed HTTP Request Domains" setting, preset and hidden: only
 *   the account's blob endpoint (and, for Entra ID, its sign-in host). n8n blocks any other host
 *   before the request leaves, whatever the credential type.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import {
	accountEndpointProblem,
	accountNameProblem,
	blobEndpointFor,
	checkEndpoint,
	normalizeSasToken,
	parseConnectionString,
	splitSasUrl,
} from '../nodes/AzureBlobStorage/transport/endpoints';
import type { AzureCloud } from '../nodes/AzureBlobStorage/transport/endpoints';
import { redactSecrets } from '../nodes/AzureBlobStorage/transport/redact';
import type { OutgoingRequest, SasGrant, SharedKey } from './sharedKeySigning';
import { authorizeWithSas, SigningError, signWithSharedKey } from './sharedKeySigning';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEVELOPMENT_ACCOUNT = 'devstoreaccount1';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- the public, documented key of Azurite's development account (UseDevelopmentStorage=true)
const DEVELOPMENT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function text(data: ICredentialDataDecryptedObject, field: string): string {
	const value = data[field];
	return typeof value === 'string' ? value.trim() : '';
}

function required(value: string, label: string): string {
	if (!value) throw new SigningError(`${label} is empty in the credential`);
	return value;
}

/** The account key and endpoint of a Shared Key credential. */
export function sharedKeyOf(data: ICredentialDataDecryptedObject): SharedKey {
	const accountName = required(text(data, 'accountName'), 'Account Name');
	const accountKey = required(text(data, 'accountKey'), 'Account Key');
	const cloud = (text(data, 'cloud') || 'azurePublic') as AzureCloud | 'custom';
	if (cloud !== 'custom') {
		const problem = accountNameProblem(accountName);
		if (problem) throw new SigningError(`Account Name ${problem}`);
	}
	if (!BASE64.test(accountKey)) throw new SigningError('Account Key is not a valid storage account key');
	const endpoint = blobEndpointFor(accountName, cloud, text(data, 'endpoint'));
	const mismatch = accountEndpointProblem(accountName, endpoint);
	if (mismatch) throw new SigningError(mismatch);
	return { accountName, accountKey, endpoint };
}

/** A connection string: an account key with its endpoint, or a SAS with its endpoint. */
export function connectionStringAccess(data: ICredentialDataDecryptedObject): { key: SharedKey } | { sas: SasGrant } {
	const parts = parseConnectionString(required(text(data, 'connectionString'), 'Connection String'));
	const development = (parts.usedevelopmentstorage ?? '').toLowerCase() === 'true';
	let endpoint: string;
	if (parts.blobendpoint) {
		endpoint = checkEndpoint(parts.blobendpoint, 'BlobEndpoint in the Connection String');
	} else if (development) {
		endpoint = `http://127.0.0.1:10000/${DEVELOPMENT_ACCOUNT}`;
	} else {
		const accountName = required(parts.accountname ?? '', 'AccountName in the Connection String');
		if ((parts.defaultendpointsprotocol ?? 'https').toLowerCase() !== 'https') {
			throw new SigningError('Connection String uses DefaultEndpointsProtocol=http for a storage account in Azure', 'Use https: with http the key or SAS would travel unencrypted.');
		}
		endpoint = `https://${accountName}.blob.${(parts.endpointsuffix ?? 'core.windows.net').replace(/^\.+|\/+$/g, '')}`;
	}
	if (parts.sharedaccesssignature) {
		return { sas: { endpoint, sasToken: normalizeSasToken(parts.sharedaccesssignature) } };
	}
	const accountName = parts.accountname ?? (development ? DEVELOPMENT_ACCOUNT : '');
	const accountKey = parts.accountkey ?? (development ? DEVELOPMENT_KEY : '');
	if (!accountName || !accountKey) {
		throw new SigningError('Connection String has neither AccountName and AccountKey nor SharedAccessSignature');
	}
	if (!BASE64.test(accountKey)) throw new SigningError('Connection String has an AccountKey that is not a valid storage account key');
	const mismatch = accountEndpointProblem(accountName, endpoint);
	if (mismatch) throw new SigningError(`Connection String: ${mismatch}`);
	return { key: { accountName, accountKey, endpoint } };
}

/** A SAS credential: its endpoint, token and (for a container SAS) the container. */
export function sasGrantOf(data: ICredentialDataDecryptedObject): SasGrant {
	if ((text(data, 'sasMode') || 'sasUrl') === 'sasUrl') {
		const { endpoint, sasToken, container } = splitSasUrl(required(text(data, 'sasUrl'), 'SAS URL'));
		return { endpoint, sasToken, container };
	}
	const endpoint = blobEndpointFor('', 'custom', required(text(data, 'endpoint'), 'Blob Endpoint'));
	return { endpoint, sasToken: normalizeSasToken(required(text(data, 'sasToken'), 'SAS Token')) };
}

/** Field values that must not appear in an error about the credential (a SAS URL pasted without https://...). */
function secretsOf(data: ICredentialDataDecryptedObject): string[] {
	const values: string[] = [];
	for (const field of ['accountKey', 'connectionString', 'sasUrl', 'sasToken']) {
		const value = text(data, field);
		if (value) values.push(value);
	}
	for (const value of [...values]) {
		const signature = /(?:^|[?&;])sig=([^&;\s]+)/i.exec(value)?.[1];
		if (signature) values.push(signature);
	}
	return values;
}

/** Runs `work`; an error it throws leaves with the credential's secrets removed from its texts. */
async function cleanly(data: ICredentialDataDecryptedObject, work: () => OutgoingRequest): Promise<IHttpRequestOptions> {
	let failure: unknown;
	try {
		return work() as unknown as IHttpRequestOptions;
	} catch (error) {
		failure = error;
	}
	const e = failure as { message?: unknown; description?: unknown; stack?: unknown };
	const secrets = secretsOf(data);
	for (const key of ['message', 'description', 'stack'] as const) {
		if (typeof e?.[key] === 'string') e[key] = redactSecrets(e[key] as string, secrets);
	}
	throw failure;
}

export async function authenticateWithSharedKey(data: ICredentialDataDecryptedObject, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	return await cleanly(data, () => signWithSharedKey(options as unknown as OutgoingRequest, sharedKeyOf(data), 'Azure Blob Storage Shared Key'));
}

export async function authenticateWithConnectionString(data: ICredentialDataDecryptedObject, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	return await cleanly(data, () => {
		const access = connectionStringAccess(data);
		const name = 'Azure Blob Storage Connection String';
		const request = options as unknown as OutgoingRequest;
		return 'key' in access ? signWithSharedKey(request, access.key, name) : authorizeWithSas(request, access.sas, name);
	});
}

export async function authenticateWithSas(data: ICredentialDataDecryptedObject, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	return await cleanly(data, () => authorizeWithSas(options as unknown as OutgoingRequest, sasGrantOf(data), 'Azure Blob Storage SAS'));
}

/*
 * n8n expressions (resolved by n8n over the credential's own fields, `$self`) that name the host
 * names a credential may be used with. They mirror the endpoint rules above and in
 * transport/endpoints.ts; only string and RegExp methods, which n8n's expression engine allows.
 */

/** The host name of a URL held in `value` (an expression), lower-case, without port. */
function hostOf(value: string): string {
	return String.raw`String(${value} || "").trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split(/[\/?#]/)[0].replace(/^[^@]*@/, "").replace(/:\d+$/, "").toLowerCase()`;
}

const BLOB_SUFFIX =
	'($self["cloud"] === "azureUsGovernment" ? "blob.core.usgovcloudapi.net" : $self["cloud"] === "azureChina" ? "blob.core.chinacloudapi.cn" : "blob.core.windows.net")';

const ACCOUNT_BLOB_HOST = `(String($self["accountName"] || "").trim().toLowerCase() + "." + ${BLOB_SUFFIX})`;

/** Shared Key: <account>.blob.<cloud suffix>, or the custom endpoint's host. */
export const sharedKeyHostsExpression = `($self["cloud"] === "custom" ? ${hostOf('$self["endpoint"]')} : ${ACCOUNT_BLOB_HOST})`;

function connectionStringPart(name: string): string {
	return String.raw`(String($self["connectionString"] || "").match(/(?:^|;)\s*${name}\s*=\s*([^;]*)/i) || [])[1]`;
}

/** Connection string: BlobEndpoint's host, 127.0.0.1 for UseDevelopmentStorage, else <AccountName>.blob.<EndpointSuffix>. */
export const connectionStringHostsExpression =
	`(${connectionStringPart('BlobEndpoint')} ? ${hostOf(connectionStringPart('BlobEndpoint'))}` +
	String.raw` : /(?:^|;)\s*UseDevelopmentStorage\s*=\s*true\s*(?:;|$)/i.test(String($self["connectionString"] || "")) ? "127.0.0.1"` +
	` : String(${connectionStringPart('AccountName')} || "").trim().toLowerCase() + ".blob." + String(${connectionStringPart('EndpointSuffix')} || "core.windows.net").trim().toLowerCase())`;

/** SAS: the host of the SAS URL, or of the endpoint entered with the token. */
export const sasHostsExpression = `($self["sasMode"] === "endpointAndToken" ? ${hostOf('$self["endpoint"]')} : ${hostOf('$self["sasUrl"]')})`;

const LOGIN_HOST =
	`($self["cloud"] === "custom" ? ${hostOf('($self["loginAuthority"] || "https://login.microsoftonline.com")')}` +
	' : $self["cloud"] === "azureUsGovernment" ? "login.microsoftonline.us" : $self["cloud"] === "azureChina" ? "login.chinacloudapi.cn" : "login.microsoftonline.com")';

/** Entra ID: the blob endpoint's host and the sign-in host. */
export const entraIdHostsExpression = `($self["cloud"] === "custom" ? ${hostOf('$self["endpoint"]')} : ${ACCOUNT_BLOB_HOST}) + ", " + ${LOGIN_HOST}`;

/**
 * n8n's own "Allowed HTTP Request Domains" fields, defined by the credential so n8n does not add
 * its defaults ("All"): set to "Specific Domains" with the hosts above, hidden so they follow the
 * credential's endpoint instead of being typed.
 */
export function allowedDomainFields(hostsExpression: string): INodeProperties[] {
	return [
		{
			displayName: 'Allowed HTTP Request Domains',
			name: 'allowedHttpRequestDomains',
			type: 'hidden',
			default: 'domains',
		},
		{
			displayName: 'Allowed Domains',
			name: 'allowedDomains',
			type: 'hidden',
			default: `={{ ${hostsExpression} }}`,
		},
	];
}

/**
 * For the Entra ID credentials: the HTTP statuses on which n8n's OAuth2 path refreshes the token
 * and retries. Azure answers an expired token with 401; Azurite and some private clouds with 403.
 */
export const tokenExpiredStatusField: INodeProperties = {
	displayName: 'Token Expired Status Code',
	name: 'tokenExpiredStatusCode',
	type: 'hidden',
	default: '={{ $self["cloud"] === "custom" ? [401, 403] : 401 }}',
};
