import type { IAuthenticate, ICredentialType, INodeProperties } from 'n8n-workflow';

import { allowedDomainFields, authenticateWithConnectionString, connectionStringHostsExpression } from './httpRequestNode';

export class AzureBlobStorageConnectionStringApi implements ICredentialType {
	name = 'azureBlobStorageConnectionStringApi';

	displayName = 'Azure Blob Storage Connection String API';

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string';

	properties: INodeProperties[] = [
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- a connection string holds the account key or a SAS, so it is a secret; the rule only knows names like password/secret/token
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
		...allowedDomainFields(connectionStringHostsExpression),
	];

	/**
	 * Signs (account key) or authorizes (SAS) a request of n8n's HTTP Request node, for this account's endpoint only.
	 * An own property, not a method: n8n serializes the credential types it lists in the editor
	 * with `{ ...credential }`, which would leave a method (and the HTTP Request node's listing) out.
	 */
	authenticate: IAuthenticate = authenticateWithConnectionString;
}
