/**
 * Turns whatever the Azure SDK or the network throws into an n8n error a no-code user can act
 * on: a one-line message naming the container or blob, a hint saying what to change, and
 * Azure's error code, HTTP status and request id for support. Secrets are removed from all text.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { redactSecrets } from './redact';
import { EndpointError } from './endpoints';
import { entraIdFailureFrom } from './entraIdErrors';
import { PartialUploadError } from './transfer';

/** Invalid input detected by the package before any request; names the field and the fix. */
export class InputError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
	}
}

export interface AzureFailure {
	code?: string;
	statusCode?: number;
	requestId?: string;
	azureMessage?: string;
	container?: string;
	blob?: string;
	host?: string;
}

interface RestErrorLike {
	name?: string;
	code?: string;
	statusCode?: number;
	message?: string;
	details?: { errorCode?: string; requestId?: string; message?: string };
	request?: { url?: string; headers?: { get(name: string): string | undefined } };
	response?: { headers?: { get(name: string): string | undefined } };
}

function isRestError(error: unknown): error is RestErrorLike {
	return (
		typeof error === 'object' &&
		error !== null &&
		((error as RestErrorLike).name === 'RestError' || typeof (error as RestErrorLike).statusCode === 'number')
	);
}

/** Container and blob names from a request URL (virtual-host or path-style). */
function targetFromUrl(value: string | undefined): Pick<AzureFailure, 'container' | 'blob' | 'host'> {
	if (!value) return {};
	try {
		const url = new URL(value);
		const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
		const pathStyle = /^[\d.]+$|^localhost$|^\[/.test(url.hostname);
		const [container, ...blob] = pathStyle ? segments.slice(1) : segments;
		return { host: url.host, container, blob: blob.length ? blob.join('/') : undefined };
	} catch {
		return {};
	}
}

export function describeRestError(error: RestErrorLike): AzureFailure {
	const details = error.details ?? {};
	const header = (name: string) => error.response?.headers?.get(name);
	// Azure's message body starts with a sentence and then "RequestId:...\nTime:..." lines.
	const azureMessage = (details.message ?? error.message ?? '').split('\n')[0].replace(/RequestId:.*$/, '').trim();
	return {
		code: details.errorCode ?? header('x-ms-error-code') ?? error.code,
		statusCode: error.statusCode,
		requestId: details.requestId ?? header('x-ms-request-id'),
		azureMessage,
		...targetFromUrl(error.request?.url),
	};
}

interface Explanation {
	message: string;
	hint?: string;
}

const RBAC_HINT =
	'With Entra ID (OAuth2 or client credentials) the signed-in identity needs a data role on the storage account or container: "Storage Blob Data Contributor" to write or delete, "Storage Blob Data Reader" to read and list (Owner/Contributor alone are not enough). With a SAS, create it with the permissions this operation needs (read, add, create, write, delete, list, tag).';

/** A user-facing sentence per Azure error code. */
export function explainFailure(f: AzureFailure): Explanation {
	// Azurite answers a bad signature with AuthorizationFailure but Azure's authentication text.
	if (f.code === 'AuthorizationFailure' && /failed to authenticate/i.test(f.azureMessage ?? '')) {
		return explainFailure({ ...f, code: 'AuthenticationFailed' });
	}
	const container = f.container ? `"${f.container}"` : 'the container';
	const blob = f.blob ? `"${f.blob}"` : 'the blob';
	switch (f.code) {
		case 'ContainerNotFound':
			return {
				message: `Container ${container} does not exist in this storage account`,
				hint: 'Check the container name (names are lower case), or create it first with Container > Create.',
			};
		case 'BlobNotFound':
			return {
				message: `Blob ${blob} does not exist in container ${container}`,
				hint: 'Check the blob name: it is case-sensitive and includes any folder prefix, e.g. "reports/2024/jan.csv".',
			};
		case 'BlobAlreadyExists':
			return {
				message: `Blob ${blob} already exists in container ${container}`,
				hint: 'Set "If Blob Exists" to "Overwrite" to replace it or "Skip" to leave it as it is.',
			};
		case 'ContainerAlreadyExists':
			return {
				message: `Container ${container} already exists`,
				hint: 'Set "If Container Exists" to "Skip" to go on without an error.',
			};
		case 'ContainerBeingDeleted':
			return {
				message: `Container ${container} is being deleted`,
				hint: 'Azure needs about 30 seconds after deleting a container before a container with that name can be created again.',
			};
		case 'AuthenticationFailed':
		case 'InvalidAuthenticationInfo':
			return {
				message: 'Azure rejected the credential: the signature or token is not valid',
				hint: 'Check the account name and key (or regenerate the SAS / reconnect the OAuth2 credential). An expired SAS or a clock far off on this machine also causes this.',
			};
		case 'AuthorizationPermissionMismatch':
			return { message: 'The credential is not allowed to do this operation', hint: RBAC_HINT };
		case 'AuthorizationResourceTypeMismatch':
			return {
				message: 'The SAS does not cover this kind of resource',
				hint: 'Create the account SAS with the resource types Service, Container and Object allowed.',
			};
		case 'AuthorizationFailure':
			return {
				message: 'Azure refused the request for this credential',
				hint: 'The storage account firewall or network rules may block this n8n host, or the SAS lacks a permission or has expired.',
			};
		case 'AuthorizationSourceIPMismatch':
			return { message: 'The SAS does not allow requests from this IP address', hint: 'Widen the SAS IP range.' };
		case 'AccountIsDisabled':
			return { message: 'The storage account is disabled' };
		case 'KeyBasedAuthenticationNotPermitted':
			return {
				message: 'The storage account does not allow Shared Key authorization',
				hint: 'Use an Entra ID credential (OAuth2 or client credentials), or enable "Allow storage account key access" on the account.',
			};
		case 'ConditionNotMet':
			return {
				message: `Blob ${blob} changed or already exists, so the conditional request was not applied`,
				hint: 'Another writer changed the blob at the same time, or it exists and "If Blob Exists" does not allow overwriting.',
			};
		case 'CannotVerifyCopySource':
			return {
				message: 'Azure could not read the Source URL',
				hint: 'Azure fetches the source itself: use a public URL, or a blob URL with a SAS that allows read and has not expired.',
			};
		case 'CopyFailed':
			return {
				message: `The copy into blob ${blob} did not complete`,
				hint: 'The source may have changed or become unreadable during the copy. Run it again.',
			};
		case 'InvalidResourceName':
			return { message: 'Azure rejected the container or blob name', hint: 'Container names: 3-63 lower-case letters, digits, single hyphens.' };
		case 'LeaseIdMissing':
		case 'LeaseIdMismatchWithBlobOperation':
			return { message: `Blob ${blob} is leased`, hint: 'Release or break the lease first, or wait until it expires.' };
		case 'SnapshotsPresent':
			return {
				message: `Blob ${blob} has snapshots`,
				hint: 'Turn on "Delete Snapshots" to delete the blob together with its snapshots.',
			};
		case 'ServerBusy':
		case 'OperationTimedOut':
		case 'InternalError':
			return {
				message: 'Azure Storage is busy or failed; the request was retried and still failed',
				hint: 'Try again later, or enable "Retry On Fail" in the node settings.',
			};
	}
	const status = f.statusCode;
	if (status === 403) return { message: 'Azure refused the request (403 Forbidden)', hint: RBAC_HINT };
	if (status === 404) {
		return {
			message: f.container ? `Container ${container} or blob ${blob} was not found` : 'Not found',
			hint: 'Check the container and blob names.',
		};
	}
	return { message: f.azureMessage || `Azure Storage request failed${status ? ` with HTTP ${status}` : ''}` };
}

interface NetworkErrorLike {
	code?: string;
	name?: string;
	message?: string;
	cause?: { code?: string };
}

// n8n rewrites messages that contain raw codes like ECONNREFUSED, so say them in words.
const NETWORK_WORDS: Record<string, string> = {
	ENOTFOUND: 'host name not found',
	EAI_AGAIN: 'host name lookup failed',
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ETIMEDOUT: 'connection timed out',
	EHOSTUNREACH: 'host unreachable',
};

function networkCode(error: unknown): string | undefined {
	const e = error as NetworkErrorLike;
	const code = e?.code ?? e?.cause?.code;
	if (code && /^(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code)) {
		return code;
	}
	return undefined;
}


/** An n8n error for a known Azure failure (from a response, or detected before sending). */
export function azureFailureError(node: INode, failure: AzureFailure, context: ErrorContext = {}): NodeApiError {
	const clean = (text: string | undefined) => (text === undefined ? undefined : redactSecrets(text, context.secrets));
	const itemIndex = context.itemIndex;
	const { message, hint } = explainFailure(failure);
	const facts = [
		failure.code && `Azure error code: ${failure.code}`,
		failure.statusCode && `HTTP status: ${failure.statusCode}`,
		failure.requestId && `request id: ${failure.requestId}`,
	]
		.filter(Boolean)
		.join(', ');
	const azureSays = failure.azureMessage && failure.azureMessage !== message ? `Azure says: ${failure.azureMessage}` : '';
	const description = [hint, azureSays, facts].filter(Boolean).join('\n');
	const response: JsonObject = {
		code: failure.code ?? null,
		statusCode: failure.statusCode ?? null,
		requestId: failure.requestId ?? null,
		message: clean(message) ?? null,
	};
	return new NodeApiError(node, response, {
		message: clean(message),
		description: clean(description),
		httpCode: failure.statusCode ? String(failure.statusCode) : undefined,
		itemIndex,
	});
}

export interface ErrorContext {
	itemIndex?: number;
	secrets?: readonly string[];
}

/**
 * The single translation point from a thrown value to an n8n error. Errors that already are n8n
 * errors keep their text (with secrets removed).
 */
export function toNodeError(node: INode, error: unknown, context: ErrorContext = {}): NodeApiError | NodeOperationError {
	const clean = (text: string | undefined) => (text === undefined ? undefined : redactSecrets(text, context.secrets));
	const itemIndex = context.itemIndex;

	// Before the n8n-error case: n8n's own "needs to be reconnected" error is reworded too.
	const entraId = entraIdFailureFrom(error);
	if (entraId) {
		return new NodeOperationError(node, clean(entraId.message) ?? '', {
			itemIndex,
			description: clean(entraId.description),
		});
	}

	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.message = clean(error.message) ?? '';
		if (error.description) error.description = clean(error.description) ?? null;
		return error;
	}
	if (error instanceof InputError || error instanceof EndpointError) {
		return new NodeOperationError(node, clean(error.message) ?? '', {
			itemIndex,
			description: clean((error as InputError).description),
		});
	}
	if (error instanceof PartialUploadError) {
		const translated = toNodeError(node, error.cause, context);
		const progress = `Nothing was committed: ${error.stagedBlocks} blocks (${error.uploadedBytes} bytes) had been staged and are discarded by Azure.`;
		translated.description = [translated.description, progress].filter(Boolean).join('\n');
		return translated;
	}
	const e = error as NetworkErrorLike;
	if (e?.name === 'AbortError') {
		return new NodeOperationError(node, 'The execution was cancelled before the Azure request finished', { itemIndex });
	}
	if (isRestError(error) && error.statusCode) {
		return azureFailureError(node, describeRestError(error), context);
	}
	const code = networkCode(error);
	if (code) {
		const message = code.startsWith('CERT_') || /CERT|SELF_SIGNED|DEPTH_ZERO/.test(code)
			? 'The TLS certificate of the blob endpoint is not trusted'
			: `Could not reach the blob endpoint: ${NETWORK_WORDS[code] ?? code.toLowerCase()}`;
		return new NodeOperationError(node, message, {
			itemIndex,
			description: clean(
				'Check the account name, the cloud or custom endpoint in the credential, and that this n8n host can reach it. ' +
					(e.message ?? ''),
			),
		});
	}
	const text = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, clean(text) ?? 'Unknown error', { itemIndex });
}

/** The fields an output item carries for a failed item when "Continue On Fail" is on. */
export function errorItemJson(error: NodeApiError | NodeOperationError): JsonObject {
	const json: JsonObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError) {
		const ctx = (error as unknown as { errorResponse?: JsonObject }).errorResponse;
		if (error.httpCode) json.httpCode = error.httpCode;
		if (ctx?.code) json.code = ctx.code;
		if (ctx?.requestId) json.requestId = ctx.requestId;
	}
	return json;
}
