import { RestError } from '@azure/core-rest-pipeline';
import { Readable } from 'stream';
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	explainFailure,
	explainSasRefusal,
	InputError,
	redactError,
	requiredSasPermission,
	toNodeError,
} from '../../nodes/AzureBlobStorage/transport/errors';
import { isResendableBody, retryAfterMs } from '../../nodes/AzureBlobStorage/transport/policies';
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

describe('secrets typed into the wrong field', () => {
	const key = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

	it('redacts a SAS token starting with sig=, an account key, a JWT and an Entra client secret without knowing them', () => {
		const text = redactSecrets(
			`name "sig=AbC%2Bdef%3D&sv=2022" key ${key} token eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl secret Abc8Q~abcdefghijklmnopqrstuvwxyz0123456789`,
		);
		expect(text).not.toContain('AbC%2Bdef');
		expect(text).not.toContain(key);
		expect(text).not.toContain('eyJhbGciOiJSUzI1NiJ9');
		expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
	});

	it('cleans the stack as well as the message of every error it translates', () => {
		const error = toNodeError(node, new InputError(`Blob name "${key}" is bad`), { secrets: [key] });
		expect(error.message).not.toContain(key);
		expect(String(error.stack)).not.toContain(key);
		const raw = new Error(`boom ${key}`);
		const translated = toNodeError(node, raw, { secrets: [] });
		expect(translated.message).not.toContain(key);
		expect(String(translated.stack)).not.toContain(key);
	});

	it('cleans message, description, stack and cause of an error about the credential itself', () => {
		const inner = new Error(`inner ${key}`);
		const outer = Object.assign(new Error(`outer sig=secretsig`), { description: `desc ${key}`, cause: inner });
		redactError(outer, [key]);
		expect(JSON.stringify([outer.message, outer.description, outer.stack, inner.message, inner.stack])).not.toMatch(/Eby8vdM|secretsig/);
	});
});

describe('SAS refusals say which', () => {
	const blobUrl = 'http://127.0.0.1:1/devstoreaccount1/c/b.txt?sv=1&sig=x';
	const refusal = (method: string, url = blobUrl, code = 'AuthorizationFailure') => ({ statusCode: 403, code, method, url });

	it('names the permission each request needs', () => {
		expect(requiredSasPermission('GET', blobUrl)).toBe('r');
		expect(requiredSasPermission('HEAD', blobUrl)).toBe('r');
		expect(requiredSasPermission('GET', 'http://h/a/c?restype=container&comp=list')).toBe('l');
		expect(requiredSasPermission('PUT', 'http://h/a/c/b?comp=block&blockid=1')).toBe('w');
		expect(requiredSasPermission('PUT', 'http://h/a/c?restype=container')).toBe('c');
		expect(requiredSasPermission('DELETE', blobUrl)).toBe('d');
		expect(requiredSasPermission('PUT', 'http://h/a/c/b?comp=tags')).toBe('t');
	});

	it('says the SAS expired, is not valid yet, lacks a permission, a resource type or an IP', () => {
		const now = Date.parse('2026-06-01T00:00:00Z');
		expect(explainSasRefusal(refusal('GET'), { permissions: 'r', expiresOn: new Date('2026-05-01T00:00:00Z') }, now)?.message).toBe(
			'The SAS of the credential expired on 2026-05-01T00:00:00.000Z',
		);
		expect(explainSasRefusal(refusal('GET'), { permissions: 'r', startsOn: new Date('2026-07-01T00:00:00Z') }, now)?.message).toMatch(/not valid yet/);
		const missing = explainSasRefusal(refusal('PUT', 'http://h/a/c/b'), { permissions: 'rl' }, now);
		expect(missing?.message).toBe('The SAS of the credential does not allow write (permission "w"), which this operation needs');
		expect(missing?.hint).toContain('The SAS allows: read, list');
		expect(explainSasRefusal(refusal('DELETE'), { permissions: 'rwl' }, now)?.message).toMatch(/does not allow delete \(permission "d"\)/);
		expect(
			explainSasRefusal(refusal('GET', 'http://h/a?comp=list', 'AuthorizationResourceTypeMismatch'), { permissions: 'rl', resourceTypes: 'co' }, now)?.message,
		).toMatch(/resource type "Service"/);
		expect(explainSasRefusal(refusal('GET'), { permissions: 'r', ipRange: '10.0.0.1' }, now)?.message).toMatch(/only from IP 10\.0\.0\.1/);
		expect(explainSasRefusal(refusal('GET'), { permissions: 'r' }, now)?.message).toBe('Azure did not accept the SAS signature of the credential');
		expect(explainSasRefusal({ ...refusal('GET'), statusCode: 404, code: 'BlobNotFound' }, { permissions: '' }, now)).toBeUndefined();
	});
});

describe('retry timing', () => {
	const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name], set() {}, has: (name: string) => name in values });

	it('reads Retry-After in seconds, as a date, and x-ms-retry-after-ms', () => {
		expect(retryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
		expect(retryAfterMs(headers({ 'retry-after': '0.5' }))).toBe(500);
		expect(retryAfterMs(headers({ 'retry-after': 'Mon, 01 Jun 2026 00:00:10 GMT' }), Date.parse('2026-06-01T00:00:00Z'))).toBe(10_000);
		expect(retryAfterMs(headers({ 'x-ms-retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
		expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
		expect(retryAfterMs(headers({}))).toBeUndefined();
	});

	it('never re-sends a body that is a stream', () => {
		expect(isResendableBody(Buffer.from('x'))).toBe(true);
		expect(isResendableBody('<xml/>')).toBe(true);
		expect(isResendableBody(() => undefined)).toBe(true);
		expect(isResendableBody(Readable.from(['x']))).toBe(false);
	});
});
