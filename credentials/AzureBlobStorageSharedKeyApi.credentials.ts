import type { IAuthenticate, ICredentialType, INodeProperties } from 'n8n-workflow';

import { cloudField, customEndpointField } from './common';
import { allowedDomainFields, authenticateWithSharedKey, sharedKeyHostsExpression } from './httpRequestNode';

export class AzureBlobStorageSharedKeyApi implements ICredentialType {
	name = 'azureBlobStorageSharedKeyApi';

	displayName = 'Azure Blob Storage Shared Key API';

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/azure/storage/common/storage-account-keys-manage';

	properties: INodeProperties[] = [
		{
			displayName: 'Account Name',
			name: 'accountName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. mycompanydata',
			description: 'The storage account name: the first part of https://<account>.blob.core.windows.net',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the account key is a secret; the rule only knows names like password/secret/token
		{
			displayName: 'Account Key',
			name: 'accountKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'key1 or key2 from the storage account\'s "Security + networking > Access keys" page in the Azure portal. It grants full access to the account.',
		},
		cloudField,
		customEndpointField,
		...allowedDomainFields(sharedKeyHostsExpression),
	];

	/**
	 * Signs a request of n8n's HTTP Request node with the account key (for this account's endpoint only).
	 * An own property, not a method: n8n serializes the credential types it lists in the editor
	 * with `{ ...credential }`, which would leave a method (and the HTTP Request node's listing) out.
	 */
	authenticate: IAuthenticate = authenticateWithSharedKey;
}
