/**
 * The one place where a credential becomes an authenticated Azure client. Operations receive a
 * `BlobStorageConnection` and never look at credential types.
 */
import type { StoragePipelineOptions } from '@azure/storage-blob';
import { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
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
import { InputError } from './errors';

export type AuthenticationMethod = 'sharedKey' | 'connectionString' | 'sas';

/** Credential type name (as in the credentials' `name`) per authentication choice in the node. */
export const CREDENTIAL_TYPE: Record<AuthenticationMethod, string> = {
	sharedKey: 'azureBlobStorageSharedKeyApi',
	connectionString: 'azureBlobStorageConnectionStringApi',
	sas: 'azureBlobStorageSasApi',
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

const PIPELINE_OPTIONS: StoragePipelineOptions = {
	userAgentOptions: { userAgentPrefix: 'n8n-nodes-azure-blob-storage' },
	retryOptions: { maxTries: 4 },
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function text(data: ICredentialDataDecryptedObject, field: string): string {
	const value = data[field];
	return typeof value === 'string' ? value.trim() : '';
}

function requireField(value: string, label: string, fix: string): string {
	if (!value) throw new InputError(`${label} is empty in the credential`, fix);
	return value;
}

function sharedKeyConnection(data: ICredentialDataDecryptedObject): BlobStorageConnection {
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
	const cloud = (text(data, 'cloud') || 'azurePublic') as AzureCloud | 'custom';
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
		PIPELINE_OPTIONS,
	);
	return { service, accountName, method: 'sharedKey', secrets: [accountKey] };
}

function connectionStringConnection(data: ICredentialDataDecryptedObject): BlobStorageConnection {
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
	let service: BlobServiceClient;
	try {
		service = BlobServiceClient.fromConnectionString(connectionString, PIPELINE_OPTIONS);
	} catch (error) {
		throw new InputError(
			'Connection String could not be read',
			`Expected "Key=Value;..." pairs with AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature. ${(error as Error).message}`,
		);
	}
	return { service, accountName: service.accountName, method: 'connectionString', secrets };
}

function sasConnection(data: ICredentialDataDecryptedObject): BlobStorageConnection {
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
	const service = new BlobServiceClient(`${endpoint}/?${sasToken}`, new AnonymousCredential(), PIPELINE_OPTIONS);
	return {
		service,
		accountName: accountNameFromUrl(endpoint),
		method: 'sas',
		scopedContainer,
		secrets: [sasToken, signature, encodeURIComponent(signature)],
	};
}

/** Builds the client for decrypted credential data. */
export function connectWithCredentials(
	method: AuthenticationMethod,
	data: ICredentialDataDecryptedObject,
): BlobStorageConnection {
	switch (method) {
		case 'sharedKey':
			return sharedKeyConnection(data);
		case 'connectionString':
			return connectionStringConnection(data);
		case 'sas':
			return sasConnection(data);
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
	return connectWithCredentials(method, data);
}
