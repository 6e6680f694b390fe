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

export class EndpointError extends Error {}

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

function parseHttpUrl(value: string, what: string): URL {
	const url = URL.canParse(value.trim()) ? new URL(value.trim()) : undefined;
	if (!url) throw new EndpointError(`${what} "${value}" is not a URL (expected https://...)`);
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new EndpointError(`${what} must start with https:// (or http:// for a local emulator)`);
	}
	return url;
}

/** The account-level blob endpoint, without trailing slash or query. */
export function blobEndpointFor(accountName: string, cloud: AzureCloud | 'custom', customEndpoint?: string): string {
	if (cloud === 'custom') {
		const url = parseHttpUrl(customEndpoint ?? '', 'Blob Endpoint');
		url.search = '';
		url.hash = '';
		return url.toString().replace(/\/+$/, '');
	}
	const endpoints = CLOUDS[cloud];
	if (!endpoints) throw new EndpointError(`Unknown cloud "${cloud}"`);
	return `https://${accountName}.${endpoints.blobSuffix}`;
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
	const url = parseHttpUrl(value, 'SAS URL');
	const sasToken = url.search.replace(/^\?/, '');
	if (!/(^|&)sig=/.test(sasToken)) {
		throw new EndpointError('SAS URL has no signature (sig=...): copy the whole "Blob SAS URL" from the portal');
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

/** Normalises a pasted SAS token: strips a leading "?" and checks it carries a signature. */
export function normalizeSasToken(token: string): string {
	const trimmed = token.trim().replace(/^\?/, '');
	if (!/(^|&)sig=/.test(trimmed)) {
		throw new EndpointError('SAS Token has no signature (sig=...): paste the whole token, starting with sv=');
	}
	return trimmed;
}

export interface BlobUrlParts {
	endpoint: string;
	accountName: string;
	container: string;
	blobName: string;
}

/** Parses a blob URL (virtual-host or path-style) into its parts; the query (a SAS) is ignored. */
export function parseBlobUrl(value: string): BlobUrlParts {
	const url = parseHttpUrl(value, 'Blob URL');
	const pathStyle = isPathStyleHost(url.hostname);
	const raw = url.pathname.replace(/^\//, '');
	const parts = raw.split('/');
	const accountName = pathStyle ? decodeURIComponent(parts.shift() ?? '') : url.hostname.split('.')[0];
	const container = decodeURIComponent(parts.shift() ?? '');
	const blobName = parts.map((p) => decodeURIComponent(p)).join('/');
	if (!container || !blobName) {
		throw new EndpointError(`Blob URL "${url.origin}${url.pathname}" has no container and blob name in its path`);
	}
	const endpoint = `${url.protocol}//${url.host}${pathStyle ? `/${encodeURIComponent(accountName)}` : ''}`;
	return { endpoint, accountName, container, blobName };
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
