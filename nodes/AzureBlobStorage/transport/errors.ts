/**
 * Turns whatever the Azure SDK or the network throws into an n8n error a no-code user can act
 * on: a one-line message naming the container or blob, a hint saying what to change, and
 * Azure's error code, HTTP status and request id for support. Secrets are removed from all text.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { redactSecrets } from './redact';
import type { SasFacts } from './endpoints';
import { EndpointError } from './endpoints';
import { entraIdFailureFrom } from './entraIdErrors';
import { formatSeconds, historyOf, InterruptedBodyError, lastBodyFailure, MAX_RETRY_AFTER_MS, RequestTimeoutError } from './policies';
import { IntegrityError, PartialUploadError } from './transfer';

/**
 * Azure's answer to a blob listing could not be read (not well-formed, cut short, not a List Blobs
 * document, or paging that would never end): never turned into a shorter list.
 */
export class BlobListFormatError extends Error {
	readonly description =
		'The answer was damaged or cut short on the way (a proxy, firewall or network fault), or the credential\'s endpoint is not an Azure Blob Storage endpoint. Run the node again; if it keeps failing, check the endpoint in the credential.';

	constructor(reason: string) {
		super(`Azure's blob list could not be read: ${reason}`);
		this.name = 'BlobListFormatError';
	}
}

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
	/** The request that failed, to tell which SAS permission it needed. */
	method?: string;
	url?: string;
}

interface RestErrorLike {
	name?: string;
	code?: string;
	statusCode?: number;
	message?: string;
	details?: { errorCode?: string; requestId?: string; message?: string };
	request?: { url?: string; method?: string; headers?: { get(name: string): string | undefined } };
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
		method: error.request?.method,
		url: error.request?.url,
	};
}

const SAS_PERMISSION_WORDS: Record<string, string> = {
	r: 'read',
	a: 'add',
	c: 'create',
	w: 'write',
	d: 'delete',
	x: 'delete version',
	y: 'permanent delete',
	l: 'list',
	t: 'tags',
	f: 'find by tags',
	m: 'move',
	e: 'execute',
	i: 'set immutability policy',
	u: 'update',
	p: 'process',
};

/** The SAS permission (sp letter) a Blob REST request needs, from its method and query. */
export function requiredSasPermission(method: string | undefined, url: string | undefined): string | undefined {
	if (!method || !url || !URL.canParse(url)) return undefined;
	const query = new URL(url).searchParams;
	const comp = query.get('comp') ?? '';
	const verb = method.toUpperCase();
	if (comp === 'tags') return 't';
	if (comp === 'blobs') return 'f';
	if (verb === 'DELETE') return 'd';
	if (verb === 'GET' || verb === 'HEAD') return comp === 'list' ? 'l' : 'r';
	if (verb === 'PUT' && query.get('restype') === 'container' && !comp) return 'c';
	if (verb === 'PUT' || verb === 'POST') return 'w';
	return undefined;
}

/** The resource type (account SAS srt letter) a request needs: service, container or object. */
function requiredSasResourceType(url: string | undefined): string | undefined {
	if (!url || !URL.canParse(url)) return undefined;
	const parsed = new URL(url);
	if (parsed.searchParams.get('comp') === 'list' && !parsed.searchParams.get('restype')) return 's';
	return parsed.searchParams.get('restype') === 'container' ? 'c' : 'o';
}

const SAS_REFUSALS = new Set([
	'AuthenticationFailed',
	'AuthorizationFailure',
	'AuthorizationPermissionMismatch',
	'AuthorizationResourceTypeMismatch',
	'AuthorizationServiceMismatch',
	'AuthorizationSourceIPMismatch',
	'AuthorizationProtocolMismatch',
]);

function permissionList(letters: string): string {
	const words = [...letters].map((l) => SAS_PERMISSION_WORDS[l] ?? l);
	return words.length ? words.join(', ') : 'nothing';
}

/**
 * Why Azure refused a request made with a SAS, read from what the SAS says about itself: expired,
 * not valid yet, a missing permission, a resource type it does not cover, an IP range. Azure's
 * own answer reads the same for all of them (and like a wrong key).
 */
export function explainSasRefusal(f: AzureFailure, sas: SasFacts, now = Date.now()): Explanation | undefined {
	if (f.statusCode !== 403 || (f.code && !SAS_REFUSALS.has(f.code))) return undefined;
	if (sas.expiresOn && sas.expiresOn.getTime() <= now) {
		return {
			message: `The SAS of the credential expired on ${sas.expiresOn.toISOString()}`,
			hint: 'Generate a new SAS with a later expiry time in the Azure portal ("Shared access signature" or the container\'s "Shared access tokens") and paste it into the credential.',
		};
	}
	if (sas.startsOn && sas.startsOn.getTime() > now) {
		return {
			message: `The SAS of the credential is not valid yet: it starts on ${sas.startsOn.toISOString()}`,
			hint: 'Wait until then, or generate a SAS whose start time is in the past (check also that this machine\'s clock is right).',
		};
	}
	const needed = requiredSasPermission(f.method, f.url);
	const has = sas.permissions;
	const covered = needed && (has.includes(needed) || (needed === 'w' && has.includes('c') && f.code !== 'AuthorizationPermissionMismatch'));
	if (needed && !covered) {
		return {
			message: `The SAS of the credential does not allow ${SAS_PERMISSION_WORDS[needed] ?? needed} (permission "${needed}"), which this operation needs`,
			hint: `The SAS allows: ${permissionList(has)}. Generate a SAS that also includes "${needed}" and update the credential.`,
		};
	}
	const resourceType = sas.resourceTypes !== undefined ? requiredSasResourceType(f.url) : undefined;
	if (resourceType && !sas.resourceTypes!.includes(resourceType)) {
		const word = { s: 'Service', c: 'Container', o: 'Object' }[resourceType];
		return {
			message: `The SAS of the credential does not cover the resource type "${word}" this operation works on`,
			hint: 'Create the account SAS with the allowed resource types Service, Container and Object.',
		};
	}
	if (sas.ipRange) {
		return {
			message: `Azure refused the SAS; it allows requests only from IP ${sas.ipRange}`,
			hint: 'Check that this n8n host\'s outgoing IP address is in that range, or generate a SAS without an IP restriction.',
		};
	}
	if (f.code === 'AuthorizationFailure' || f.code === 'AuthenticationFailed' || !f.code) {
		return {
			message: 'Azure did not accept the SAS signature of the credential',
			hint: 'The SAS may have been cut or changed when it was copied, or the account key that signed it was rotated. Generate a new SAS and paste it whole.',
		};
	}
	return undefined;
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
			return {
				message: `Blob ${blob} is leased`,
				hint: 'Give the lease\'s ID in the "Lease ID" option, or release or break the lease first (Blob > Lease), or wait until it expires.',
			};
		case 'InvalidRange':
			return {
				message: `The byte range is outside blob ${blob}`,
				hint: 'Range Start must be smaller than the blob\'s size (see "size" in Get Many); leave it at 0 to download from the beginning.',
			};
		case 'SnapshotsPresent':
			return {
				message: `Blob ${blob} has snapshots`,
				hint: 'Turn on "Delete Snapshots" to delete the blob together with its snapshots.',
			};
		case 'LeaseAlreadyPresent':
			return {
				message: `Blob ${blob} is already leased`,
				hint: 'Wait until the lease expires, use its lease ID (Lease > Renew or Release), or end it with Lease > Break.',
			};
		case 'LeaseNotPresentWithLeaseOperation':
		case 'LeaseNotPresentWithBlobOperation':
			return {
				message: `Blob ${blob} has no active lease`,
				hint: 'It expired, was released or was broken. Acquire a new lease (Blob > Lease), or leave Lease ID empty to write without one.',
			};
		case 'LeaseIdMismatchWithLeaseOperation':
			return {
				message: `The lease ID does not match the lease on blob ${blob}`,
				hint: 'Use the leaseId output by the Acquire (or Change) that took the current lease; if that lease expired or was released, acquire a new one.',
			};
		case 'LeaseIsBrokenAndCannotBeRenewed':
		case 'LeaseIsBreakingAndCannotBeChanged':
		case 'LeaseIsBreakingAndCannotBeAcquired':
			return {
				message: `The lease on blob ${blob} is broken or being broken`,
				hint: 'Wait for the break period to end, then acquire a new lease.',
			};
		case 'LeaseLost':
			return { message: `The lease on blob ${blob} was lost`, hint: 'It expired or was broken. Acquire a new lease.' };
		case 'BlobArchived':
			return {
				message: `Blob ${blob} is in the Archive tier and cannot be read or changed`,
				hint: 'Move it to Hot, Cool or Cold with Set Tier first; rehydration takes hours (High priority: usually under one).',
			};
		case 'BlobBeingRehydrated':
			return {
				message: `Blob ${blob} is being rehydrated from the Archive tier`,
				hint: 'Wait until rehydration ends (archiveStatus in Get Properties disappears), then try again.',
			};
		case 'InvalidBlobTier':
		case 'AccessTierNotSupportedForBlobType':
		case 'BlobTierInadequateForContentLength':
			return {
				message: `Azure refused that access tier for blob ${blob}`,
				hint: 'Hot, Cool, Cold and Archive apply to block blobs only (not append or page blobs), in general-purpose v2 or Blob Storage accounts.',
			};
		case 'InvalidBlobType':
			return {
				message: `Blob ${blob} is of another blob type than this operation needs`,
				hint: 'Append works only on append blobs, and tiers only on block blobs. Use another blob name.',
			};
		case 'AppendPositionConditionNotMet':
		case 'BlockCountExceedsLimit':
			return {
				message: `Azure refused to append to blob ${blob}`,
				hint: 'An append blob takes at most 50,000 blocks; start a new blob (e.g. one per day).',
			};
		case 'InvalidQueryParameterValue':
			if (!/[?&]comp=blobs\b/.test(f.url ?? '')) break;
			return {
				message: 'Azure refused a value in the request, such as the tag filter',
				hint: 'Tag filters look like "project" = \'alpha\' AND "stage" >= \'2\'.',
			};
		case 'FeatureNotSupported':
		case 'NotImplemented':
			return {
				message: 'This storage account or endpoint does not support this operation',
				hint: 'Undelete and deleted blobs need soft delete on the account, versions need versioning; emulators such as Azurite do not implement them.',
			};
		case 'ServerBusy':
		case 'OperationTimedOut':
		case 'InternalError':
			return {
				message: 'Azure Storage is busy or failed',
				hint: 'Azure asked to slow down or had an internal failure. The node retries such answers (Max Retries in the options); try again later, or enable "Retry On Fail" in the node settings.',
			};
	}
	const status = f.statusCode;
	if (status === 403) return { message: 'Azure refused the request (403 Forbidden)', hint: RBAC_HINT };
	if (status === 501) return explainFailure({ ...f, code: 'NotImplemented' });
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
	ECONNREFUSED: 'connection refused (nothing listens on that address and port)',
	ECONNRESET: 'the connection was reset',
	EPIPE: 'the connection was closed while sending',
	ETIMEDOUT: 'connection timed out',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EADDRNOTAVAIL: 'address not available',
};

function networkCode(error: unknown): string | undefined {
	const e = error as NetworkErrorLike;
	const code = e?.code ?? e?.cause?.code;
	if (code && /^(ENOTFOUND|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|EPROTO|ERR_SSL|ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO|HPE_)/.test(code)) {
		return code;
	}
	return undefined;
}

function hostOfError(error: unknown): string | undefined {
	const url = (error as { request?: { url?: string } } | undefined)?.request?.url;
	return url && URL.canParse(url) ? new URL(url).host : undefined;
}

/** "Tried 4 times" when a request was retried; the reader knows it was not a one-off. */
function triesNote(error: unknown): string {
	const tries = historyOf(error)?.tries ?? 1;
	return tries > 1 ? ` (tried ${tries} times)` : '';
}

/** One sentence for a network failure a no-code user can act on. */
function networkExplanation(code: string, message: string, host: string | undefined): Explanation {
	const where = host ? `the blob endpoint ${host}` : 'the blob endpoint';
	if (code === 'EPROTO' || code.startsWith('ERR_SSL') || /wrong version number|packet length too long|unknown protocol/i.test(message)) {
		return {
			message: `${where.charAt(0).toUpperCase()}${where.slice(1)} does not speak HTTPS on that port`,
			hint: 'The endpoint is probably plain HTTP (a local emulator such as Azurite without a certificate): use http:// with 127.0.0.1 or localhost, or give the emulator a certificate.',
		};
	}
	if (/CERT|SELF_SIGNED|DEPTH_ZERO|UNABLE_TO/.test(code)) {
		return {
			message: `The TLS certificate of ${where} is not trusted`,
			hint: 'Use the endpoint\'s real host name (the certificate must match it), or make n8n trust the certificate with NODE_EXTRA_CA_CERTS.',
		};
	}
	if (code.startsWith('HPE_')) {
		return {
			message: `${where.charAt(0).toUpperCase()}${where.slice(1)} answered with something that is not HTTP`,
			hint: 'Check the endpoint URL and port: it should be the storage account\'s blob endpoint.',
		};
	}
	const words = NETWORK_WORDS[code] ?? code.toLowerCase();
	const schemeHint =
		code === 'ECONNRESET' || /socket hang up/i.test(message)
			? ' If the endpoint only accepts HTTPS, make sure the URL starts with https://.'
			: '';
	return {
		message: `Could not reach ${where}: ${words}`,
		hint: `Check the account name, the cloud or custom endpoint in the credential, and that this n8n host can reach it.${schemeHint}`,
	};
}


/** An n8n error for a known Azure failure (from a response, or detected before sending). */
export function azureFailureError(node: INode, failure: AzureFailure, context: ErrorContext = {}, note = ''): NodeApiError {
	const clean = (text: string | undefined) => (text === undefined ? undefined : redactSecrets(text, context.secrets));
	const itemIndex = context.itemIndex;
	const explained = (context.sas && explainSasRefusal(failure, context.sas)) || explainFailure(failure);
	const message = explained.message + note;
	const hint = explained.hint;
	const facts = [
		failure.code && `Azure error code: ${failure.code}`,
		failure.statusCode && `HTTP status: ${failure.statusCode}`,
		failure.requestId && `request id: ${failure.requestId}`,
	]
		.filter(Boolean)
		.join(', ');
	const azureSays = failure.azureMessage && failure.azureMessage !== explained.message ? `Azure says: ${failure.azureMessage}` : '';
	const description = [hint, azureSays, facts].filter(Boolean).join('\n');
	const response: JsonObject = {
		code: failure.code ?? null,
		statusCode: failure.statusCode ?? null,
		requestId: failure.requestId ?? null,
		message: clean(message) ?? null,
	};
	const error = new NodeApiError(node, response, {
		message: clean(message),
		description: clean(description),
		httpCode: failure.statusCode ? String(failure.statusCode) : undefined,
		itemIndex,
	});
	return cleanStack(error, context.secrets);
}

export interface ErrorContext {
	itemIndex?: number;
	secrets?: readonly string[];
	/** The SAS of a SAS credential, to say why Azure refused it. */
	sas?: SasFacts;
	/** Set when the item's Operation Timeout has passed (its abort is that deadline, not a cancel). */
	deadline?: { fired: boolean; timeoutMs: number };
	/** The item's signal: it knows how the item's downloads broke off. */
	signal?: AbortSignal;
}

/** Removes secrets from an error's stack (it repeats the message as it was when created). */
function cleanStack<T extends Error>(error: T, secrets: readonly string[] | undefined): T {
	if (typeof error.stack === 'string') error.stack = redactSecrets(error.stack, secrets);
	return error;
}

/**
 * Cleans any thrown value's texts (message, description, stack, cause) in place and returns it,
 * for errors that are not translated here (e.g. about the credential, before a connection).
 */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
	const seen = new Set<unknown>();
	for (let e = error as Record<string, unknown> | undefined; e && typeof e === 'object' && !seen.has(e); e = e.cause as typeof e) {
		seen.add(e);
		for (const key of ['message', 'description', 'stack']) {
			if (typeof e[key] === 'string') {
				try {
					e[key] = redactSecrets(e[key] as string, secrets);
				} catch {
					// a read-only property: nothing to clean there
				}
			}
		}
	}
	return error;
}

/**
 * The single translation point from a thrown value to an n8n error. Errors that already are n8n
 * errors keep their text (with secrets removed).
 */
export function toNodeError(node: INode, error: unknown, context: ErrorContext = {}): NodeApiError | NodeOperationError {
	return cleanStack(translate(node, error, context), context.secrets);
}

function translate(node: INode, error: unknown, context: ErrorContext): NodeApiError | NodeOperationError {
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
			description: clean(error.description),
		});
	}
	if (error instanceof PartialUploadError) {
		const translated = translate(node, error.cause, context);
		const progress = `Nothing was committed: ${error.stagedBlocks} blocks (${error.uploadedBytes} bytes) had been staged and are discarded by Azure; an existing blob of that name is unchanged.`;
		translated.description = [translated.description, progress].filter(Boolean).join('\n');
		return translated;
	}
	if (error instanceof IntegrityError || error instanceof BlobListFormatError) {
		return new NodeOperationError(node, clean(error.message) ?? '', { itemIndex, description: clean(error.description) });
	}
	const e = error as NetworkErrorLike;
	if (e?.name === 'AbortError') {
		if (context.deadline?.fired) {
			return new NodeOperationError(
				node,
				`The operation did not finish within the Operation Timeout of ${formatMinutes(context.deadline.timeoutMs)}`,
				{ itemIndex, description: 'Raise "Operation Timeout (Seconds)" in the node\'s options for very large files or slow links.' },
			);
		}
		return new NodeOperationError(node, 'The execution was cancelled before the Azure request finished', { itemIndex });
	}
	if (error instanceof RequestTimeoutError) {
		return new NodeOperationError(node, `${error.message}${triesNote(error)}`, {
			itemIndex,
			description:
				'The endpoint did not answer, or the transfer stalled, for that long. Check that the credential points at the storage account\'s blob endpoint and that it is reachable; on a very slow link raise "Request Timeout (Seconds)" in the node\'s options.',
		});
	}
	if (isRestError(error) && error.statusCode) {
		const history = historyOf(error);
		let note = triesNote(error);
		if (history?.retryAfterMs !== undefined && history.retryAfterMs > MAX_RETRY_AFTER_MS) {
			note += `; Azure asked to wait ${formatSeconds(history.retryAfterMs)} before trying again, longer than the node waits`;
		}
		return azureFailureError(node, describeRestError(error), context, note);
	}
	const code = networkCode(error);
	if (code) {
		const explained = networkExplanation(code, e.message ?? '', hostOfError(error));
		return new NodeOperationError(node, clean(explained.message + triesNote(error)) ?? '', {
			itemIndex,
			description: clean(explained.hint),
		});
	}
	if (error instanceof InterruptedBodyError || /^Data corruption failure: received less data/.test(e?.message ?? '')) {
		const last = lastBodyFailure(context.signal);
		if (last instanceof RequestTimeoutError) {
			return new NodeOperationError(node, `${last.message}; the download was resumed and stalled again until the node gave up`, {
				itemIndex,
				description: 'The endpoint stopped sending the blob part-way, again after each resume. Check the network path to the storage account, or raise "Request Timeout (Seconds)" for a very slow link.',
			});
		}
		return new NodeOperationError(node, 'The download broke off and could not be resumed', {
			itemIndex,
			description: clean(`The connection was lost several times during the download; the node resumed from where it stopped each time and then gave up. Run it again. (${e?.message ?? ''})`),
		});
	}
	const text = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, clean(text) ?? 'Unknown error', { itemIndex });
}

function formatMinutes(ms: number): string {
	const minutes = ms / 60_000;
	return minutes >= 1 && Number.isInteger(minutes) ? `${minutes} min (${formatSeconds(ms)})` : formatSeconds(ms);
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
