/**
 * Every blob and container operation as a saved n8n workflow, run with `n8n execute` in the real
 * n8n, once signed in with Shared Key (Azurite over HTTP) and once with Entra ID client
 * credentials (Azurite over HTTPS with `--oauth basic`, tokens from a loopback OAuth2 server that
 * n8n itself calls). State is prepared and checked directly in Azurite, not through n8n.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import { readFileSync } from 'fs';

import { startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { trustCertificateInThisProcess } from '../helpers/tls';
import {
	azure,
	blobStorageNode,
	byName,
	codeNode,
	createCredential,
	devEnv,
	e2e,
	execute,
	importWorkflows,
	linearWorkflow,
	uniqueName,
	type CredentialRef,
	type WorkflowJson,
} from './support';

/** The bytes the upload workflow's Code node makes: 64 KiB of a simple pattern. */
function pattern(size = 65536): Buffer {
	const bytes = Buffer.alloc(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) % 251;
	return bytes;
}

const makePatternFile = `
const bytes = Buffer.alloc(65536);
for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 251;
return [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'application/octet-stream', fileName: 'pattern.bin' } } }];
`;

const reportDownloadedBytes = `
const buffer = await this.helpers.getBinaryDataBuffer(0, 'data');
const binary = $input.first().binary.data;
return [{ json: { base64: buffer.toString('base64'), fileName: binary.fileName, mimeType: binary.mimeType } }];
`;

interface Setup {
	credential: CredentialRef;
	endpoint: string;
	entra?: MockEntraId;
}

function operationsSuite(label: string, prefix: string, setUp: () => Promise<Setup>, tearDown: () => Promise<void>) {
	describe(label, () => {
		let setup: Setup;
		let storage: BlobServiceClient;
		const blobContainer = uniqueName(`${prefix}-blobs`);
		const newContainer = uniqueName(`${prefix}-new`);
		const doomedContainer = uniqueName(`${prefix}-doomed`);
		const downloadContent = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 256));
		const workflows: Record<string, WorkflowJson> = {};

		beforeAll(async () => {
			setup = await setUp();
			storage = azure(setup.endpoint);
			await storage.createContainer(blobContainer);
			await storage.createContainer(doomedContainer);
			const c = setup.credential;
			workflows.createContainer = linearWorkflow(`${label}: create container`, [
				blobStorageNode('Create container', c, { resource: 'container', operation: 'create', containerName: newContainer, ifExists: 'fail' }),
			]);
			workflows.listContainers = linearWorkflow(`${label}: list containers`, [
				blobStorageNode('List containers', c, { resource: 'container', operation: 'getAll', prefix: `${prefix}-`, returnAll: true, options: {} }),
			]);
			workflows.deleteContainer = linearWorkflow(`${label}: delete container`, [
				blobStorageNode('Delete container', c, { resource: 'container', operation: 'delete', container: byName(doomedContainer), options: {} }),
			]);
			workflows.upload = linearWorkflow(`${label}: upload blob`, [
				codeNode('Make a file', makePatternFile),
				blobStorageNode('Upload blob', c, {
					resource: 'blob',
					operation: 'upload',
					container: byName(blobContainer),
					blobName: 'upload/pattern.bin',
					inputDataType: 'binary',
					binaryPropertyName: 'data',
					ifExists: 'fail',
					options: {},
				}),
			]);
			workflows.list = linearWorkflow(`${label}: list blobs`, [
				blobStorageNode('List blobs', c, { resource: 'blob', operation: 'getAll', container: byName(blobContainer), prefix: 'list/', returnAll: true, options: {} }),
			]);
			workflows.download = linearWorkflow(`${label}: download blob`, [
				blobStorageNode('Download blob', c, {
					resource: 'blob',
					operation: 'download',
					container: byName(blobContainer),
					blob: byName('download/data.bin'),
					binaryPropertyName: 'data',
					options: {},
				}),
				codeNode('Read bytes', reportDownloadedBytes),
			]);
			workflows.deleteBlob = linearWorkflow(`${label}: delete blob`, [
				blobStorageNode('Delete blob', c, { resource: 'blob', operation: 'delete', container: byName(blobContainer), blob: byName('delete/me.txt'), options: {} }),
			]);
			await importWorkflows(Object.values(workflows));
		});

		afterAll(async () => {
			await tearDown();
		});

		it('Container > Create: the new container exists in Azure and the item says created', async () => {
			const run = await execute(workflows.createContainer.id);
			expect(run.error).toBeUndefined();
			expect(run.items('Create container')).toEqual([
				{ json: expect.objectContaining({ name: newContainer, created: true, url: `${setup.endpoint}/${newContainer}` }), pairedItem: { item: 0 } },
			]);
			expect(await storage.getContainerClient(newContainer).exists()).toBe(true);
		});

		it('Container > Get Many: lists the containers with the prefix, one item each', async () => {
			const run = await execute(workflows.listContainers.id);
			expect(run.error).toBeUndefined();
			const names = run.items('List containers').map((i) => i.json.name);
			expect(names).toEqual(expect.arrayContaining([blobContainer, doomedContainer]));
			expect(names.every((n: string) => n.startsWith(`${prefix}-`))).toBe(true);
		});

		it('Blob > Upload: the blob in Azure holds exactly the bytes of the input file', async () => {
			const run = await execute(workflows.upload.id);
			expect(run.error).toBeUndefined();
			expect(run.items('Upload blob')[0].json).toMatchObject({ name: 'upload/pattern.bin', container: blobContainer, size: 65536 });
			const stored = await storage.getContainerClient(blobContainer).getBlobClient('upload/pattern.bin').downloadToBuffer();
			expect(stored.equals(pattern())).toBe(true);
		});

		it('Blob > Get Many: lists only the blobs under the prefix', async () => {
			const container = storage.getContainerClient(blobContainer);
			for (const name of ['list/a.txt', 'list/b.txt', 'elsewhere.txt']) {
				await container.getBlockBlobClient(name).uploadData(Buffer.from(name));
			}
			const run = await execute(workflows.list.id);
			expect(run.error).toBeUndefined();
			expect(run.items('List blobs').map((i) => [i.json.name, i.json.size])).toEqual([
				['list/a.txt', 10],
				['list/b.txt', 10],
			]);
		});

		it('Blob > Download: the binary output holds the blob\'s bytes, name and type', async () => {
			await storage
				.getContainerClient(blobContainer)
				.getBlockBlobClient('download/data.bin')
				.uploadData(downloadContent, { blobHTTPHeaders: { blobContentType: 'application/x-e2e' } });
			const run = await execute(workflows.download.id);
			expect(run.error).toBeUndefined();
			expect(run.items('Download blob')[0].json).toMatchObject({ name: 'download/data.bin', size: 50_000 });
			const read = run.items('Read bytes')[0].json;
			expect(read).toMatchObject({ fileName: 'data.bin', mimeType: 'application/x-e2e' });
			expect(Buffer.from(read.base64, 'base64').equals(downloadContent)).toBe(true);
		});

		it('Blob > Delete: the blob is gone from Azure and the item says deleted', async () => {
			const blob = storage.getContainerClient(blobContainer).getBlockBlobClient('delete/me.txt');
			await blob.uploadData(Buffer.from('bye'));
			const run = await execute(workflows.deleteBlob.id);
			expect(run.error).toBeUndefined();
			expect(run.items('Delete blob')[0].json).toMatchObject({ name: 'delete/me.txt', deleted: true });
			expect(await blob.exists()).toBe(false);
		});

		it('Container > Delete: the container is gone from Azure', async () => {
			const run = await execute(workflows.deleteContainer.id);
			expect(run.error).toBeUndefined();
			expect(run.items('Delete container')[0].json).toMatchObject({ name: doomedContainer, deleted: true });
			expect(await storage.getContainerClient(doomedContainer).exists()).toBe(false);
		});

		if (prefix === 'e2e-cc') {
			it('signs in as the application: n8n asked the token endpoint with client credentials for the storage scope', () => {
				const grants = setup.entra!.requests.filter((r) => r.grant === 'client_credentials');
				expect(grants.length).toBeGreaterThanOrEqual(1);
				expect(grants[0].body).toMatchObject({ client_id: 'e2e-app', scope: 'https://storage.azure.com/.default' });
				expect(setup.entra!.requests.filter((r) => r.grant !== 'client_credentials')).toEqual([]);
			});
		}
	});
}

operationsSuite(
	'Shared Key',
	'e2e-sk',
	async () => {
		const endpoint = e2e().blobEndpoint;
		const credential = await createCredential(uniqueName('Shared Key'), 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(endpoint));
		return { credential, endpoint };
	},
	async () => {},
);

let entra: MockEntraId | undefined;
let untrust: (() => void) | undefined;
operationsSuite(
	'Client credentials (Entra ID service principal)',
	'e2e-cc',
	async () => {
		// This test process talks to the HTTPS Azurite directly too (to prepare and check state).
		untrust = trustCertificateInThisProcess(readFileSync(e2e().certFile, 'utf8'));
		entra = await startMockEntraId();
		const endpoint = e2e().tlsBlobEndpoint;
		const credential = await createCredential(uniqueName('Client credentials'), 'azureBlobStorageClientCredentialsOAuth2Api', {
			tenantId: TENANT,
			clientId: 'e2e-app',
			clientSecret: 'e2e-app-secret',
			cloud: 'custom',
			endpoint,
			loginAuthority: entra.authority,
			storageAudience: 'https://storage.azure.com',
		});
		return { credential, endpoint, entra };
	},
	async () => {
		await entra?.stop();
		untrust?.();
	},
);
