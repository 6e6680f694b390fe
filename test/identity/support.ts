/**
 * What the identity tests share: running the node in n8n's engine with one of the three
 * identity credentials, the tour of every operation, the credential Test, environment
 * variables set for one test file, and the check that no secret reaches the user.
 */
import { randomBytes } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { CredentialTestContext } from 'n8n-core';

import { testBlobStorageCredential } from '../../nodes/AzureBlobStorage/methods/credentialTest';
import { runNode, type RunResult } from '../helpers/engine';
import { byName, fileItem, sha256 } from '../helpers/params';

export const MANAGED_IDENTITY = 'azureBlobStorageManagedIdentityApi';
export const WORKLOAD_IDENTITY = 'azureBlobStorageWorkloadIdentityApi';
export const CLIENT_CERTIFICATE = 'azureBlobStorageClientCertificateApi';

const AUTHENTICATION: Record<string, string> = {
	[MANAGED_IDENTITY]: 'managedIdentity',
	[WORKLOAD_IDENTITY]: 'workloadIdentity',
	[CLIENT_CERTIFICATE]: 'clientCertificate',
};

export const ALLOW_ENV = 'N8N_AZURE_BLOB_ALLOW_HOST_IDENTITY';

export async function run(
	type: string,
	data: ICredentialDataDecryptedObject,
	parameters: Record<string, unknown>,
	items?: RunResult['items'],
): Promise<RunResult> {
	return await runNode({
		credentials: { [type]: data },
		parameters: { authentication: AUTHENTICATION[type], ...parameters } as never,
		items,
	});
}

/** The credential dialog's Test, as n8n calls it. */
export async function credentialTest(type: string, data: ICredentialDataDecryptedObject) {
	return await testBlobStorageCredential.call(new CredentialTestContext(), { id: '1', name: 'test', type, data });
}

/** Sets environment variables for this test file; returns the undo. */
export function setEnv(values: Record<string, string | undefined>): () => void {
	const before = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
	const apply = (v: Record<string, string | undefined>) => {
		for (const [k, value] of Object.entries(v)) {
			if (value === undefined) delete process.env[k];
			else process.env[k] = value;
		}
	};
	apply(values);
	return () => apply(before);
}

/** Every secret the test knows must be absent from items, errors and descriptions. */
export function expectNoSecrets(result: RunResult, secrets: string[]): void {
	const text = JSON.stringify([result.items, result.error, result.error?.message, result.error?.description, (result.error as { stack?: string })?.stack]);
	for (const secret of secrets.filter((s) => s.length >= 6)) expect(text).not.toContain(secret);
}

export function uploadText(container: string, blobName: string, text: string) {
	return { resource: 'blob', operation: 'upload', container: byName(container), blobName, inputDataType: 'text', textContent: text };
}

export const listContainers = { resource: 'container', operation: 'getAll', returnAll: true };

/**
 * Creates a container, lists it, uploads a file, lists blobs, downloads identical bytes, deletes
 * the blob and the container: each step one execution, as a user would run them.
 */
export async function everyOperation(
	type: string,
	data: ICredentialDataDecryptedObject,
	secrets: () => string[],
	label: string,
): Promise<RunResult[]> {
	const container = `${label}-${randomBytes(3).toString('hex')}`;
	const results: RunResult[] = [];
	async function step(parameters: Record<string, unknown>, items?: RunResult['items']) {
		const result = await run(type, data, parameters, items);
		expect(result.error).toBeUndefined();
		results.push(result);
		return result;
	}

	const created = await step({ resource: 'container', operation: 'create', containerName: container });
	expect(created.items[0].json).toMatchObject({ name: container, created: true });

	const containers = await step({ resource: 'container', operation: 'getAll', prefix: container, returnAll: true });
	expect(containers.items.map((i) => i.json.name)).toEqual([container]);

	const content = Buffer.from('id,amount\n1,20\n'.repeat(500));
	const uploaded = await step({ resource: 'blob', operation: 'upload', container: byName(container), blobName: 'in/q1.csv' }, [
		fileItem(content, 'q1.csv', 'text/csv'),
	]);
	expect(uploaded.items[0].json).toMatchObject({ name: 'in/q1.csv', size: content.length });

	const blobs = await step({ resource: 'blob', operation: 'getAll', container: byName(container), returnAll: true });
	expect(blobs.items.map((i) => i.json.name)).toEqual(['in/q1.csv']);

	const downloaded = await step({ resource: 'blob', operation: 'download', container: byName(container), blob: byName('in/q1.csv') });
	expect(sha256(Buffer.from(downloaded.items[0].binary!.data.data, 'base64'))).toBe(sha256(content));

	const deletedBlob = await step({ resource: 'blob', operation: 'delete', container: byName(container), blob: byName('in/q1.csv') });
	expect(deletedBlob.items[0].json).toMatchObject({ deleted: true });

	const deletedContainer = await step({ resource: 'container', operation: 'delete', container: byName(container) });
	expect(deletedContainer.items[0].json).toMatchObject({ name: container, deleted: true });

	for (const result of results) expectNoSecrets(result, secrets());
	return results;
}
