import { RestError } from '@azure/core-rest-pipeline';
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { explainFailure, InputError, toNodeError } from '../../nodes/AzureBlobStorage/transport/errors';
import { redactSecrets } from '../../nodes/AzureBlobStorage/transport/redact';
import { PartialUploadError } from '../../nodes/AzureBlobStorage/transport/transfer';

const node: INode = {
	id: '1',
	name: 'Azure Blob Storage',
	type: 'n8n-nodes-azure-blob-storage.azureBlobStorage',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function azureError(code: string, statusCode: number, url: string, message = `${code} message`) {
	const headers = new Map([
		['x-ms-error-code', code],
		['x-ms-request-id', 'req-123'],
	]);
	return new RestError(`${message}\nRequestId:req-123\nTime:2024-01-01T00:00:00Z`, {
		statusCode,
		code,
		request: { url, headers: { get: () => undefined } } as never,
		response: { status: statusCode, headers: { get: (name: string) => headers.get(name) } } as never,
	});
}

describe('Azure error translation', () => {
	it('names the missing container and carries code, status and request id', () => {
		const error = toNodeError(node, azureError('ContainerNotFound', 404, 'https://acme.blob.core.windows.net/invoices?restype=container'));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Container "invoices" does not exist in this storage account');
		expect(error.description).toContain('Azure error code: ContainerNotFound');
		expect(error.description).toContain('HTTP status: 404');
		expect(error.description).toContain('request id: req-123');
		expect((error as NodeApiError).httpCode).toBe('404');
	});

	it('names container and blob from a path-style URL', () => {
		const error = toNodeError(node, azureError('BlobNotFound', 404, 'http://127.0.0.1:10000/devstoreaccount1/c1/a/b%20c.txt'));
		expect(error.message).toBe('Blob "a/b c.txt" does not exist in container "c1"');
	});

	it('says which RBAC role is missing on AuthorizationPermissionMismatch', () => {
		const error = toNodeError(node, azureError('AuthorizationPermissionMismatch', 403, 'https://acme.blob.core.windows.net/c/b'));
		expect(error.description).toContain('Storage Blob Data Contributor');
		expect(error.description).toContain('Storage Blob Data Reader');
	});

	it('tells how to resolve an existing blob', () => {
		expect(explainFailure({ code: 'BlobAlreadyExists', container: 'c', blob: 'b' }).hint).toContain('If Blob Exists');
	});

	it('removes SAS signatures and account keys from every message', () => {
		const key = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
		const raw = new Error(`failed https://acme.blob.core.windows.net/c?sv=1&sig=SECRETSIG%3D&se=2 with AccountKey=${key};`);
		const error = toNodeError(node, raw, { secrets: [key] });
		expect(error.message).not.toContain('SECRETSIG');
		expect(error.message).not.toContain(key);
		expect(error.message).toContain('sig=***');
	});

	it('turns invalid input into a NodeOperationError that keeps the fix', () => {
		const error = toNodeError(node, new InputError('Account Key is empty in the credential', 'Paste key1'), { itemIndex: 2 });
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Account Key is empty in the credential');
		expect(error.description).toBe('Paste key1');
	});

	it('explains unreachable endpoints without a stack trace', () => {
		const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
		const error = toNodeError(node, refused);
		expect(error.message).toBe('Could not reach the blob endpoint: connection refused (nothing listens on that address and port)');
		expect(error.description).toContain('Check the account name');
	});

	it('reports how far a failed block upload got', () => {
		const cause = azureError('ServerBusy', 503, 'https://acme.blob.core.windows.net/c/big.bin?comp=block');
		const error = toNodeError(node, new PartialUploadError(cause, 8 * 1024 * 1024, 2));
		expect(error.message).toContain('busy');
		expect(error.description).toContain('2 blocks (8388608 bytes) had been staged');
	});
});

describe('secret redaction', () => {
	it('redacts bearer tokens, shared key signatures and OAuth fields', () => {
		const text = redactSecrets(
			'Authorization: Bearer eyJ0eXAi.eyJhdWQi.sig Authorization: SharedKey acme:abc+/= {"access_token":"xyz","refresh_token":"r1"}',
		);
		expect(text).not.toMatch(/eyJ0eXAi|abc\+|xyz|r1"/);
	});
});
