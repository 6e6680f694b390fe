/**
 * Shared pieces of the "Trust" suites (bad input, names): every credential variant with the
 * secrets it holds, SAS tokens with chosen flaws, loopback servers that refuse or never answer,
 * a guard that blocks (and records) any connection to a non-loopback address, and the checks
 * every bad-input case makes (error class, message, duration, no secret anywhere).
 */
import {
	AccountSASPermissions,
	AccountSASResourceTypes,
	AccountSASServices,
	ContainerSASPermissions,
	generateAccountSASQueryParameters,
	generateBlobSASQueryParameters,
	StorageSharedKeyCredential,
} from '@azure/storage-blob';
import net from 'net';
import type { AddressInfo } from 'net';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, INodeExecutionData } from 'n8n-workflow';

import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../helpers/azurite';
import { runNode, type RunResult } from '../helpers/engine';
import { blobEndpoint, credentialCases, sharedKey, type CredentialCase } from '../helpers/fixtures';

export const TENANT = '11111111-2222-4333-8444-555555555555';

/** A key of the right shape that is not Azurite's (64 bytes, base64). */
export const OTHER_KEY = Buffer.alloc(64, 0x5a).toString('base64');
/** Entra ID client secrets look like this ("xyz8Q~" + 34 characters). */
export const CLIENT_SECRET = 'Tz_8Q~abcdefghijklmnopqrstuvwxyz0123456789';

function base64url(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped access token (never sent anywhere: the cases using it fail before any request). */
export function fakeJwt(subject = 'user'): string {
	const now = Math.floor(Date.now() / 1000);
	return [
		base64url({ alg: 'RS256', typ: 'JWT' }),
		base64url({ iss: `https://sts.windows.net/${TENANT}/`, aud: 'https://storage.azure.com', sub: subject, iat: now, nbf: now, exp: now + 3600 }),
		Buffer.from(`signature-of-${subject}-0123456789`).toString('base64url'),
	].join('.');
}

export interface Cred extends CredentialCase {
	/** false: only cases that fail before any request may use it (Entra ID without a token server). */
	canReachAzurite: boolean;
}

export type CredKey = 'sharedKey' | 'connString' | 'sasConnString' | 'sasUrl' | 'sasToken' | 'oAuth2' | 'clientCreds';
export const CRED_KEYS: CredKey[] = ['sharedKey', 'connString', 'sasConnString', 'sasUrl', 'sasToken', 'oAuth2', 'clientCreds'];

/**
 * The five credential variants of the fixtures plus the two Entra ID ones (with a stored token),
 * each with every secret it holds, pointed at `endpoint` (Azurite, or a proxy in front of it).
 */
export function allCredentials(endpoint = blobEndpoint()): Record<CredKey, Cred> {
	const base = credentialCases().map((c): Cred => {
		const extra: string[] = [AZURITE_KEY];
		const data: ICredentialDataDecryptedObject = {};
		for (const [key, value] of Object.entries(c.data)) {
			data[key] = typeof value === 'string' ? value.split(blobEndpoint()).join(endpoint) : value;
			if (typeof value === 'string' && /sig=/.test(value)) extra.push(value.slice(value.indexOf('sv=')));
		}
		return { ...c, data, secrets: [...new Set([...c.secrets, ...extra])], canReachAzurite: true };
	});
	const accessToken = fakeJwt('delegated');
	const refreshToken = `0.ARrefresh-${'r'.repeat(40)}`;
	const appToken = fakeJwt('app');
	const entra = (type: string, authentication: string, label: string, token: string, refresh?: string): Cred => ({
		label,
		authentication,
		type,
		data: {
			tenantId: TENANT,
			clientId: 'app-client-id',
			clientSecret: CLIENT_SECRET,
			cloud: 'custom',
			loginAuthority: 'http://127.0.0.1:9',
			endpoint,
			oauthTokenData: { access_token: token, ...(refresh ? { refresh_token: refresh } : {}), token_type: 'Bearer', expires_in: 3600 },
		},
		secrets: [CLIENT_SECRET, token, ...(refresh ? [refresh] : []), AZURITE_KEY],
		canReachAzurite: false,
	});
	return {
		sharedKey: base[0],
		connString: base[1],
		sasConnString: base[2],
		sasUrl: base[3],
		sasToken: base[4],
		oAuth2: entra('azureBlobStorageOAuth2Api', 'oAuth2', 'OAuth2 (stored token)', accessToken, refreshToken),
		clientCreds: entra('azureBlobStorageClientCredentialsOAuth2Api', 'clientCredentials', 'client credentials (stored token)', appToken),
	};
}

export interface SasOptions {
	permissions?: string;
	resourceTypes?: string;
	expiresOn?: Date;
	startsOn?: Date;
	key?: StorageSharedKeyCredential;
}

export function accountSas(options: SasOptions = {}): string {
	return generateAccountSASQueryParameters(
		{
			expiresOn: options.expiresOn ?? new Date(Date.now() + 3600_000),
			startsOn: options.startsOn,
			permissions: AccountSASPermissions.parse(options.permissions ?? 'rwdlacupt'),
			resourceTypes: AccountSASResourceTypes.parse(options.resourceTypes ?? 'sco').toString(),
			services: AccountSASServices.parse('b').toString(),
		},
		options.key ?? sharedKey,
	).toString();
}

export function containerSas(container: string, options: SasOptions = {}): string {
	return generateBlobSASQueryParameters(
		{
			containerName: container,
			permissions: ContainerSASPermissions.parse(options.permissions ?? 'racwdlt'),
			expiresOn: options.expiresOn ?? new Date(Date.now() + 3600_000),
			startsOn: options.startsOn,
		},
		options.key ?? sharedKey,
	).toString();
}

function signatureSecrets(token: string): string[] {
	const sig = new URLSearchParams(token).get('sig') ?? '';
	return [token, sig, encodeURIComponent(sig), AZURITE_KEY];
}

export type SasForm = 'SAS URL' | 'endpoint + SAS token' | 'SAS connection string';
export const SAS_FORMS: SasForm[] = ['SAS URL', 'endpoint + SAS token', 'SAS connection string'];

/** A credential carrying `token` in one of the three ways a SAS can be entered. */
export function sasCredential(token: string, form: SasForm, container?: string, endpoint = blobEndpoint()): Cred {
	const secrets = signatureSecrets(token);
	if (form === 'SAS URL') {
		return {
			label: `${form}${container ? ' (container)' : ''}`,
			authentication: 'sas',
			type: 'azureBlobStorageSasApi',
			data: { sasMode: 'sasUrl', sasUrl: `${endpoint}/${container ?? ''}?${token}` },
			secrets,
			canReachAzurite: true,
		};
	}
	if (form === 'endpoint + SAS token') {
		return {
			label: form,
			authentication: 'sas',
			type: 'azureBlobStorageSasApi',
			data: { sasMode: 'endpointAndToken', endpoint, sasToken: token },
			secrets,
			canReachAzurite: true,
		};
	}
	return {
		label: form,
		authentication: 'connectionString',
		type: 'azureBlobStorageConnectionStringApi',
		data: { connectionString: `BlobEndpoint=${endpoint};SharedAccessSignature=${token}` },
		secrets,
		canReachAzurite: true,
	};
}

export function sharedKeyCredential(data: Partial<Record<string, string>>, extraSecrets: string[] = []): Cred {
	return {
		label: 'Shared Key',
		authentication: 'sharedKey',
		type: 'azureBlobStorageSharedKeyApi',
		data: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, cloud: 'custom', endpoint: blobEndpoint(), ...data } as ICredentialDataDecryptedObject,
		secrets: [AZURITE_KEY, ...extraSecrets],
		canReachAzurite: true,
	};
}

export function connectionStringCredential(connectionString: string, extraSecrets: string[] = []): Cred {
	return {
		label: 'connection string',
		authentication: 'connectionString',
		type: 'azureBlobStorageConnectionStringApi',
		data: { connectionString },
		secrets: [AZURITE_KEY, ...extraSecrets],
		canReachAzurite: true,
	};
}

/* ---------------------------------------------------------------- network */

export interface BlockedConnection {
	host: string;
	port: unknown;
}

const blocked: BlockedConnection[] = [];
let restoreGuard: (() => void) | undefined;

function isLoopback(host: string | undefined): boolean {
	if (host === undefined || host === '') return true;
	const h = host.replace(/^\[|\]$/g, '').toLowerCase();
	return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * Blocks every TCP/TLS connection to a non-loopback host in this process (before any DNS lookup
 * or packet), and records it: the tests assert the list stays empty.
 */
export function installNetworkGuard(): void {
	if (restoreGuard) return;
	const original = net.Socket.prototype.connect;
	net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
		const first = args[0];
		let host: string | undefined;
		let port: unknown;
		let isPath = false;
		if (typeof first === 'object' && first !== null) {
			// net.connect() hands over its normalized arguments as [options, callback].
			const o = ((Array.isArray(first) ? first[0] : first) ?? {}) as { host?: string; port?: unknown; path?: string };
			host = o.host;
			port = o.port;
			isPath = typeof o.path === 'string';
		} else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
			port = first;
			host = typeof args[1] === 'string' ? args[1] : undefined;
		} else if (typeof first === 'string') {
			isPath = true;
		}
		if (!isPath && !isLoopback(host)) {
			blocked.push({ host: String(host), port });
			const error = Object.assign(new Error(`test guard: connection to ${host} blocked`), { code: 'ECONNREFUSED' });
			process.nextTick(() => this.destroy(error));
			return this;
		}
		return (original as (...a: unknown[]) => net.Socket).apply(this, args);
	} as typeof net.Socket.prototype.connect;
	restoreGuard = () => {
		net.Socket.prototype.connect = original;
		restoreGuard = undefined;
	};
}

export function uninstallNetworkGuard(): void {
	restoreGuard?.();
}

/** Connections to non-loopback hosts attempted since the last call (and forgets them). */
export function takeBlockedConnections(): BlockedConnection[] {
	return blocked.splice(0, blocked.length);
}

/** A loopback port where nothing listens (connection refused). */
export async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

export interface SilentServer {
	port: number;
	/** How many connections it accepted. */
	accepted(): number;
	close(): Promise<void>;
}

/** Accepts TCP connections and never answers. */
export async function silentServer(): Promise<SilentServer> {
	const sockets = new Set<net.Socket>();
	let count = 0;
	const server = net.createServer((socket) => {
		count++;
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as AddressInfo).port,
		accepted: () => count,
		close: async () => {
			for (const s of sockets) s.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

export interface PassThrough {
	/** `endpoint` with the host and port of the pass-through. */
	endpoint: string;
	close(): Promise<void>;
}

/**
 * A plain TCP pass-through to the host of `endpoint` on a new loopback port: every connection
 * made to it is a new connection to the target, so a request sent there never reuses a pooled
 * keep-alive socket (a stale one is reset, and the credential Test makes a single try).
 */
export async function tcpPassThrough(endpoint: string): Promise<PassThrough> {
	const target = new URL(endpoint);
	const sockets = new Set<net.Socket>();
	const server = net.createServer((client) => {
		const upstream = net.connect(Number(target.port), target.hostname);
		for (const s of [client, upstream]) {
			sockets.add(s);
			s.on('error', () => {
				client.destroy();
				upstream.destroy();
			});
			s.on('close', () => sockets.delete(s));
		}
		client.pipe(upstream).pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = new URL(endpoint);
	url.port = String((server.address() as AddressInfo).port);
	return {
		endpoint: url.toString().replace(/\/+$/, ''),
		close: async () => {
			for (const s of sockets) s.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/* ---------------------------------------------------------------- running and checking */

export type ErrorClass = 'NodeOperationError' | 'NodeApiError';

export interface Outcome {
	result: RunResult;
	ms: number;
}

export async function runWith(
	cred: Pick<Cred, 'type' | 'data' | 'authentication'>,
	parameters: Record<string, unknown>,
	extra: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
): Promise<Outcome> {
	const started = Date.now();
	const result = await runNode({
		credentials: { [cred.type]: cred.data },
		parameters: { authentication: cred.authentication, ...parameters } as never,
		...extra,
	});
	return { result, ms: Date.now() - started };
}

/**
 * Every text the run exposes: output items, and the error's message, description, stack and
 * other fields. The error's `node` (the node as configured, parameters included) is left out:
 * n8n attaches it to every node error, and it holds whatever the user typed into the parameters,
 * which is the workflow itself, not something the node revealed.
 */
export function exposedTexts(result: RunResult): Record<string, string> {
	const error = result.error as Record<string, unknown> | undefined;
	const { node: _node, ...fields } = error ?? {};
	return {
		items: JSON.stringify(result.items),
		message: String(error?.message ?? ''),
		description: String(error?.description ?? ''),
		stack: String(error?.stack ?? ''),
		error: JSON.stringify(fields),
	};
}

export function expectNoSecrets(texts: Record<string, string>, secrets: readonly string[]): void {
	for (const secret of secrets.filter((s) => s && s.length >= 6)) {
		for (const [where, text] of Object.entries(texts)) {
			if (text.includes(secret)) {
				throw new Error(`secret ${JSON.stringify(secret.slice(0, 12))}... appears in ${where}: ${text.slice(0, 400)}`);
			}
		}
	}
}

export interface ExpectedFailure {
	kind: ErrorClass;
	message: RegExp;
	description?: RegExp;
	maxMs: number;
	httpCode?: string;
}

/** The error class n8n recorded (its `name`), with NodeApiError's httpCode as a cross-check. */
export function errorClassOf(result: RunResult): string | undefined {
	const error = result.error as { name?: string } | undefined;
	return error?.name;
}

export function expectFailure(outcome: Outcome, expected: ExpectedFailure, secrets: readonly string[]): void {
	const { result, ms } = outcome;
	if (!result.error) throw new Error(`expected an error, got items ${JSON.stringify(result.items).slice(0, 300)}`);
	expect({ kind: errorClassOf(result), message: result.error.message }).toEqual({ kind: expected.kind, message: expect.stringMatching(expected.message) });
	if (expected.kind === 'NodeApiError') expect(result.error.httpCode).toBe(expected.httpCode ?? '403');
	else expect(result.error.httpCode ?? null).toBeNull();
	if (expected.description) expect(String(result.error.description ?? '')).toMatch(expected.description);
	expect(ms).toBeLessThan(expected.maxMs);
	expectNoSecrets(exposedTexts(result), secrets);
}

/* ---------------------------------------------------------------- credential Test dialog */

const node = new AzureBlobStorage();

export async function credentialDialog(cred: Pick<Cred, 'type' | 'data'>): Promise<{ status: string; message: string; ms: number }> {
	const started = Date.now();
	const test = node.methods.credentialTest.azureBlobStorageCredentialTest;
	const result = await test.call({} as ICredentialTestFunctions, { id: '1', name: 'trust', type: cred.type, data: structuredClone(cred.data) });
	return { status: result.status, message: result.message, ms: Date.now() - started };
}
