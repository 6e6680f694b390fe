/**
 * Failures of Microsoft Entra ID (the token endpoint, or n8n's refresh of a stored token) turned
 * into one message per cause, each saying what to change. Entra ID identifies causes by the
 * AADSTS code at the start of `error_description`; the OAuth `error` is the fallback.
 */
import { MissingTokenError } from './tokenCredential';

export class EntraIdError extends Error {
	constructor(
		message: string,
		readonly description: string,
		readonly entraCode?: string,
	) {
		super(message);
	}
}

interface TokenEndpointBody {
	error?: string;
	error_description?: string;
	error_codes?: number[];
}

const RECONNECT =
	'Open the credential and click "Connect my account" (or "Reconnect") to sign in again. Microsoft ends a sign-in when its refresh token is unused for 90 days, when the password changes, or when an administrator revokes the sessions.';

const APP_PERMISSION =
	'For user sign-in (OAuth2): add the API permission "Azure Storage" > "user_impersonation" (delegated) to the app registration, grant consent (an administrator may have to), then reconnect the credential. For a service principal: check that the tenant is the one the storage account trusts; the role "Storage Blob Data Contributor" or "Reader" on the account is what grants access.';

/** Entra ID's own causes (tenant, app, consent...); transport/identity.ts reuses them for its flows. */
export function explainCode(code: string | undefined, oauthError: string | undefined): { message: string; hint: string } | undefined {
	switch (code) {
		case 'AADSTS7000215':
			return {
				message: 'Microsoft Entra ID rejected the client secret',
				hint: 'Paste the secret\'s "Value" from "Certificates & secrets" in the app registration, not its "Secret ID". If it is lost, create a new secret.',
			};
		case 'AADSTS7000222':
			return {
				message: 'The client secret has expired',
				hint: 'Create a new secret under "Certificates & secrets" in the app registration and paste its Value into the credential.',
			};
		case 'AADSTS90002':
		case 'AADSTS900023':
		case 'AADSTS90013':
			return {
				message: 'Microsoft Entra ID does not know the tenant entered in the credential',
				hint: 'Use the "Directory (tenant) ID" from the app registration\'s Overview page, or a verified domain such as contoso.onmicrosoft.com, and check that the Cloud setting matches (Global, US Government, China).',
			};
		case 'AADSTS700016':
			return {
				message: 'The Application (Client) ID is not registered in this tenant',
				hint: 'Copy the "Application (client) ID" from the app registration\'s Overview page, and check that the tenant is the one the app lives in.',
			};
		case 'AADSTS65001':
		case 'AADSTS65005':
		case 'AADSTS650057':
		case 'AADSTS500011':
		case 'AADSTS70011':
			return { message: 'The app registration is not allowed to access Azure Storage', hint: APP_PERMISSION };
		case 'AADSTS70008':
		case 'AADSTS700082':
		case 'AADSTS700084':
		case 'AADSTS50173':
		case 'AADSTS50078':
		case 'AADSTS50076':
			return { message: 'The Microsoft sign-in of this credential has expired or was revoked: reconnect the credential', hint: RECONNECT };
	}
	switch (oauthError) {
		case 'invalid_grant':
			return { message: 'The Microsoft sign-in of this credential has expired or was revoked: reconnect the credential', hint: RECONNECT };
		case 'invalid_client':
		case 'unauthorized_client':
			return {
				message: 'Microsoft Entra ID rejected the client secret',
				hint: 'Check the Application (Client) ID and paste the secret\'s "Value" from "Certificates & secrets" (not its "Secret ID").',
			};
		case 'invalid_scope':
		case 'consent_required':
			return { message: 'The app registration is not allowed to access Azure Storage', hint: APP_PERMISSION };
	}
	return undefined;
}

function tokenEndpointBody(error: unknown): TokenEndpointBody | undefined {
	for (let e = error as { body?: unknown; cause?: unknown; code?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
		const body = e.body as TokenEndpointBody | undefined;
		if (body && typeof body === 'object' && (typeof body.error === 'string' || typeof body.error_description === 'string')) {
			return body;
		}
		e = e.cause as typeof e;
	}
	return undefined;
}

/** An EntraIdError when `error` is a failure to get or renew a Microsoft token, else undefined. */
export function entraIdFailureFrom(error: unknown): EntraIdError | undefined {
	if (error instanceof EntraIdError) return error;
	if (error instanceof MissingTokenError) {
		return new EntraIdError(error.message, 'Open the credential and click "Connect my account" to sign in with Microsoft.');
	}
	const body = tokenEndpointBody(error);
	if (body) {
		const description = String(body.error_description ?? '').split(/\r?\n/)[0].trim();
		const code = /\bAADSTS\d+/.exec(description)?.[0] ?? (body.error_codes?.[0] ? `AADSTS${body.error_codes[0]}` : undefined);
		const explained = explainCode(code, body.error) ?? {
			message: 'Microsoft Entra ID refused to issue a token',
			hint: 'Check the tenant, client ID and client secret in the credential.',
		};
		const says = description ? `Microsoft says: ${description}` : body.error ? `Microsoft says: ${body.error}` : '';
		return new EntraIdError(explained.message, [explained.hint, says].filter(Boolean).join('\n'), code);
	}
	const message = error instanceof Error ? error.message : '';
	// n8n 2.x turns a refused refresh (invalid_grant) into this error before we see the body.
	if (/needs to be reconnected/i.test(message)) {
		return new EntraIdError(
			'The Microsoft sign-in of this credential has expired or was revoked: reconnect the credential',
			RECONNECT,
		);
	}
	if (/OAuth credentials not connected/i.test(message)) {
		return new EntraIdError(
			'The credential is not connected to Microsoft yet: open it and click "Connect my account"',
			'n8n has no token for this credential. Connecting signs you in with Microsoft and stores the token.',
		);
	}
	return undefined;
}
