import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import {
	entraAccountNameField,
	entraCloudField,
	entraEndpointField,
	loginAuthorityField,
	storageAudienceField,
} from './entraId';

/**
 * Access Azure Blob Storage with Microsoft Entra Workload ID (AKS, or any host whose tokens an
 * app trusts through a federated credential): the Kubernetes service account token in the token
 * file is exchanged for a storage token. Off unless the n8n administrator sets
 * N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true, because every user of the credential acts as the pod.
 */
export class AzureBlobStorageWorkloadIdentityApi implements ICredentialType {
	name = 'azureBlobStorageWorkloadIdentityApi';

	displayName = 'Azure Blob Storage Workload Identity API';

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview';

	properties: INodeProperties[] = [
		{
			displayName:
				'Uses the workload identity of the pod n8n runs in, so anyone who can use this credential acts as that pod. It works only when the n8n administrator has set the environment variable N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true for n8n (main process and workers). Leave Tenant, Client ID and Token File empty to use AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE, which AKS sets. The app or managed identity needs "Storage Blob Data Contributor" or "Storage Blob Data Reader" on the storage account or container.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Directory (Tenant) ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			placeholder: 'empty: AZURE_TENANT_ID of the n8n host',
			description: 'The tenant of the app registration or managed identity with the federated credential. Empty: the AZURE_TENANT_ID environment variable.',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			placeholder: 'empty: AZURE_CLIENT_ID of the n8n host',
			description:
				'The client ID of the app registration or user-assigned managed identity that has the federated credential. Empty: the AZURE_CLIENT_ID environment variable.',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a file path, not a secret (the rule matches "token" in the name)
		{
			displayName: 'Token File',
			name: 'federatedTokenFile',
			// eslint-disable-next-line n8n-nodes-base/cred-class-field-type-options-password-missing -- a file path, not a secret
			type: 'string',
			default: '',
			placeholder: 'empty: AZURE_FEDERATED_TOKEN_FILE of the n8n host',
			description:
				'Path of the file holding the federated (service account) token on the n8n host, e.g. /var/run/secrets/azure/tokens/azure-identity-token. Empty: the AZURE_FEDERATED_TOKEN_FILE environment variable.',
		},
		entraCloudField,
		entraAccountNameField,
		entraEndpointField,
		loginAuthorityField,
		storageAudienceField,
	];
}
