import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import {
	applicationScopeExpression,
	authorizationUrlExpression,
	clientIdField,
	clientSecretField,
	entraAccountNameField,
	entraCloudField,
	entraEndpointField,
	hidden,
	loginAuthorityField,
	storageAudienceField,
	tenantField,
	tokenUrlExpression,
} from './entraId';
import { allowedDomainFields, entraIdHostsExpression, tokenExpiredStatusField } from './httpRequestNode';

/**
 * Access Azure Blob Storage as an application (service principal) with the OAuth2 client
 * credentials grant: no user sign-in; n8n fetches a token with the client secret when needed.
 */
export class AzureBlobStorageClientCredentialsOAuth2Api implements ICredentialType {
	name = 'azureBlobStorageClientCredentialsOAuth2Api';

	displayName = 'Azure Blob Storage Client Credentials OAuth2 API';

	extends = ['oAuth2Api'];

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow';

	properties: INodeProperties[] = [
		{
			displayName:
				'Give the app registration\'s service principal the role "Storage Blob Data Contributor" (read and write) or "Storage Blob Data Reader" (read only) on the storage account or container ("Access control (IAM)" > "Add role assignment" > "Members: User, group, or service principal"). No API permission or redirect URL is needed.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		hidden('grantType', 'clientCredentials'),
		tenantField(
			'The directory (tenant) ID or a verified domain of the tenant the app registration lives in (its Overview page). "common" and "organizations" do not work for an application sign-in.',
			'e.g. 00000000-0000-0000-0000-000000000000 or contoso.onmicrosoft.com',
		),
		clientIdField,
		clientSecretField,
		entraCloudField,
		entraAccountNameField,
		entraEndpointField,
		loginAuthorityField,
		storageAudienceField,
		hidden('authUrl', authorizationUrlExpression),
		hidden('accessTokenUrl', tokenUrlExpression),
		hidden('scope', applicationScopeExpression),
		hidden('authQueryParameters', ''),
		hidden('authentication', 'body'),
		tokenExpiredStatusField,
		...allowedDomainFields(entraIdHostsExpression),
		{ displayName: 'Send Additional Body Properties', name: 'sendAdditionalBodyProperties', type: 'hidden', default: false },
		hidden('additionalBodyProperties', ''),
	];
}
