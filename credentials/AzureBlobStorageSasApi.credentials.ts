import type { IAuthenticate, ICredentialType, INodeProperties } from 'n8n-workflow';

import { allowedDomainFields, authenticateWithSas, sasHostsExpression } from './httpRequestNode';

export class AzureBlobStorageSasApi implements ICredentialType {
	name = 'azureBlobStorageSasApi';

	displayName = 'Azure Blob Storage SAS API';

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/azure/storage/common/storage-sas-overview';

	properties: INodeProperties[] = [
		{
			displayName: 'SAS Input',
			name: 'sasMode',
			type: 'options',
			default: 'sasUrl',
			options: [
				{
					name: 'SAS URL',
					value: 'sasUrl',
					description: 'An account SAS URL or a container SAS URL, as the portal shows it',
				},
				{ name: 'Endpoint and SAS Token', value: 'endpointAndToken', description: 'The blob endpoint and the token apart' },
			],
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- a SAS URL carries its signature, so it is a secret; the rule only knows names like password/secret/token
		{
			displayName: 'SAS URL',
			name: 'sasUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'https://myaccount.blob.core.windows.net/?sv=...&sig=...',
			description:
				'"Blob service SAS URL" from the account\'s "Shared access signature" page, or a container\'s "Generate SAS" URL. A container SAS limits the node to that container.',
			displayOptions: { show: { sasMode: ['sasUrl'] } },
		},
		{
			displayName: 'Blob Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://myaccount.blob.core.windows.net',
			displayOptions: { show: { sasMode: ['endpointAndToken'] } },
		},
		{
			displayName: 'SAS Token',
			name: 'sasToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=...&sig=...',
			displayOptions: { show: { sasMode: ['endpointAndToken'] } },
		},
		...allowedDomainFields(sasHostsExpression),
	];

	/**
	 * Adds the SAS to a request of n8n's HTTP Request node, for this account's endpoint (and container) only.
	 * An own property, not a method: n8n serializes the credential types it lists in the editor
	 * with `{ ...credential }`, which would leave a method (and the HTTP Request node's listing) out.
	 */
	authenticate: IAuthenticate = authenticateWithSas;
}
