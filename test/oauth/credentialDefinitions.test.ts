/**
 * The authorization URL and token request n8n builds from each Entra ID credential's fields,
 * obtained the way n8n obtains them: the credential's properties merged with oAuth2Api's,
 * defaults applied and the hidden expressions over `$self` resolved by n8n-workflow's
 * expression engine; the authorization URL then built with @n8n/client-oauth2 as n8n's
 * oauth2-credential controller does.
 */
import { mock } from 'jest-mock-extended';
import type { ICredentialDataDecryptedObject, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { credentialTypes } from '../helpers/engine';
import { authorizationUri, resolveCredentialData } from '../helpers/oauthCredentials';

const REDIRECT = 'https://n8n.example.com/rest/oauth2-credential/callback';

async function resolve(type: string, data: ICredentialDataDecryptedObject) {
	const additionalData = mock<IWorkflowExecuteAdditionalData>();
	(additionalData as unknown as Record<string, unknown>).executionContext = undefined;
	return await resolveCredentialData(credentialTypes, type, data, additionalData);
}

describe('Azure Blob Storage OAuth2 (authorization code)', () => {
	it.each([
		['azurePublic', 'contoso.onmicrosoft.com', 'consent', 'login.microsoftonline.com'],
		['azureUsGovernment', 'organizations', 'select_account', 'login.microsoftonline.us'],
		['azureChina', '0b1c2d3e-0000-4000-8000-000000000000', 'login', 'login.chinacloudapi.cn'],
		['azurePublic', 'common', 'none', 'login.microsoftonline.com'],
	])('cloud %s, tenant %s, prompt %s: signs in at %s with the storage scope and offline_access', async (cloud, tenantId, consentPrompt, host) => {
		const resolved = await resolve('azureBlobStorageOAuth2Api', {
			tenantId: ` ${tenantId} `,
			clientId: 'client-1',
			clientSecret: 'secret-1',
			accountName: 'mydata',
			cloud,
			consentPrompt,
		});
		expect(resolved).toMatchObject({
			grantType: 'authorizationCode',
			authentication: 'body',
			accessTokenUrl: `https://${host}/${tenantId}/oauth2/v2.0/token`,
			scope: 'https://storage.azure.com/user_impersonation offline_access',
		});
		const url = authorizationUri(resolved, REDIRECT);
		expect(`${url.origin}${url.pathname}`).toBe(`https://${host}/${tenantId}/oauth2/v2.0/authorize`);
		const query = Object.fromEntries(url.searchParams);
		expect(query).toMatchObject({
			client_id: 'client-1',
			redirect_uri: REDIRECT,
			response_type: 'code',
			response_mode: 'query',
			scope: 'https://storage.azure.com/user_impersonation offline_access',
			state: 'state-1',
		});
		if (consentPrompt === 'none') expect(query.prompt).toBeUndefined();
		else expect(query.prompt).toBe(consentPrompt);
		expect(url.toString()).not.toContain('secret-1');
	});

	it('defaults to prompt=consent and the global cloud', async () => {
		const resolved = await resolve('azureBlobStorageOAuth2Api', { tenantId: 't1', clientId: 'c', clientSecret: 's', accountName: 'acc' });
		const url = authorizationUri(resolved, REDIRECT);
		expect(url.host).toBe('login.microsoftonline.com');
		expect(url.searchParams.get('prompt')).toBe('consent');
	});

	it('custom cloud: uses the sign-in authority (trailing slash removed) and the storage resource entered', async () => {
		const resolved = await resolve('azureBlobStorageOAuth2Api', {
			tenantId: 'adfs',
			clientId: 'c',
			clientSecret: 's',
			cloud: 'custom',
			loginAuthority: 'https://login.stack.example/',
			storageAudience: 'https://storage.stack.example/',
			endpoint: 'https://acc.blob.stack.example',
		});
		expect(resolved.authUrl).toBe('https://login.stack.example/adfs/oauth2/v2.0/authorize');
		expect(resolved.accessTokenUrl).toBe('https://login.stack.example/adfs/oauth2/v2.0/token');
		expect(resolved.scope).toBe('https://storage.stack.example/user_impersonation offline_access');
	});

	it('a stored scope or URL cannot override the credential definition', async () => {
		const resolved = await resolve('azureBlobStorageOAuth2Api', {
			tenantId: 't1',
			clientId: 'c',
			clientSecret: 's',
			accountName: 'acc',
			scope: 'https://graph.microsoft.com/.default',
			accessTokenUrl: 'https://evil.example/token',
		});
		expect(resolved.scope).toBe('https://storage.azure.com/user_impersonation offline_access');
		expect(resolved.accessTokenUrl).toBe('https://login.microsoftonline.com/t1/oauth2/v2.0/token');
	});
});

describe('Azure Blob Storage client credentials', () => {
	it.each([
		['azurePublic', 'login.microsoftonline.com'],
		['azureUsGovernment', 'login.microsoftonline.us'],
		['azureChina', 'login.chinacloudapi.cn'],
	])('cloud %s: token from %s/<tenant>/oauth2/v2.0/token for https://storage.azure.com/.default, secret in the body', async (cloud, host) => {
		const resolved = await resolve('azureBlobStorageClientCredentialsOAuth2Api', {
			tenantId: 'contoso.onmicrosoft.com',
			clientId: 'c',
			clientSecret: 's',
			accountName: 'acc',
			cloud,
		});
		expect(resolved).toMatchObject({
			grantType: 'clientCredentials',
			authentication: 'body',
			accessTokenUrl: `https://${host}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
			scope: 'https://storage.azure.com/.default',
		});
	});
});
