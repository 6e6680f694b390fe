/**
 * "Test" in the credential dialog: builds the same client the node uses and makes one cheap
 * read (list one container, or one blob for a container SAS), so success means the node works.
 *
 * Entra ID: n8n's editor runs this test for the client-credentials credential (on save); it
 * never runs it for an authorization-code credential, whose "Connect my account" is its test.
 * Neither can persist a token here, so: client credentials get a throw-away token from the
 * token endpoint (nothing to rotate, so nothing is lost); an authorization-code credential is
 * tested with its stored token and never refreshed (a refresh would rotate the refresh token
 * without n8n saving it).
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IDataObject, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { authenticationMethodOf, connectWithCredentials } from '../transport/client';
import { entraIdFailureFrom } from '../transport/entraIdErrors';
import { describeRestError, explainFailure } from '../transport/errors';
import { redactSecrets } from '../transport/redact';
import type { OAuthTokenData } from '../transport/tokenCredential';
import { readToken, tokenSecrets } from '../transport/tokenCredential';

/** Lets an unexpired stored token be tested as is; otherwise null. */
function usableStoredToken(data: ICredentialDataDecryptedObject): OAuthTokenData | undefined {
	const tokenData = data.oauthTokenData as OAuthTokenData | undefined;
	const token = readToken(tokenData);
	return token && token.expiresOnTimestamp > Date.now() + 5_000 ? tokenData : undefined;
}

/** A client-credentials token straight from the token endpoint, used for this test only. */
async function fetchClientCredentialsToken(
	ctx: ICredentialTestFunctions,
	data: ICredentialDataDecryptedObject,
): Promise<OAuthTokenData> {
	try {
		return (await ctx.helpers.request({
			method: 'POST',
			uri: String(data.accessTokenUrl ?? ''),
			form: {
				grant_type: 'client_credentials',
				client_id: String(data.clientId ?? ''),
				client_secret: String(data.clientSecret ?? ''),
				scope: String(data.scope ?? ''),
			},
			json: true,
		})) as OAuthTokenData;
	} catch (error) {
		const e = error as { error?: unknown; response?: { data?: unknown; body?: unknown }; cause?: unknown };
		const body = [e.error, e.response?.data, e.response?.body].find((b) => typeof b === 'object' && b !== null);
		throw body ? { body, cause: error } : error;
	}
}

export async function testBlobStorageCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const method = authenticationMethodOf(credential.type);
	if (!method) return { status: 'Error', message: `Unknown credential type ${credential.type}` };
	const data = { ...(credential.data ?? {}) };
	let secrets: string[] = [];
	if (typeof data.clientSecret === 'string') secrets.push(data.clientSecret);
	try {
		if (method === 'oAuth2' && data.oauthTokenData && !usableStoredToken(data)) {
			return {
				status: 'OK',
				message:
					'Connected to Microsoft. The stored access token has expired, so storage access was not checked here; n8n refreshes the token on the next run.',
			};
		}
		if (method === 'clientCredentials' && !usableStoredToken(data)) {
			const fetched = await fetchClientCredentialsToken(this, data);
			secrets.push(...tokenSecrets(fetched));
			data.oauthTokenData = fetched as IDataObject;
		}
		// One try: the dialog should answer in seconds, not after the back-off a workflow deserves.
		const connection = connectWithCredentials(method, data, { maxTries: 1 });
		secrets = [...secrets, ...connection.secrets];
		if (connection.scopedContainer) {
			await connection.service.getContainerClient(connection.scopedContainer).listBlobsFlat().byPage({ maxPageSize: 1 }).next();
			return { status: 'OK', message: `Connected: container "${connection.scopedContainer}" can be listed` };
		}
		await connection.service.listContainers().byPage({ maxPageSize: 1 }).next();
		return { status: 'OK', message: `Connected to storage account "${connection.accountName}"` };
	} catch (error) {
		const rest = error as { statusCode?: number; message?: string };
		const entraId = entraIdFailureFrom(error);
		let message: string;
		if (entraId) {
			message = [entraId.message, entraId.description].filter(Boolean).join('. ');
		} else if (typeof rest.statusCode === 'number') {
			const failure = describeRestError(rest);
			const explained = explainFailure(failure);
			message = [explained.message, explained.hint, failure.code && `(${failure.code})`].filter(Boolean).join('. ');
		} else {
			message = rest.message ?? String(error);
		}
		return { status: 'Error', message: redactSecrets(message, secrets) };
	}
}
