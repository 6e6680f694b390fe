/**
 * A Microsoft Entra ID stand-in on loopback: oauth2-mock-server (a real OAuth2 server) serving
 * /<tenant>/oauth2/v2.0/{authorize,token}, issuing JWTs that Azurite's `--oauth basic` accepts
 * (iss https://sts.windows.net/<tenant>/, aud https://storage.azure.com). Tests set the token
 * lifetime, read how often each grant was asked for, and make the token endpoint answer with
 * Entra ID's errors (it checks no secrets itself).
 */
import { ClientOAuth2 } from '@n8n/client-oauth2';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { Events, OAuth2Server } from 'oauth2-mock-server';
import { request } from 'http';

import { authorizationUri } from './oauthCredentials';

export const TENANT = '11111111-2222-4333-8444-555555555555';
export const REDIRECT_URI = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

export type Grant = 'authorization_code' | 'refresh_token' | 'client_credentials';

export interface TokenRequest {
	grant: string;
	body: Record<string, string>;
	authorization?: string;
}

export interface EntraFailure {
	status: number;
	body: { error: string; error_description: string; error_codes?: number[] };
}

export interface MockEntraId {
	/** The authority to put in the credential's "Sign-In Authority" (custom cloud). */
	authority: string;
	/** Lifetime of issued access tokens in seconds (negative: already expired). */
	lifetimeSeconds: number;
	/** Extra claims for the next tokens (e.g. an `nbf` in the future). */
	extraClaims: Record<string, unknown>;
	requests: TokenRequest[];
	/** Every access and refresh token the server handed out (to check none leaks anywhere). */
	issuedTokens: string[];
	hits(grant: Grant): number;
	/** Makes the token endpoint answer every request of `grant` with this error until cleared. */
	fail(grant: Grant, failure: EntraFailure | undefined): void;
	/** Like Entra ID with rotation: each refresh token is accepted once; a reuse gets invalid_grant. */
	singleUseRefreshTokens: boolean;
	/** Refresh requests refused because their refresh token had been used already. */
	reusedRefreshTokens: number;
	reset(): void;
	stop(): Promise<void>;
}

export async function startMockEntraId(): Promise<MockEntraId> {
	const server = new OAuth2Server(undefined, undefined, {
		endpoints: {
			token: `/${TENANT}/oauth2/v2.0/token`,
			authorize: `/${TENANT}/oauth2/v2.0/authorize`,
		},
	});
	await server.issuer.keys.generate('RS256');
	await server.start(0, '127.0.0.1');
	const authority = `http://127.0.0.1:${server.address().port}`;
	server.issuer.url = `${authority}/${TENANT}/v2.0`;

	const failures = new Map<string, EntraFailure>();
	const usedRefreshTokens = new Set<string>();
	const state: MockEntraId = {
		authority,
		lifetimeSeconds: 3600,
		extraClaims: {},
		requests: [],
		issuedTokens: [],
		hits: (grant) => state.requests.filter((r) => r.grant === grant).length,
		fail: (grant, failure) => (failure ? failures.set(grant, failure) : failures.delete(grant)),
		singleUseRefreshTokens: false,
		reusedRefreshTokens: 0,
		reset: () => {
			state.singleUseRefreshTokens = false;
			state.reusedRefreshTokens = 0;
			usedRefreshTokens.clear();
			state.lifetimeSeconds = 3600;
			state.extraClaims = {};
			state.requests.length = 0;
			failures.clear();
		},
		stop: async () => await server.stop(),
	};

	server.service.on(Events.BeforeTokenSigning, (token: { payload: Record<string, unknown> }) => {
		const iat = token.payload.iat as number;
		Object.assign(token.payload, {
			iss: `https://sts.windows.net/${TENANT}/`,
			aud: 'https://storage.azure.com',
			tid: TENANT,
			exp: iat + state.lifetimeSeconds,
			...state.extraClaims,
		});
	});
	server.service.on(
		Events.BeforeResponse,
		(response: { statusCode: number; body: Record<string, unknown> }, req: { body: Record<string, string>; headers: Record<string, string> }) => {
			const grant = String(req.body.grant_type);
			state.requests.push({ grant, body: { ...req.body }, authorization: req.headers.authorization });
			const failure = failures.get(grant);
			if (grant === 'refresh_token' && state.singleUseRefreshTokens) {
				const used = String(req.body.refresh_token);
				if (usedRefreshTokens.has(used)) {
					state.reusedRefreshTokens += 1;
					response.statusCode = 400;
					response.body = {
						error: 'invalid_grant',
						error_description: 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity or was already used.',
					};
					return;
				}
				usedRefreshTokens.add(used);
			}
			if (failure) {
				response.statusCode = failure.status;
				response.body = { ...failure.body };
				return;
			}
			response.body.expires_in = state.lifetimeSeconds;
			for (const key of ['access_token', 'refresh_token', 'id_token']) {
				if (typeof response.body[key] === 'string') state.issuedTokens.push(response.body[key] as string);
			}
		},
	);
	return state;
}

function get(url: string): Promise<{ status: number; location?: string }> {
	return new Promise((resolve, reject) => {
		const req = request(url, (res) => {
			res.resume();
			resolve({ status: res.statusCode ?? 0, location: res.headers.location });
		});
		req.on('error', reject);
		req.end();
	});
}

/**
 * "Connect my account" as n8n does it: send the browser to the authorization URL built from the
 * resolved credential, take the code from the redirect, and exchange it for tokens the way n8n's
 * callback does (client secret in the body for `authentication: body`). Returns what n8n stores
 * as `oauthTokenData`.
 */
export async function connectAccount(resolved: ICredentialDataDecryptedObject): Promise<Record<string, unknown>> {
	const redirect = await get(authorizationUri(resolved, REDIRECT_URI).toString());
	if (!redirect.location) throw new Error(`authorize answered ${redirect.status} without a redirect`);
	const client = new ClientOAuth2({
		clientId: String(resolved.clientId),
		accessTokenUri: String(resolved.accessTokenUrl),
		authorizationUri: String(resolved.authUrl),
		authentication: 'body',
		redirectUri: REDIRECT_URI,
		scopes: [String(resolved.scope)],
		scopesSeparator: ' ',
	});
	const token = await client.code.getToken(redirect.location, {
		body: { client_id: String(resolved.clientId), client_secret: String(resolved.clientSecret) },
	});
	return token.data as Record<string, unknown>;
}
