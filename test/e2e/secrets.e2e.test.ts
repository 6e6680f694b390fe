/**
 * Secrets never reach what n8n prints or stores as results: the account key, a SAS signature, a
 * client secret and every token the identity provider issued are searched for in the CLI's
 * output (run data included, at debug log level) and in the n8n server's log, after workflows
 * that succeed and workflows that fail with Azure and Entra errors.
 */
import { readFileSync } from 'fs';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';

import { startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { trustCertificateInThisProcess } from '../helpers/tls';
import { blobStorageNode, byName, codeNode, createCredential, devEnv, e2e, importWorkflows, linearWorkflow, uniqueName, type WorkflowJson } from './support';

const CLIENT_SECRET = 'cs-7Q~do-not-print-this-secret-9f3b';
const WRONG_KEY = Buffer.alloc(64, 0x5a).toString('base64');

const makeFile = `return [{ json: {}, binary: { data: { data: Buffer.from('secret-free content').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } } }];`;

describe('secrets in output and logs', () => {
	let entra: MockEntraId;
	let untrust: () => void;
	let sasSignature: string;
	const outputs: string[] = [];
	const container = uniqueName('e2e-secrets');

	beforeAll(async () => {
		untrust = trustCertificateInThisProcess(readFileSync(e2e().certFile, 'utf8'));
		entra = await startMockEntraId();
		const sas = generateAccountSASQueryParameters(
			{
				expiresOn: new Date(Date.now() + 3600_000),
				permissions: AccountSASPermissions.parse('rwdlac'),
				resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
				services: AccountSASServices.parse('b').toString(),
			},
			new StorageSharedKeyCredential(devEnv.AZURITE_ACCOUNT, devEnv.AZURITE_KEY),
		).toString();
		sasSignature = new URLSearchParams(sas).get('sig')!;

		const sharedKey = await createCredential(uniqueName('Shared Key'), 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(e2e().blobEndpoint));
		const wrongKey = await createCredential(uniqueName('Wrong key'), 'azureBlobStorageSharedKeyApi', {
			...devEnv.sharedKeyCredentialData(e2e().blobEndpoint),
			accountKey: WRONG_KEY,
		});
		const sasCredential = await createCredential(uniqueName('SAS'), 'azureBlobStorageSasApi', {
			sasMode: 'sasUrl',
			sasUrl: `${e2e().blobEndpoint}/?${sas}`,
		});
		const servicePrincipal = {
			tenantId: TENANT,
			clientId: 'e2e-secrets-app',
			clientSecret: CLIENT_SECRET,
			cloud: 'custom',
			endpoint: e2e().tlsBlobEndpoint,
			loginAuthority: entra.authority,
			storageAudience: 'https://storage.azure.com',
		};
		const clientCredentials = await createCredential(uniqueName('Client credentials'), 'azureBlobStorageClientCredentialsOAuth2Api', servicePrincipal);
		// A second one, never used before, so its first token request is the one Entra rejects below.
		const neverConnected = await createCredential(
			uniqueName('Client credentials (rejected)'),
			'azureBlobStorageClientCredentialsOAuth2Api',
			servicePrincipal,
		);
		const continueOnFail = { onError: 'continueRegularOutput' };
		const workflows: WorkflowJson[] = [
			linearWorkflow('secrets: shared key round trip and a missing blob', [
				blobStorageNode('Create', sharedKey, { resource: 'container', operation: 'create', containerName: container, ifExists: 'skip' }),
				codeNode('File', makeFile),
				blobStorageNode('Upload', sharedKey, { resource: 'blob', operation: 'upload', container: byName(container), blobName: 'a.txt', ifExists: 'overwrite' }),
				{ ...blobStorageNode('Missing', sharedKey, { resource: 'blob', operation: 'download', container: byName(container), blob: byName('nope.txt') }), ...continueOnFail },
			]),
			linearWorkflow('secrets: wrong account key', [
				blobStorageNode('List', wrongKey, { resource: 'container', operation: 'getAll', returnAll: true }),
			]),
			linearWorkflow('secrets: SAS list and a missing blob', [
				blobStorageNode('List', sasCredential, { resource: 'blob', operation: 'getAll', container: byName(container), returnAll: true }),
				blobStorageNode('Missing', sasCredential, { resource: 'blob', operation: 'delete', container: byName(container), blob: byName('nope.txt') }),
			]),
			linearWorkflow('secrets: client credentials, a missing container, then a listing', [
				{
					...blobStorageNode('Missing', clientCredentials, { resource: 'blob', operation: 'getAll', container: byName('no-such-container'), returnAll: true }),
					...continueOnFail,
				},
				blobStorageNode('List', clientCredentials, { resource: 'container', operation: 'getAll', returnAll: true }),
			]),
		];
		await importWorkflows(workflows);
		const env = { ...e2e().n8nEnv, N8N_LOG_LEVEL: 'debug' };
		for (const workflow of workflows) {
			const result = await devEnv.executeWithCli(e2e().userFolder, workflow.id, env);
			outputs.push(`${result.stdout}\n${result.stderr}`);
		}
		// Entra rejects the secret on this last run: its error text must not carry the secret either.
		entra.fail('client_credentials', {
			status: 401,
			body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' },
		});
		const rejected = linearWorkflow('secrets: rejected client secret', [
			blobStorageNode('List', neverConnected, { resource: 'container', operation: 'getAll', returnAll: true }),
		]);
		await importWorkflows([rejected]);
		const result = await devEnv.executeWithCli(e2e().userFolder, rejected.id, env);
		outputs.push(`${result.stdout}\n${result.stderr}`);
	});

	afterAll(async () => {
		await entra?.stop();
		untrust?.();
	});

	it('the runs did what they should (so the outputs are worth searching)', () => {
		expect(outputs).toHaveLength(5);
		expect(outputs[0]).toContain(`Blob \\"nope.txt\\" does not exist in container \\"${container}\\"`);
		expect(outputs[1]).toContain('Azure rejected the credential');
		expect(outputs[2]).toContain('nope.txt');
		expect(outputs[3]).toContain('Container \\"no-such-container\\" does not exist');
		expect(outputs[4]).toContain('Microsoft Entra ID rejected the client secret');
		expect(entra.issuedTokens.length).toBeGreaterThan(0);
	});

	it('no account key, SAS signature, client secret or issued token appears in the CLI output or the server log', () => {
		const everything = [...outputs, readFileSync(e2e().logFile, 'utf8')].join('\n');
		const secrets: Record<string, string> = {
			'account key': devEnv.AZURITE_KEY,
			'wrong account key': WRONG_KEY,
			'SAS signature': sasSignature,
			'SAS signature (URL-encoded)': encodeURIComponent(sasSignature),
			'client secret': CLIENT_SECRET,
			...Object.fromEntries(entra.issuedTokens.map((token, i) => [`issued token ${i + 1}`, token])),
		};
		const found = Object.entries(secrets)
			.filter(([, value]) => everything.includes(value))
			.map(([what]) => what);
		expect(found).toEqual([]);
	});
});
