/**
 * A managed identity endpoint on loopback, speaking the two protocols @azure/identity uses:
 *
 * - App Service / Container Apps (2019-08-01): `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01
 *   &resource=...[&client_id=|&mi_res_id=|&principal_id=]` with the `X-IDENTITY-HEADER` secret;
 *   answers `{ access_token, expires_on, resource, token_type, client_id }`.
 * - The VM instance metadata service (IMDS, 2018-02-01): `GET /metadata/identity/oauth2/token
 *   ?api-version=2018-02-01&resource=...[&client_id=|&msi_res_id=|&object_id=]` with
 *   `Metadata: true`; reached here through AZURE_POD_IDENTITY_AUTHORITY_HOST, never at
 *   169.254.169.254.
 *
 * Tokens are JWTs that Azurite's `--oauth basic` accepts (iss https://sts.windows.net/<tenant>/,
 * aud = the resource asked for). The host knows a system-assigned identity and the user-assigned
 * identities given to it; any other gets the platform's "identity not found" answer.
 *
 * Tokens live 240 s by default: under the 5 minutes before expiry at which Microsoft's library
 * (MSAL) stops serving a token from its own process-wide cache, so what a test counts is the
 * package's own token cache.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'crypto';

export const IDENTITY_TENANT = '22222222-3333-4444-8555-666666666666';

export interface UserAssignedIdentity {
	clientId: string;
	resourceId: string;
	objectId?: string;
}

export interface IdentityRequest {
	protocol: 'appService' | 'imds';
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** When the request arrived (ms). */
	at: number;
}

export interface IssuedIdentityToken {
	token: string;
	/** The identity the token is for: 'system' or a user-assigned client ID. */
	clientId: string;
	issuedAt: number;
	/** The token's `exp` in ms. */
	expiresAt: number;
}

export type IdentityFailure = { status: number; body: unknown } | 'drop';

export interface ManagedIdentityEndpoint {
	/** The value for IDENTITY_ENDPOINT (App Service / Container Apps). */
	identityEndpoint: string;
	/** The value for IDENTITY_HEADER: a secret of the host. */
	identityHeader: string;
	/** The value for AZURE_POD_IDENTITY_AUTHORITY_HOST (the IMDS flow, on loopback). */
	imdsHost: string;
	/** Lifetime of the next tokens in seconds (expiry is rounded up to a whole second). */
	lifetimeSeconds: number;
	/** Extra claims for the next token only (e.g. an `nbf` in the future). */
	nextTokenClaims: Record<string, unknown> | undefined;
	requests: IdentityRequest[];
	/** Tokens issued since the last reset. */
	issued: IssuedIdentityToken[];
	/** Every token ever issued (to check that none leaks anywhere). */
	everIssued: string[];
	/** Makes every request fail this way until cleared. */
	fail(failure: IdentityFailure | undefined): void;
	reset(): void;
	stop(): Promise<void>;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function base64url(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signJwt(payload: Record<string, unknown>): string {
	const unsigned = `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'loopback-identity' })}.${base64url(payload)}`;
	return `${unsigned}.${sign('sha256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}

export async function startManagedIdentityEndpoint(userAssigned: UserAssignedIdentity[] = []): Promise<ManagedIdentityEndpoint> {
	const identityHeader = `hdr-${randomBytes(12).toString('hex')}`;
	let failure: IdentityFailure | undefined;

	const state = {
		lifetimeSeconds: 240,
		nextTokenClaims: undefined as Record<string, unknown> | undefined,
		requests: [] as IdentityRequest[],
		issued: [] as IssuedIdentityToken[],
		everIssued: [] as string[],
	};

	function reply(res: import('http').ServerResponse, status: number, body: unknown) {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}

	function identityFor(query: Record<string, string>, resourceIdParam: string): { clientId: string; resourceId?: string } | undefined {
		if (query.client_id) return userAssigned.find((u) => u.clientId === query.client_id);
		if (query[resourceIdParam]) return userAssigned.find((u) => u.resourceId.toLowerCase() === query[resourceIdParam].toLowerCase());
		if (query.principal_id || query.object_id) return userAssigned.find((u) => u.objectId && u.objectId === (query.principal_id ?? query.object_id));
		return { clientId: 'system' };
	}

	function issue(resource: string, identity: { clientId: string; resourceId?: string }) {
		const now = Date.now();
		const iat = Math.floor(now / 1000);
		const exp = Math.ceil(now / 1000 + state.lifetimeSeconds);
		const token = signJwt({
			aud: resource,
			iss: `https://sts.windows.net/${IDENTITY_TENANT}/`,
			iat,
			nbf: iat,
			exp,
			tid: IDENTITY_TENANT,
			oid: randomUUID(),
			sub: identity.clientId,
			appid: identity.clientId,
			idtyp: 'app',
			...(identity.resourceId ? { xms_mirid: identity.resourceId } : {}),
			...state.nextTokenClaims,
		});
		state.nextTokenClaims = undefined;
		state.issued.push({ token, clientId: identity.clientId, issuedAt: now, expiresAt: exp * 1000 });
		state.everIssued.push(token);
		return { token, exp };
	}

	const server: Server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const query = Object.fromEntries(url.searchParams);
		const imds = url.pathname.replace(/\/+$/, '') === '/metadata/identity/oauth2/token';
		const appService = url.pathname === '/msi/token';
		state.requests.push({
			protocol: imds ? 'imds' : 'appService',
			method: req.method ?? '',
			path: url.pathname,
			query,
			headers: req.headers,
			at: Date.now(),
		});
		if (failure === 'drop') {
			req.socket.destroy();
			return;
		}
		if (failure) return reply(res, failure.status, failure.body);
		if (req.method !== 'GET' || (!imds && !appService)) return reply(res, 404, { error: 'not_found' });

		if (appService) {
			if (req.headers['x-identity-header'] !== identityHeader) {
				return reply(res, 401, { statusCode: 401, message: 'X-IDENTITY-HEADER is missing or wrong' });
			}
			if (query['api-version'] !== '2019-08-01' || !query.resource) {
				return reply(res, 400, { statusCode: 400, message: 'api-version 2019-08-01 and resource are required' });
			}
			const identity = identityFor(query, 'mi_res_id');
			if (!identity) return reply(res, 400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId: randomUUID() });
			const { token, exp } = issue(query.resource, identity);
			return reply(res, 200, {
				access_token: token,
				expires_on: String(exp),
				resource: query.resource,
				token_type: 'Bearer',
				client_id: identity.clientId === 'system' ? randomUUID() : identity.clientId,
			});
		}

		if (req.headers.metadata !== 'true') {
			return reply(res, 400, { error: 'invalid_request', error_description: 'Required metadata header not specified' });
		}
		if (query['api-version'] !== '2018-02-01' || !query.resource) {
			return reply(res, 400, { error: 'invalid_request', error_description: 'api-version 2018-02-01 and resource are required' });
		}
		const identity = identityFor(query, 'msi_res_id');
		if (!identity) return reply(res, 400, { error: 'invalid_request', error_description: 'Identity not found' });
		const { token, exp } = issue(query.resource, identity);
		const now = Math.floor(Date.now() / 1000);
		return reply(res, 200, {
			access_token: token,
			client_id: identity.clientId,
			expires_in: String(exp - now),
			expires_on: String(exp),
			ext_expires_in: String(exp - now),
			not_before: String(now),
			resource: query.resource,
			token_type: 'Bearer',
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	const base = `http://127.0.0.1:${port}`;

	return Object.assign(state, {
		identityEndpoint: `${base}/msi/token`,
		identityHeader,
		imdsHost: base,
		fail: (f: IdentityFailure | undefined) => {
			failure = f;
		},
		reset: () => {
			failure = undefined;
			state.lifetimeSeconds = 240;
			state.nextTokenClaims = undefined;
			state.requests.length = 0;
			state.issued.length = 0;
		},
		stop: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	});
}
