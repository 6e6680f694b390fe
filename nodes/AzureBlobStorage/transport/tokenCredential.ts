/**
 * Bearer tokens for the Azure SDK from the OAuth2 token n8n stores on the credential. n8n owns
 * the token: when it nears expiry, or when Azure rejects it, we ask n8n to refresh it (n8n then
 * persists the new access token and the rotated refresh token). Where no n8n refresh is
 * available (the credential test), the stored token is used as it is and never refreshed, so a
 * refresh token is never rotated somewhere it cannot be saved.
 */
import type { HttpOperationResponse, RequestPolicy, RequestPolicyFactory, RequestPolicyOptions, WebResource } from '@azure/storage-blob';
import { BaseRequestPolicy } from '@azure/storage-blob';

/** n8n's `oauthTokenData`: the token endpoint's response, plus `n8n_expires_at` (ms) in n8n 2.x. */
export interface OAuthTokenData {
	access_token?: string;
	refresh_token?: string;
	id_token?: string;
	expires_in?: number | string;
	n8n_expires_at?: number | string;
	[key: string]: unknown;
}

/**
 * Asks n8n for a new token (refresh, or a new client-credentials token), persisted by n8n.
 * `current` is the access token being replaced (expiring or rejected), if any.
 */
export type TokenRenewal = (current?: string) => Promise<OAuthTokenData | undefined>;

/** A bearer token and its expiry, as in @azure/core-auth's `AccessToken`. */
export interface AccessToken {
	token: string;
	expiresOnTimestamp: number;
}

/** Thrown when there is no usable token and nothing can get one. */
export class MissingTokenError extends Error {}

interface CurrentToken extends AccessToken {
	/** How long before expiry to renew: a tenth of the lifetime, at most one minute. */
	renewMarginMs: number;
}

const MAX_RENEW_MARGIN_MS = 60_000;

function jwtClaims(token: string): { exp?: number; iat?: number; nbf?: number } {
	const payload = token.split('.')[1];
	if (!payload) return {};
	try {
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
		return typeof claims === 'object' && claims !== null ? (claims as { exp?: number; iat?: number }) : {};
	} catch {
		return {};
	}
}

/** The access token and when it expires: the JWT `exp` claim, else n8n's `n8n_expires_at`. */
export function readToken(data: OAuthTokenData | undefined, now = Date.now()): CurrentToken | undefined {
	const token = typeof data?.access_token === 'string' ? data.access_token : '';
	if (!token) return undefined;
	const claims = jwtClaims(token);
	let expiresOn: number | undefined;
	let lifetimeMs: number | undefined;
	if (typeof claims.exp === 'number') {
		expiresOn = claims.exp * 1000;
		const issued = claims.iat ?? claims.nbf;
		if (typeof issued === 'number') lifetimeMs = (claims.exp - issued) * 1000;
	} else if (data?.n8n_expires_at !== undefined && Number.isFinite(Number(data.n8n_expires_at))) {
		expiresOn = Number(data.n8n_expires_at);
	}
	if (lifetimeMs === undefined && Number.isFinite(Number(data?.expires_in))) lifetimeMs = Number(data?.expires_in) * 1000;
	const renewMarginMs = lifetimeMs && lifetimeMs > 0 ? Math.min(MAX_RENEW_MARGIN_MS, lifetimeMs / 10) : MAX_RENEW_MARGIN_MS;
	// Without any expiry information, treat the token as valid and rely on Azure rejecting it.
	return { token, expiresOnTimestamp: expiresOn ?? now + 3600_000, renewMarginMs };
}

/** Secrets in token data that must never reach output or error text. */
export function tokenSecrets(data: OAuthTokenData | undefined): string[] {
	return [data?.access_token, data?.refresh_token, data?.id_token].filter((s): s is string => typeof s === 'string' && s !== '');
}

export interface N8nTokenCredentialOptions {
	tokenData?: OAuthTokenData;
	/** Absent where n8n cannot persist a new token: then the stored token is used as it is. */
	renew?: TokenRenewal;
	/** Called with every token data n8n hands back (to redact its values). */
	onTokenData?: (data: OAuthTokenData) => void;
	/** What to tell the user when there is no token at all. */
	missingTokenMessage: string;
}

/** Has the shape of @azure/core-auth's `TokenCredential`, so it also fits the SDK's own bearer policy. */
export class N8nOAuth2TokenCredential {
	private current: CurrentToken | undefined;

	private renewing: Promise<CurrentToken> | undefined;

	constructor(private readonly options: N8nTokenCredentialOptions) {
		this.current = readToken(options.tokenData);
	}

	/** The stored token while it is valid; a renewed one shortly before it expires. */
	async getToken(): Promise<AccessToken> {
		const current = this.current;
		if (current && Date.now() < current.expiresOnTimestamp - current.renewMarginMs) return current;
		if (!this.options.renew) {
			if (current) return current; // Azure decides; its rejection is explained as "reconnect".
			throw new MissingTokenError(this.options.missingTokenMessage);
		}
		return await this.renew();
	}

	/**
	 * Azure rejected `rejected`. Renews once (concurrent rejections of the same token share one
	 * renewal) and returns the new token, or undefined when no other token can be had.
	 */
	async renewAfterRejection(rejected: string): Promise<AccessToken | undefined> {
		if (!this.options.renew) return undefined;
		if (this.current && this.current.token !== rejected) return this.current;
		const renewed = await this.renew();
		return renewed.token === rejected ? undefined : renewed;
	}

	private async renew(): Promise<CurrentToken> {
		this.renewing ??= (async () => {
			try {
				const data = await this.options.renew!(this.current?.token);
				this.options.onTokenData?.(data ?? {});
				const token = readToken(data);
				if (!token) throw new MissingTokenError(this.options.missingTokenMessage);
				this.current = token;
				return token;
			} finally {
				this.renewing = undefined;
			}
		})();
		return await this.renewing;
	}
}

/** Azure's answer to a bad or expired bearer token: 401 (Azure), 403 AuthenticationFailed (Azurite). */
export function isRejectedToken(status: number | undefined, errorCode: string | undefined): boolean {
	return status === 401 || (status === 403 && errorCode === 'AuthenticationFailed');
}

interface RestErrorLike {
	statusCode?: number;
	code?: string;
	details?: { errorCode?: string };
	response?: { headers?: { get(name: string): string | undefined } };
}

/** The SDK's deserializer throws error responses as RestError before they reach this policy. */
function rejectionOf(error: unknown): boolean {
	const e = error as RestErrorLike | undefined;
	if (typeof e?.statusCode !== 'number') return false;
	const code = e.details?.errorCode ?? e.response?.headers?.get('x-ms-error-code') ?? e.code;
	return isRejectedToken(e.statusCode, code);
}

/** Whether a request body can be sent a second time (a consumed stream cannot). */
export function isResendable(body: unknown): boolean {
	if (body === undefined || body === null || typeof body === 'string' || typeof body === 'function') return true;
	if (Buffer.isBuffer(body) || ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return true;
	if (typeof Blob !== 'undefined' && body instanceof Blob) return true;
	return false;
}

class EntraIdBearerPolicy extends BaseRequestPolicy {
	constructor(
		nextPolicy: RequestPolicy,
		options: RequestPolicyOptions,
		private readonly credential: N8nOAuth2TokenCredential,
	) {
		super(nextPolicy, options);
	}

	async sendRequest(request: WebResource): Promise<HttpOperationResponse> {
		const { token } = await this.credential.getToken();
		request.headers.set('authorization', `Bearer ${token}`);
		let rejection: unknown;
		try {
			const response = await this._nextPolicy.sendRequest(request);
			if (!isRejectedToken(response.status, response.headers.get('x-ms-error-code'))) return response;
			rejection = response;
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the SDK's own error, translated by the router
			if (!rejectionOf(error)) throw error;
			rejection = error;
		}
		const renewed = isResendable(request.body) ? await this.credential.renewAfterRejection(token) : undefined;
		if (!renewed) {
			if (rejection instanceof Error) throw rejection;
			return rejection as HttpOperationResponse;
		}
		request.headers.set('authorization', `Bearer ${renewed.token}`);
		return await this._nextPolicy.sendRequest(request);
	}
}

/**
 * Signs every request with the credential's token (before the SDK's retry policy, so retries
 * reuse it) and, when Azure rejects the token, renews it and sends the request once more if its
 * body can be re-sent.
 */
export function entraIdBearerPolicy(credential: N8nOAuth2TokenCredential): RequestPolicyFactory {
	return {
		create: (nextPolicy, options) => new EntraIdBearerPolicy(nextPolicy, options, credential),
	};
}
