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
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IDataObject,
	ICredentialTestFunctions,
	INode,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import type { BlobStorageConnection } from '../transport/client';
import { authenticationMethodOf, connectWithCredentials, credentialSecrets } from '../transport/client';
import { entraIdFailureFrom } from '../transport/entraIdErrors';
import { toNodeError } from '../transport/errors';
import { attachLimits, RequestTimeoutError } from '../transport/policies';
import { redactSecrets } from '../transport/redact';
import type { OAuthTokenData } from '../transport/tokenCredential';
import { readToken, tokenSecrets } from '../transport/tokenCredential';

/**
 * The dialog should answer in seconds: 8 s without an answer, one retry (a kept-alive connection
 * the server closed while idle fails once with a reset), 20 s in all.
 */
const TEST_LIMITS = { requestTimeoutMs: 8_000, maxRetries: 1 };
const TEST_DEADLINE_MS = 20_000;

const TEST_NODE: INode = {
	id: 'credential-test',
	name: 'Credential test',
	type: 'n8n-nodes-azure-blob-storage.azureBlobStorage',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

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
			timeout: TEST_LIMITS.requestTimeoutMs,
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
	// Known before any connection exists, so a secret typed into the wrong field is still hidden.
	let secrets: string[] = credentialSecrets(data);
	let connection: BlobStorageConnection | undefined;
	const deadline = new AbortController();
	const timer = setTimeout(() => deadline.abort(), TEST_DEADLINE_MS);
	attachLimits(deadline.signal, TEST_LIMITS);
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
		connection = connectWithCredentials(method, data, { limits: TEST_LIMITS });
		secrets = [...secrets, ...connection.secrets];
		const abortSignal = deadline.signal;
		if (connection.scopedContainer) {
			await connection.service.getContainerClient(connection.scopedContainer).listBlobsFlat({ abortSignal }).byPage({ maxPageSize: 1 }).next();
			return { status: 'OK', message: `Connected: container "${connection.scopedContainer}" can be listed` };
		}
		await connection.service.listContainers({ abortSignal }).byPage({ maxPageSize: 1 }).next();
		return { status: 'OK', message: `Connected to storage account "${connection.accountName}"` };
	} catch (error) {
		const entraId = entraIdFailureFrom(error);
		let message: string;
		if (entraId) {
			message = [entraId.message, entraId.description].filter(Boolean).join('. ');
		} else {
			const translated = toNodeError(TEST_NODE, error, {
				secrets,
				sas: connection?.sas,
				deadline: { fired: deadline.signal.aborted, timeoutMs: TEST_DEADLINE_MS },
			});
			// The dialog has no node options to raise: say what to check instead.
			const hint =
				error instanceof RequestTimeoutError
					? 'Check that the endpoint is the storage account\'s blob endpoint and that this n8n host can reach it'
					: String(translated.description ?? '').split('\n')[0];
			const code = (translated as { errorResponse?: { code?: unknown } }).errorResponse?.code;
			message = [translated.message, hint, typeof code === 'string' && `(${code})`].filter(Boolean).join('. ');
			if (deadline.signal.aborted) message = `The storage account did not answer within ${TEST_DEADLINE_MS / 1000} s. ${hint}`;
		}
		return { status: 'Error', message: redactSecrets(message, secrets) };
	} finally {
		clearTimeout(timer);
	}
}
