/**
 * The package's credentials in n8n's own HTTP Request node (Authentication: Predefined Credential
 * Type), in real n8n 2.41: every credential type lists containers from Azurite and uploads a blob
 * with a binary body; the Entra ID sign-in credential does so with an expired stored token, which
 * n8n refreshes on Azure's rejection and stores. n8n's "Allowed HTTP Request Domains", preset by
 * the credentials, blocks other hosts; the credentials' own `authenticate` refuses them too.
 */
import { request } from 'http';
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';

import { startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { trustCertificateInThisProcess } from '../helpers/tls';
import {
	azure,
	codeNode,
	createCredential,
	devEnv,
	e2e,
	execute,
	importWorkflows,
	rest,
	storedCredential,
	uniqueName,
	workflowId,
	type CredentialRef,
	type Execution,
	type WorkflowJson,
	type WorkflowNode,
} from './support';

const CLIENT_SECRET = 'e2e-http-node-client-secret-4f1c';

/** 32 KiB of a simple pattern, made by the workflow's Code nodes. */
function pattern(): Buffer {
	const bytes = Buffer.alloc(32768);
	for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + 5) % 251;
	return bytes;
}
const makePatternFile = `
const bytes = Buffer.alloc(32768);
for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + 5) % 251;
return [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'application/x-pattern', fileName: 'pattern.bin' } } }];
`;

function browserGet(url: string, cookies: string[] = []): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = { 'browser-id': 'n8n-runtime-e2e' };
		if (cookies.length) headers.cookie = cookies.join('; ');
		const req = request(url, { headers }, (res) => {
			let body = '';
			res.on('data', (chunk) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
		});
		req.on('error', reject);
		req.end();
	});
}

/** "Connect my account" as the editor does it: n8n's auth URL, the sign-in redirect, n8n's callback. */
async function connectMyAccount(credential: CredentialRef): Promise<void> {
	const auth = await browserGet(`${e2e().baseUrl}/rest/oauth2-credential/auth?id=${credential.id}`, [e2e().cookie]);
	if (auth.status !== 200) throw new Error(`oauth2-credential/auth answered ${auth.status}: ${auth.body}`);
	const cookies = [e2e().cookie, ...([] as string[]).concat(auth.headers['set-cookie'] ?? []).map((line) => line.split(';')[0])];
	const signIn = await browserGet(JSON.parse(auth.body).data);
	const done = await browserGet(String(signIn.headers.location), cookies);
	if (done.status !== 200 || /error/i.test(done.body)) throw new Error(`the OAuth2 callback failed: ${done.status} ${done.body.slice(0, 300)}`);
}

let position = 0;
function httpRequestNode(name: string, credential: CredentialRef, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	position += 1;
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [position * 200, 300],
		parameters: {
			authentication: 'predefinedCredentialType',
			nodeCredentialType: credential.type,
			...parameters,
			options: { response: { response: { fullResponse: true, responseFormat: 'text' } } },
		},
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
		...extra,
	};
}

function headers(values: Record<string, string>) {
	return Object.keys(values).length ? { sendHeaders: true, headerParameters: { parameters: Object.entries(values).map(([name, value]) => ({ name, value })) } } : {};
}

interface Branch {
	label: string;
	credential: CredentialRef;
	endpoint: string;
	container: string;
	/** Headers the workflow adds: the OAuth2 path of n8n cannot add x-ms-version for a credential. */
	headers: Record<string, string>;
}

/** Start -> for each credential: List containers -> Make file -> Put Blob; plus the refused requests. */
function workflowFor(branches: Branch[], refused: WorkflowNode[]): WorkflowJson {
	const start: WorkflowNode = { id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const nodes: WorkflowNode[] = [start];
	const connections: Record<string, unknown> = {};
	const link = (from: string, to: string[]) => {
		connections[from] = { main: [to.map((node) => ({ node, type: 'main', index: 0 }))] };
	};
	const firsts: string[] = [];
	for (const b of branches) {
		const list = httpRequestNode(`List (${b.label})`, b.credential, {
			method: 'GET',
			url: `${b.endpoint}/`,
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'comp', value: 'list' }, { name: 'prefix', value: b.container }] },
			...headers(b.headers),
		});
		const file = codeNode(`File (${b.label})`, makePatternFile);
		const upload = httpRequestNode(`Upload (${b.label})`, b.credential, {
			method: 'PUT',
			url: `${b.endpoint}/${b.container}/http-node/${b.label.replace(/\W+/g, '-').toLowerCase()}.bin`,
			...headers({ 'x-ms-blob-type': 'BlockBlob', ...b.headers }),
			sendBody: true,
			contentType: 'binaryData',
			inputDataFieldName: 'data',
		});
		nodes.push(list, file, upload);
		link(list.name, [file.name]);
		link(file.name, [upload.name]);
		firsts.push(list.name);
	}
	nodes.push(...refused);
	link(start.name, [...firsts, ...refused.map((n) => n.name)]);
	return { id: workflowId(), name: 'HTTP Request node with the package\'s credentials', nodes, connections, settings: { executionOrder: 'v1' }, active: false };
}

describe('n8n\'s HTTP Request node with the package\'s credentials', () => {
	let entra: MockEntraId;
	let untrust: () => void;
	let branches: Branch[];
	let run: Execution;
	let oauth2: CredentialRef;
	/** Access and refresh token n8n stored on "Connect my account" (already expired). */
	let connectTokens: string[];
	let sasSignature: string;
	const container = uniqueName('e2e-http');

	beforeAll(async () => {
		untrust = trustCertificateInThisProcess(readFileSync(e2e().certFile, 'utf8'));
		entra = await startMockEntraId();
		const { blobEndpoint, tlsBlobEndpoint } = e2e();
		await azure(blobEndpoint).createContainer(container);
		await azure(tlsBlobEndpoint).createContainer(container);

		const sas = generateAccountSASQueryParameters(
			{
				expiresOn: new Date(Date.now() + 3600_000),
				permissions: AccountSASPermissions.parse('rwlc'),
				resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
				services: AccountSASServices.parse('b').toString(),
			},
			new StorageSharedKeyCredential(devEnv.AZURITE_ACCOUNT, devEnv.AZURITE_KEY),
		).toString();
		sasSignature = new URLSearchParams(sas).get('sig')!;
		const entraFields = { tenantId: TENANT, clientSecret: CLIENT_SECRET, cloud: 'custom', endpoint: tlsBlobEndpoint, loginAuthority: entra.authority, storageAudience: 'https://storage.azure.com' };
		const [sharedKey, connectionString, sasUrl, clientCredentials] = await Promise.all([
			createCredential(uniqueName('HTTP node Shared Key'), 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(blobEndpoint)),
			createCredential(uniqueName('HTTP node connection string'), 'azureBlobStorageConnectionStringApi', {
				connectionString: `DefaultEndpointsProtocol=http;AccountName=${devEnv.AZURITE_ACCOUNT};AccountKey=${devEnv.AZURITE_KEY};BlobEndpoint=${blobEndpoint};`,
			}),
			createCredential(uniqueName('HTTP node SAS'), 'azureBlobStorageSasApi', { sasMode: 'sasUrl', sasUrl: `${blobEndpoint}/?${sas}` }),
			createCredential(uniqueName('HTTP node client credentials'), 'azureBlobStorageClientCredentialsOAuth2Api', { ...entraFields, clientId: 'e2e-http-app' }),
		]);
		oauth2 = await createCredential(uniqueName('HTTP node sign-in'), 'azureBlobStorageOAuth2Api', { ...entraFields, clientId: 'e2e-http-user-app', consentPrompt: 'consent' });
		// Signed in with a token that has already expired: the workflow's first request gets Azure's
		// rejection (Azurite: 403), n8n refreshes the token, retries, and stores the new one.
		entra.lifetimeSeconds = -60;
		await connectMyAccount(oauth2);
		connectTokens = [...entra.issuedTokens];
		entra.lifetimeSeconds = 3600;
		entra.requests.length = 0;

		const bearer = { 'x-ms-version': '2025-11-05' };
		branches = [
			{ label: 'Shared Key', credential: sharedKey, endpoint: blobEndpoint, container, headers: {} },
			{ label: 'Connection String', credential: connectionString, endpoint: blobEndpoint, container, headers: {} },
			{ label: 'SAS', credential: sasUrl, endpoint: blobEndpoint, container, headers: {} },
			{ label: 'Client Credentials', credential: clientCredentials, endpoint: tlsBlobEndpoint, container, headers: bearer },
			{ label: 'OAuth2', credential: oauth2, endpoint: tlsBlobEndpoint, container, headers: bearer },
		];
		const onError = { onError: 'continueRegularOutput' } as Partial<WorkflowNode>;
		const port = new URL(blobEndpoint).port;
		const refused = [
			httpRequestNode('Other host (Shared Key)', sharedKey, { method: 'GET', url: `http://localhost:${port}/devstoreaccount1/?comp=list` }, onError),
			httpRequestNode('Other host (SAS)', sasUrl, { method: 'GET', url: `http://localhost:${port}/devstoreaccount1/?comp=list` }, onError),
			httpRequestNode('Other host (OAuth2)', oauth2, { method: 'GET', url: `https://localhost:${new URL(tlsBlobEndpoint).port}/devstoreaccount1/?comp=list`, ...headers(bearer) }, onError),
		];
		const workflow = workflowFor(branches, refused);
		await importWorkflows([workflow]);
		run = await execute(workflow.id);
	});

	afterAll(async () => {
		await entra?.stop();
		untrust?.();
	});

	it('n8n offers the credentials under "Predefined Credential Type" (authenticate or extends oAuth2Api) and keeps their own domain settings', async () => {
		const types = (await rest<any[]>('GET', '/types/credentials.json')).filter((t) => t.name.startsWith('azureBlobStorage'));
		const byName = Object.fromEntries(types.map((t) => [t.name, t]));
		for (const name of ['azureBlobStorageSharedKeyApi', 'azureBlobStorageConnectionStringApi', 'azureBlobStorageSasApi']) {
			expect(byName[name].authenticate).toEqual({});
		}
		for (const name of ['azureBlobStorageOAuth2Api', 'azureBlobStorageClientCredentialsOAuth2Api']) {
			expect(byName[name].extends).toEqual(['oAuth2Api']);
		}
		for (const name of Object.keys(byName).filter((n) => !/Identity|Certificate/.test(n))) {
			// The editor's list: not hidden, not restricted to supported nodes (n8n-editor-ui CredentialsSelect).
			expect(byName[name].hidden).toBeFalsy();
			expect(byName[name].restrictToSupportedNodes).toBeFalsy();
			const domainFields = byName[name].properties.filter((p: any) => ['allowedHttpRequestDomains', 'allowedDomains'].includes(p.name));
			expect(domainFields.map((p: any) => [p.name, p.type])).toEqual([
				['allowedHttpRequestDomains', 'hidden'],
				['allowedDomains', 'hidden'],
			]);
		}
	});

	it('every credential lists the containers of its Azurite and uploads the file\'s exact bytes', async () => {
		expect(run.error).toBeUndefined();
		for (const b of branches) {
			const [listed] = run.items(`List (${b.label})`);
			expect([b.label, listed?.json.statusCode]).toEqual([b.label, 200]);
			// Response Format "Text" with the full response: the body is in "data".
			expect(listed.json.data).toContain(`<Name>${container}</Name>`);
			const [uploaded] = run.items(`Upload (${b.label})`);
			expect([b.label, uploaded?.json.statusCode]).toEqual([b.label, 201]);
			const blob = `http-node/${b.label.replace(/\W+/g, '-').toLowerCase()}.bin`;
			const stored = await azure(b.endpoint).getContainerClient(container).getBlobClient(blob);
			expect([b.label, (await stored.downloadToBuffer()).equals(pattern())]).toEqual([b.label, true]);
			expect((await stored.getProperties()).contentType).toBe('application/x-pattern');
		}
	});

	it('the sign-in credential\'s expired token was refreshed once by n8n and the new one stored', async () => {
		const refreshes = entra.requests.filter((r) => r.grant === 'refresh_token');
		expect(refreshes).toHaveLength(1);
		expect(connectTokens).toContain(refreshes[0].body.refresh_token);
		const stored = (await storedCredential(oauth2.id)).data.oauthTokenData;
		expect(connectTokens).not.toContain(stored.access_token);
		expect(entra.issuedTokens).toContain(stored.access_token);
		expect(entra.requests.filter((r) => r.grant === 'client_credentials')).toHaveLength(1);
	});

	it('a request for another host is refused: by the credential\'s authenticate (key, SAS) and by n8n\'s preset domain list (OAuth2)', () => {
		const port = new URL(e2e().blobEndpoint).port;
		const errorOf = (node: string) => JSON.stringify(run.items(node)[0]?.json.error ?? run.items(node)[0]?.json);
		expect(errorOf('Other host (Shared Key)')).toContain(`only signs requests for its storage account at ${e2e().blobEndpoint}, not for localhost:${port}`);
		expect(errorOf('Other host (SAS)')).toContain(`not for localhost:${port}`);
		expect(errorOf('Other host (OAuth2)')).toContain('Domain not allowed: This credential is restricted from accessing localhost');
	});

	it('no key, SAS signature, client secret or token appears in the run\'s output', () => {
		const secrets = [devEnv.AZURITE_KEY, sasSignature, encodeURIComponent(sasSignature), CLIENT_SECRET, ...entra.issuedTokens];
		const found = secrets.filter((s) => run.output.includes(s) || JSON.stringify(run.run ?? {}).includes(s));
		expect(found).toEqual([]);
	});
});
