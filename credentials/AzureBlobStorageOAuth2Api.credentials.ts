import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import {
	authorizationUrlExpression,
	authQueryParametersExpression,
	clientIdField,
	clientSecretField,
	delegatedScopeExpression,
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
 * Sign in to Azure Blob Storage as a Microsoft Entra ID user (authorization code). The scope
 * includes offline_access, so Microsoft issues a refresh token and the connection outlives the
 * first one-hour access token.
 */
export class AzureBlobStorageOAuth2Api implements ICredentialType {
	name = 'azureBlobStorageOAuth2Api';

	displayName = 'Azure Blob Storage OAuth2 API';

	extends = ['oAuth2Api'];

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/azure/storage/blobs/authorize-access-azure-active-directory';

	properties: INodeProperties[] = [
		{
			displayName:
				'In the Entra ID app registration: add the "OAuth Redirect URL" shown here ({your n8n base URL}/rest/oauth2-credential/callback) as a Web redirect URI, and the API permission Azure Storage > user_impersonation. The person who connects needs the role "Storage Blob Data Contributor" (read and write) or "Storage Blob Data Reader" (read only) on the storage account or container; Owner or Contributor alone do not grant access to data.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		hidden('grantType', 'authorizationCode'),
		tenantField(
			'The directory (tenant) ID or a verified domain, from the app registration\'s Overview page. Use "organizations" for a multi-tenant app used by work accounts of any organization, or "common" to also allow personal Microsoft accounts.',
			'e.g. 00000000-0000-0000-0000-000000000000, contoso.onmicrosoft.com or organizations',
		),
		clientIdField,
		clientSecretField,
		entraCloudField,
		entraAccountNameField,
		entraEndpointField,
		loginAuthorityField,
		storageAudienceField,
		{
			displayName: 'Sign-In Prompt',
			name: 'consentPrompt',
			type: 'options',
			default: 'consent',
			description: 'What Microsoft asks when you click "Connect my account"',
			options: [
				{
					name: 'Consent',
					value: 'consent',
					description: 'Always show the permission request (recommended: makes sure the refresh token is granted)',
				},
				{ name: 'Select Account', value: 'select_account', description: 'Let the user pick which signed-in account to use' },
				{ name: 'Login', value: 'login', description: 'Always ask for the password again' },
				{ name: 'None', value: 'none', description: 'Prompt only when Microsoft needs to' },
			],
		},
		hidden('authUrl', authorizationUrlExpression),
		hidden('accessTokenUrl', tokenUrlExpression),
		hidden('scope', delegatedScopeExpression),
		hidden('authQueryParameters', authQueryParametersExpression),
		hidden('authentication', 'body'),
		tokenExpiredStatusField,
		...allowedDomainFields(entraIdHostsExpression),
	];
}
