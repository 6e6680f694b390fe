import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { entraAccountNameField, entraCloudField, entraEndpointField, storageAudienceField } from './entraId';

/**
 * Access Azure Blob Storage as the managed identity of the Azure host n8n runs on (VM, scale
 * set, App Service, Functions, Container Apps): no secret is stored in n8n. Tokens come from the
 * host's identity endpoint. Off unless the n8n administrator sets
 * N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true, because every user of the credential acts as the host.
 */
export class AzureBlobStorageManagedIdentityApi implements ICredentialType {
	name = 'azureBlobStorageManagedIdentityApi';

	displayName = 'Azure Blob Storage Managed Identity API';

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/entra/identity/managed-identities-azure-resources/overview';

	properties: INodeProperties[] = [
		{
			displayName:
				'Uses the managed identity of the Azure machine n8n runs on, so anyone who can use this credential acts as that machine. It works only when the n8n administrator has set the environment variable N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY=true for n8n (main process and workers). Give the identity the role "Storage Blob Data Contributor" (read and write) or "Storage Blob Data Reader" (read only) on the storage account or container.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Identity',
			name: 'identityType',
			type: 'options',
			default: 'systemAssigned',
			options: [
				{
					name: 'System-Assigned',
					value: 'systemAssigned',
					description: 'The identity Azure created for this VM, App Service or container app',
				},
				{
					name: 'User-Assigned by Client ID',
					value: 'userAssignedClientId',
					description: 'A user-assigned identity attached to the host, chosen by its Client ID',
				},
				{
					name: 'User-Assigned by Resource ID',
					value: 'userAssignedResourceId',
					description: 'A user-assigned identity attached to the host, chosen by its Azure resource ID',
				},
			],
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 11111111-2222-3333-4444-555555555555',
			description: 'The "Client ID" on the Overview page of the user-assigned managed identity',
			displayOptions: { show: { identityType: ['userAssignedClientId'] } },
		},
		{
			displayName: 'Resource ID',
			name: 'resourceId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. /subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n8n',
			description: 'The "Resource ID" on the Properties page of the user-assigned managed identity',
			displayOptions: { show: { identityType: ['userAssignedResourceId'] } },
		},
		{
			...entraCloudField,
			options: (entraCloudField.options ?? []).map((option) =>
				'value' in option && option.value === 'custom'
					? { ...option, description: 'Azure Stack, a private endpoint or custom domain: enter the blob endpoint' }
					: option,
			),
		},
		entraAccountNameField,
		entraEndpointField,
		storageAudienceField,
	];
}
