/** Credentials for the Azurite started by the global setup, one per authentication method. */
import { randomBytes } from 'crypto';
import {
	AccountSASPermissions,
	AccountSASResourceTypes,
	AccountSASServices,
	BlobServiceClient,
	ContainerSASPermissions,
	generateAccountSASQueryParameters,
	generateBlobSASQueryParameters,
	StorageSharedKeyCredential,
} from '@azure/storage-blob';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { AZURITE_ACCOUNT, AZURITE_KEY } from './azurite';

export function blobEndpoint(): string {
	const endpoint = process.env.AZURITE_BLOB_ENDPOINT;
	if (!endpoint) throw new Error('AZURITE_BLOB_ENDPOINT is not set: run the tests through jest (global setup)');
	return endpoint;
}

export const sharedKey = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);

/** A raw SDK client for arranging and checking state behind the node's back. */
export function sdk(): BlobServiceClient {
	return new BlobServiceClient(blobEndpoint(), sharedKey);
}

export function uniqueContainerName(label: string): string {
	return `${label}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
}

export async function createContainer(label: string): Promise<string> {
	const name = uniqueContainerName(label);
	await sdk().getContainerClient(name).create();
	return name;
}

function accountSasToken(): string {
	return generateAccountSASQueryParameters(
		{
			expiresOn: new Date(Date.now() + 3600_000),
			permissions: AccountSASPermissions.parse('rwdlacupt'),
			resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
			services: AccountSASServices.parse('b').toString(),
		},
		sharedKey,
	).toString();
}

export function containerSasUrl(container: string, permissions = 'racwdlt'): string {
	const token = generateBlobSASQueryParameters(
		{
			containerName: container,
			permissions: ContainerSASPermissions.parse(permissions),
			expiresOn: new Date(Date.now() + 3600_000),
		},
		sharedKey,
	).toString();
	return `${blobEndpoint()}/${container}?${token}`;
}

export interface CredentialCase {
	label: string;
	authentication: string;
	type: string;
	data: ICredentialDataDecryptedObject;
	/** Strings that must never show up in output or errors. */
	secrets: string[];
}

export function credentialCases(): CredentialCase[] {
	const sas = accountSasToken();
	const signature = new URLSearchParams(sas).get('sig')!;
	return [
		{
			label: 'Shared Key',
			authentication: 'sharedKey',
			type: 'azureBlobStorageSharedKeyApi',
			data: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, cloud: 'custom', endpoint: blobEndpoint() },
			secrets: [AZURITE_KEY],
		},
		{
			label: 'connection string',
			authentication: 'connectionString',
			type: 'azureBlobStorageConnectionStringApi',
			data: {
				connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint()};`,
			},
			secrets: [AZURITE_KEY],
		},
		{
			label: 'SAS connection string',
			authentication: 'connectionString',
			type: 'azureBlobStorageConnectionStringApi',
			data: { connectionString: `BlobEndpoint=${blobEndpoint()};SharedAccessSignature=${sas}` },
			secrets: [signature, encodeURIComponent(signature)],
		},
		{
			label: 'account SAS URL',
			authentication: 'sas',
			type: 'azureBlobStorageSasApi',
			data: { sasMode: 'sasUrl', sasUrl: `${blobEndpoint()}/?${sas}` },
			secrets: [signature, encodeURIComponent(signature)],
		},
		{
			label: 'endpoint + SAS token',
			authentication: 'sas',
			type: 'azureBlobStorageSasApi',
			data: { sasMode: 'endpointAndToken', endpoint: blobEndpoint(), sasToken: `?${sas}` },
			secrets: [signature, encodeURIComponent(signature)],
		},
	];
}

/** The credential map and authentication parameter for runNode. */
export function using(c: Pick<CredentialCase, 'authentication' | 'type' | 'data'>) {
	return { credentials: { [c.type]: c.data }, authentication: c.authentication };
}
