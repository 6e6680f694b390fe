import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class AzureBlobStorageConnectionStringApi implements ICredentialType {
	name = 'azureBlobStorageConnectionStringApi';

	displayName = 'Azure Blob Storage Connection String API';

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string';

	properties: INodeProperties[] = [
		{
			displayName: 'Connection String',
			name: 'connectionString',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net',
			description:
				'From the storage account\'s "Access keys" page ("Connection string" under key1 or key2), or a SAS connection string with BlobEndpoint and SharedAccessSignature',
		},
	];
}
