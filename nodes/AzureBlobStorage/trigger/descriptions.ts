/** Fields both triggers share. */
import type { INodeProperties } from 'n8n-workflow';

/** The same choices as the Azure Blob Storage node's "Authentication" (AzureBlobStorage.node.ts). */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{
			name: 'Client Certificate (Entra ID Service Principal)',
			value: 'clientCertificate',
		},
		{
			name: 'Client Credentials (Entra ID Service Principal)',
			value: 'clientCredentials',
		},
		{ name: 'Connection String', value: 'connectionString' },
		{ name: 'Managed Identity (Azure VM, App Service, Container Apps)', value: 'managedIdentity' },
		{ name: 'OAuth2 (Entra ID User Sign-In)', value: 'oAuth2' },
		{ name: 'SAS (Shared Access Signature)', value: 'sas' },
		{ name: 'Shared Key (Account Key)', value: 'sharedKey' },
		{ name: 'Workload Identity (AKS, Federated)', value: 'workloadIdentity' },
	],
	default: 'sharedKey',
};

export const binaryPropertyOption: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	hint: 'The name of the output binary field to put the file in',
	description: 'Name of the binary field of each output item that gets the blob\'s content',
};
