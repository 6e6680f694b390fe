/**
 * Pure functions that turn what a user typed (account name + cloud, an endpoint, a SAS URL, a
 * blob URL, a connection string) into the URLs the Azure SDK needs. No I/O here.
 */

export type AzureCloud = 'azurePublic' | 'azureUsGovernment' | 'azureChina';

export interface CloudEndpoints {
	blobSuffix: string;
	loginHost: string;
	storageResource: string;
}

export const CLOUDS: Record<AzureCloud, CloudEndpoints> = {
	azurePublic: {
		blobSuffix: 'blob.core.windows.net',
		loginHost: 'login.microsoftonline.com',
		storageResource: 'https://storage.azure.com',
	},
	azureUsGovernment: {
		blobSuffix: 'blob.core.usgovcloudapi.net',
		loginHost: 'login.microsoftonline.us',
		storageResource: 'https://storage.azure.com',
	},
	azureChina: {
		blobSuffix: 'blob.core.chinacloudapi.cn',
		loginHost: 'login.chinacloudapi.cn',
		storageResource: 'https://storage.azure.com',
	},
};

export class EndpointError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
	}
}

const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export function accountNameProblem(name: string): string | undefined {
	if (name === '') return 'is empty';
	if (!ACCOUNT_NAME.test(name)) {
		return `"${name}" is not a storage account name: 3 to 24 lower-case letters and digits`;
	}
	return undefined;
}

/**
 * Hosts where the account name is the first path segment instead of a sub-domain:
 * IP addresses (Azurite, private setups) and localhost.
 */
export function isPathStyleHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '');
	return (
		/^\d{1,3}(\.\d{1,3}){3}$/.test(host) ||
		host.includes(':') ||
		host === 'localhost' ||
		host === 'host.docker.internal'
	);
}

/** Loopback hosts: the only ones plain http:// is allowed to (a local emulator such as Azurite). */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/**
 * The instance owner can allow plain http:// to other hosts (a Docker network with Azurite in
 * another container) with this environment variable; keys and tokens then travel unencrypted.
 */
export const ALLOW_HTTP_ENV = 'N8N_AZURE_BLOB_ALLOW_HTTP';

function httpAllowedEverywhere(): boolean {
	return /^(true|1|yes)$/i.test(process.env[ALLOW_HTTP_ENV] ?? '');
}

function parseHttpUrl(value: string, what: string): URL {
	const url = URL.canParse(value.trim()) ? new URL(value.trim()) : undefined;
	if (!url) throw new EndpointError(`${what} "${value}" is not a URL (expected https://...)`);
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new EndpointError(`${what} must start with https:// (or http:// for a local emulator)`);
	}
	if (url.username || url.password) throw new EndpointError(`${what} must not contain a user name or password`);
	return url;
}

/** An endpoint the credential may send its key or token to: https, or http on loopback only. */
function parseEndpointUrl(value: string, what: string): URL {
	const url = parseHttpUrl(value, what);
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !httpAllowedEverywhere()) {
		throw new EndpointError(
			`${what} uses http:// to ${url.host}; only https:// is allowed except for a local emulator on this machine (127.0.0.1 or localhost)`,
			`Keys, SAS signatures and tokens would travel unencrypted. Use https://, or let the n8n administrator set ${ALLOW_HTTP_ENV}=true for an emulator on a private network.`,
		);
	}
	return url;
}

/** The account-level blob endpoint, without trailing slash or query. */
export function blobEndpointFor(accountName: string, cloud: AzureCloud | 'custom', customEndpoint?: string): string {
	if (cloud === 'custom') {
		const url = parseEndpointUrl(customEndpoint ?? '', 'Blob Endpoint');
		url.search = '';
		url.hash = '';
		const endpoint = url.toString().replace(/\/+$/, '');
		assertAccountInPath(url, 'Blob Endpoint');
		return endpoint;
	}
	const endpoints = CLOUDS[cloud];
	if (!endpoints) throw new EndpointError(`Unknown cloud "${cloud}"`);
	return `https://${accountName}.${endpoints.blobSuffix}`;
}

/** IP-address and localhost endpoints carry the account as the first path segment: require it. */
function assertAccountInPath(url: URL, what: string): void {
	if (!isPathStyleHost(url.hostname)) return;
	const account = url.pathname.split('/').filter((s) => s !== '')[0];
	if (!account) {
		throw new EndpointError(
			`${what} ${url.origin} has no account name in its path`,
			`An IP-address or localhost endpoint names the account in the path, e.g. ${url.origin}/devstoreaccount1 for Azurite.`,
		);
	}
}

const AZURE_BLOB_SUFFIXES = Object.values({
	azurePublic: 'blob.core.windows.net',
	azureUsGovernment: 'blob.core.usgovcloudapi.net',
	azureChina: 'blob.core.chinacloudapi.cn',
});

/**
 * A credential's account name and endpoint must name the same account: the first path segment
 * of a path-style endpoint, or the first label of an Azure blob host. Custom domains cannot be
 * checked and are accepted.
 */
export function accountEndpointProblem(accountName: string, endpoint: string): string | undefined {
	const url = parseHttpUrl(endpoint, 'Blob Endpoint');
	let named: string | undefined;
	if (isPathStyleHost(url.hostname)) named = decodeURIComponent(url.pathname.split('/').filter((s) => s !== '')[0] ?? '');
	else if (AZURE_BLOB_SUFFIXES.some((suffix) => url.hostname.toLowerCase().endsWith(`.${suffix}`))) {
		named = url.hostname.split('.')[0].toLowerCase();
	}
	if (named !== undefined && named !== accountName) {
		return `Account Name "${accountName}" does not match the endpoint ${url.origin}${url.pathname.replace(/\/+$/, '')}, which is for account "${named}"`;
	}
	return undefined;
}

/** Account name implied by an endpoint: the first host label, or the first path segment on path-style hosts. */
export function accountNameFromUrl(value: string): string {
	const url = parseHttpUrl(value, 'URL');
	if (isPathStyleHost(url.hostname)) return decodeURIComponent(url.pathname.split('/')[1] ?? '');
	return url.hostname.split('.')[0];
}

export interface SplitSasUrl {
	/** account endpoint, no query */
	endpoint: string;
	/** set when the SAS URL points at one container (a container SAS) */
	container?: string;
	/** query string without the leading "?" */
	sasToken: string;
}

/** Splits an account or container SAS URL into endpoint, container and token. */
export function splitSasUrl(value: string): SplitSasUrl {
	const url = parseEndpointUrl(value, 'SAS URL');
	assertAccountInPath(url, 'SAS URL');
	const sasToken = url.search.replace(/^\?/, '');
	if (!/(^|&)sig=/.test(sasToken)) {
		throw new EndpointError('SAS URL has no signature (no "sig" parameter): copy the whole "Blob SAS URL" from the portal');
	}
	const segments = url.pathname.split('/').filter((s) => s !== '');
	const accountSegments = isPathStyleHost(url.hostname) ? 1 : 0;
	const base = `${url.protocol}//${url.host}${accountSegments ? `/${segments[0] ?? ''}` : ''}`;
	const container = segments[accountSegments];
	if (segments.length > accountSegments + 1) {
		throw new EndpointError(
			'SAS URL points at a blob; use an account SAS URL or a container SAS URL (no blob name in the path)',
		);
	}
	return { endpoint: base, container: container ? decodeURIComponent(container) : undefined, sasToken };
}

/** Checks an endpoint a credential will send its secret to (https except loopback, account path). */
export function checkEndpoint(value: string, what: string): string {
	const url = parseEndpointUrl(value, what);
	assertAccountInPath(url, what);
	url.search = '';
	url.hash = '';
	return url.toString().replace(/\/+$/, '');
}

/** Normalises a pasted SAS token: strips a leading "?" and checks it carries a signature. */
export function normalizeSasToken(token: string): string {
	const trimmed = token.trim().replace(/^\?/, '');
	if (!/(^|&)sig=/.test(trimmed)) {
		throw new EndpointError('SAS Token has no signature (no "sig" parameter): paste the whole token, starting with sv=');
	}
	const query = new URLSearchParams(trimmed);
	if (!query.get('sv') || (!query.get('sp') && !query.get('si'))) {
		throw new EndpointError(
			'SAS Token is incomplete: it has no version (sv) or permissions (sp)',
			'Paste the whole token as the portal shows it, starting with sv= and ending with the sig= part.',
		);
	}
	return trimmed;
}

export interface BlobUrlParts {
	endpoint: string;
	accountName: string;
	container: string;
	blobName: string;
}

/**
 * Parses a blob URL (virtual-host or path-style) into its parts; the query (a SAS) is ignored.
 * The path is read as typed: a URL parser would resolve "." and ".." segments and turn "\\" into
 * "/" before we could see them, and so pick another blob than the one written.
 */
export function parseBlobUrl(value: string): BlobUrlParts {
	const text = value.trim();
	const url = parseHttpUrl(text, 'Blob URL');
	const rawPath = /^[a-z]+:\/\/[^/?#\\]*([^?#]*)/i.exec(text)?.[1] ?? '';
	if (rawPath.includes('\\')) {
		throw new EndpointError('Blob URL has a backslash (\\) in its path, which URLs turn into "/"; write "/" between folders');
	}
	const pathStyle = isPathStyleHost(url.hostname);
	let parts: string[];
	try {
		parts = rawPath.replace(/^\//, '').split('/').map((p) => decodeURIComponent(p));
	} catch {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a pure parser; the router turns it into a NodeOperationError
		throw new EndpointError('Blob URL has a broken %-escape in its path (a "%" not followed by two hex digits); write "%25" for a "%" in a name');
	}
	const accountName = pathStyle ? (parts.shift() ?? '') : url.hostname.split('.')[0];
	const container = parts.shift() ?? '';
	const blobName = parts.join('/');
	if (!container || !blobName) {
		throw new EndpointError(`Blob URL "${url.origin}${url.pathname}" has no container and blob name in its path`);
	}
	const endpoint = `${url.protocol}//${url.host}${pathStyle ? `/${encodeURIComponent(accountName)}` : ''}`;
	return { endpoint, accountName, container, blobName };
}

/** What a SAS token says about itself: scope, permissions, validity, network limits. */
export interface SasFacts {
	/** Permission letters (sp), e.g. "rl". */
	permissions: string;
	expiresOn?: Date;
	startsOn?: Date;
	/** Account SAS: the resource types it covers (srt: s, c, o). */
	resourceTypes?: string;
	/** Service SAS: what it was issued for (sr: c = container, b = blob...). */
	resource?: string;
	ipRange?: string;
	protocol?: string;
}

export function parseSasToken(token: string): SasFacts {
	const query = new URLSearchParams(token.replace(/^\?/, ''));
	const date = (name: string) => {
		const value = query.get(name);
		const parsed = value ? Date.parse(value) : NaN;
		return Number.isFinite(parsed) ? new Date(parsed) : undefined;
	};
	return {
		permissions: query.get('sp') ?? '',
		expiresOn: date('se'),
		startsOn: date('st'),
		resourceTypes: query.get('srt') ?? undefined,
		resource: query.get('sr') ?? undefined,
		ipRange: query.get('sip') ?? undefined,
		protocol: query.get('spr') ?? undefined,
	};
}

/** Parses "Key=Value;Key=Value" into a map with lower-cased keys. Values keep any "=" they contain. */
export function parseConnectionString(connectionString: string): Record<string, string> {
	const result: Record<string, string> = {};
	for (const part of connectionString.split(';')) {
		const trimmed = part.trim();
		if (!trimmed) continue;
		const eq = trimmed.indexOf('=');
		if (eq <= 0) continue;
		result[trimmed.slice(0, eq).toLowerCase()] = trimmed.slice(eq + 1);
	}
	return result;
}
