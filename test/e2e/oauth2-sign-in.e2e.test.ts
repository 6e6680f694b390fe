/**
 * "Connect my account" for the Entra ID user credential, the way n8n runs it: the credential is
 * created through n8n's REST API, n8n builds the authorization URL, the browser follows it to the
 * (loopback) identity provider, which redirects to n8n's callback, and n8n exchanges the code and
 * stores the token. Then a workflow uses the credential against Azurite (HTTPS, bearer tokens);
 * after the access token expires, the next run refreshes it and n8n stores the new one.
 */
import { request } from 'http';

import { startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import {
	blobStorageNode,
	createCredential,
	e2e,
	execute,
	importWorkflows,
	linearWorkflow,
	rest,
	storedCredential,
	uniqueName,
	type CredentialRef,
	type WorkflowJson,
} from './support';

const TOKEN_LIFETIME_SECONDS = 40;

interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

/** A GET as the browser sends it: no redirect following, with the given cookies. */
function browserGet(url: string, cookies: string[] = []): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = { 'browser-id': 'n8n-runtime-e2e' };
		if (cookies.length) headers.cookie = cookies.join('; ');
		const req = request(url, { headers }, (res) => {
			let body = '';
			res.on('data', (chunk) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
		});
		req.on('error', reject);
		req.end();
	});
}

function setCookies(response: RawResponse): string[] {
	return ([] as string[]).concat(response.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]);
}

function jwtClaims(token: string): { exp: number; iat: number } {
	return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('OAuth2 sign-in (authorization code) through n8n', () => {
	let entra: MockEntraId;
	let credential: CredentialRef;
	let cookies: string[];
	let authorizationUrl: URL;
	let firstToken: Record<string, any>;
	let workflow: WorkflowJson;
	const container = uniqueName('e2e-oauth');

	beforeAll(async () => {
		entra = await startMockEntraId();
		credential = await createCredential(uniqueName('Entra ID sign-in'), 'azureBlobStorageOAuth2Api', {
			tenantId: TENANT,
			clientId: 'e2e-user-app',
			clientSecret: 'e2e-user-app-secret',
			cloud: 'custom',
			endpoint: e2e().tlsBlobEndpoint,
			loginAuthority: entra.authority,
			storageAudience: 'https://storage.azure.com',
			consentPrompt: 'consent',
		});
		workflow = linearWorkflow('OAuth2: create container and list', [
			blobStorageNode('Create container', credential, { resource: 'container', operation: 'create', containerName: container, ifExists: 'skip' }),
			blobStorageNode('List containers', credential, { resource: 'container', operation: 'getAll', prefix: container, returnAll: true, options: {} }),
		]);
		await importWorkflows([workflow]);
	});

	afterAll(async () => {
		await entra?.stop();
	});

	it('n8n sends the browser to the tenant\'s authorize URL with prompt=consent, offline_access and the storage scope', async () => {
		const response = await browserGet(`${e2e().baseUrl}/rest/oauth2-credential/auth?id=${credential.id}`, [e2e().cookie]);
		expect(response.status).toBe(200);
		cookies = [e2e().cookie, ...setCookies(response)];
		authorizationUrl = new URL(JSON.parse(response.body).data);
		expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${entra.authority}/${TENANT}/oauth2/v2.0/authorize`);
		const query = authorizationUrl.searchParams;
		expect(query.get('prompt')).toBe('consent');
		expect(query.get('response_type')).toBe('code');
		expect(query.get('client_id')).toBe('e2e-user-app');
		expect(query.get('redirect_uri')).toBe(`${e2e().baseUrl}/rest/oauth2-credential/callback`);
		expect(query.get('scope')!.split(' ').sort()).toEqual(['https://storage.azure.com/user_impersonation', 'offline_access']);
		expect(query.get('state')).toBeTruthy();
	});

	it('after the sign-in redirect comes back to n8n\'s callback, n8n stores the access and refresh token', async () => {
		entra.lifetimeSeconds = TOKEN_LIFETIME_SECONDS;
		const signIn = await browserGet(authorizationUrl.toString());
		expect(signIn.status).toBe(302);
		const callback = new URL(String(signIn.headers.location));
		expect(`${callback.origin}${callback.pathname}`).toBe(`${e2e().baseUrl}/rest/oauth2-credential/callback`);
		expect(callback.searchParams.get('code')).toBeTruthy();

		const done = await browserGet(callback.toString(), cookies);
		expect(done.status).toBe(200);
		expect(done.body).not.toMatch(/error/i);

		const codeExchanges = entra.requests.filter((r) => r.grant === 'authorization_code');
		expect(codeExchanges).toHaveLength(1);
		expect(codeExchanges[0].body).toMatchObject({ client_id: 'e2e-user-app', client_secret: 'e2e-user-app-secret', code: callback.searchParams.get('code') });

		const stored = await storedCredential(credential.id);
		firstToken = stored.data.oauthTokenData;
		expect(firstToken).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'Bearer' });
		expect(Number(firstToken.n8n_expires_at)).toBeGreaterThan(Date.now());
		// What the editor shows: the credential is connected (token data present, values hidden).
		const viaRest = await rest('GET', `/rest/credentials/${credential.id}?includeData=true`);
		expect(viaRest.data.oauthTokenData).toBeTruthy();
	});

	it('a workflow signed in with that credential creates and lists a container in Azurite, using the stored token', async () => {
		const run = await execute(workflow.id);
		expect(run.error).toBeUndefined();
		expect(run.items('Create container')[0].json).toMatchObject({ name: container, created: true });
		expect(run.items('List containers').map((i) => i.json.name)).toEqual([container]);
		expect(entra.hits('refresh_token')).toBe(0);
	});

	it('once the access token has expired, the next run refreshes it and n8n stores the new token', async () => {
		const expiresAt = jwtClaims(firstToken.access_token).exp * 1000;
		const wait = expiresAt + 1_000 - Date.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

		const run = await execute(workflow.id);
		expect(run.error).toBeUndefined();
		expect(run.items('Create container')[0].json).toMatchObject({ name: container, created: false });

		const refreshes = entra.requests.filter((r) => r.grant === 'refresh_token');
		expect(refreshes).toHaveLength(1);
		expect(refreshes[0].body.refresh_token).toBe(firstToken.refresh_token);

		const stored = (await storedCredential(credential.id)).data.oauthTokenData;
		expect(stored.access_token).not.toBe(firstToken.access_token);
		expect(jwtClaims(stored.access_token).exp * 1000).toBeGreaterThan(Date.now());
		expect(Number(stored.n8n_expires_at)).toBeGreaterThan(Number(firstToken.n8n_expires_at));
	});
});
