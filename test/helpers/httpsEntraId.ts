/**
 * A Microsoft Entra ID stand-in over HTTPS on loopback, for Microsoft's own sign-in library
 * (@azure/identity and MSAL), which talks to https:// authorities only and first reads the
 * tenant's OpenID configuration: oauth2-mock-server serving
 * /<tenant>/v2.0/.well-known/openid-configuration and /<tenant>/oauth2/v2.0/token, issuing JWTs
 * that Azurite's `--oauth basic` accepts (iss https://sts.windows.net/<tenant>/, aud
 * https://storage.azure.com). It records every token request (to assert grant type and client
 * assertion) and can answer with Entra ID's errors (it checks no assertion itself).
 */
import { Events, OAuth2Server } from 'oauth2-mock-server';

import type { TestCertificate } from './tls';

export const FEDERATED_TENANT = '33333333-4444-4555-8666-777777777777';

export interface RecordedTokenRequest {
	body: Record<string, string>;
	at: number;
}

export interface EntraIdError {
	status: number;
	body: { error: string; error_description: string; error_codes?: number[] };
}

export interface HttpsEntraId {
	/** The authority host to give @azure/identity (and the credential's Sign-In Authority). */
	authority: string;
	tenant: string;
	tokenEndpoint: string;
	lifetimeSeconds: number;
	/** Extra claims for the next token only (e.g. an `nbf` in the future). */
	nextTokenClaims: Record<string, unknown> | undefined;
	requests: RecordedTokenRequest[];
	issuedTokens: string[];
	/** Answers every token request with this error until cleared. */
	fail(failure: EntraIdError | undefined): void;
	reset(): void;
	stop(): Promise<void>;
}

export async function startHttpsEntraId(tls: TestCertificate, tenant = FEDERATED_TENANT): Promise<HttpsEntraId> {
	const server = new OAuth2Server(tls.keyFile, tls.certFile, {
		endpoints: {
			token: `/${tenant}/oauth2/v2.0/token`,
			wellKnownDocument: `/${tenant}/v2.0/.well-known/openid-configuration`,
			authorize: `/${tenant}/oauth2/v2.0/authorize`,
		},
	});
	await server.issuer.keys.generate('RS256');
	await server.start(0, '127.0.0.1');
	const authority = `https://127.0.0.1:${server.address().port}`;
	// The OpenID document lists endpoints under the issuer URL: the host itself.
	server.issuer.url = authority;

	let failure: EntraIdError | undefined;
	const state = {
		authority,
		tenant,
		tokenEndpoint: `${authority}/${tenant}/oauth2/v2.0/token`,
		lifetimeSeconds: 240,
		nextTokenClaims: undefined as Record<string, unknown> | undefined,
		requests: [] as RecordedTokenRequest[],
		issuedTokens: [] as string[],
	};

	server.service.on(Events.BeforeTokenSigning, (token: { payload: Record<string, unknown> }, req: { body: Record<string, string> }) => {
		const iat = token.payload.iat as number;
		Object.assign(token.payload, {
			iss: `https://sts.windows.net/${tenant}/`,
			aud: 'https://storage.azure.com',
			tid: tenant,
			appid: req.body.client_id,
			sub: req.body.client_id,
			exp: iat + state.lifetimeSeconds,
			...state.nextTokenClaims,
		});
		state.nextTokenClaims = undefined;
	});
	server.service.on(Events.BeforeResponse, (response: { statusCode: number; body: Record<string, unknown> }, req: { body: Record<string, string> }) => {
		state.requests.push({ body: { ...req.body }, at: Date.now() });
		if (failure) {
			response.statusCode = failure.status;
			response.body = { ...failure.body };
			return;
		}
		response.body.expires_in = state.lifetimeSeconds;
		if (typeof response.body.access_token === 'string') state.issuedTokens.push(response.body.access_token);
	});

	return Object.assign(state, {
		fail: (f: EntraIdError | undefined) => {
			failure = f;
		},
		reset: () => {
			failure = undefined;
			state.lifetimeSeconds = 240;
			state.nextTokenClaims = undefined;
			state.requests.length = 0;
		},
		stop: async () => await server.stop(),
	});
}
