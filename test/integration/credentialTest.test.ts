/** The "Test" button of the credential dialog, backed by the node's credentialTest method. */
import type { ICredentialTestFunctions } from 'n8n-workflow';

import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { containerSasUrl, createContainer, credentialCases } from '../helpers/fixtures';

const node = new AzureBlobStorage();
const test = node.methods.credentialTest.azureBlobStorageCredentialTest;
const context = {} as ICredentialTestFunctions;

describe('credential test', () => {
	it.each(credentialCases())('succeeds for valid $label credentials', async (c) => {
		const result = await test.call(context, { id: '1', name: 'x', type: c.type, data: c.data });
		expect(result).toEqual({ status: 'OK', message: expect.stringContaining('Connected') });
	});

	it('succeeds for a container SAS by listing that container', async () => {
		const container = await createContainer('credtest');
		const result = await test.call(context, {
			id: '1',
			name: 'x',
			type: 'azureBlobStorageSasApi',
			data: { sasMode: 'sasUrl', sasUrl: containerSasUrl(container) },
		});
		expect(result).toEqual({ status: 'OK', message: `Connected: container "${container}" can be listed` });
	});

	it('fails for a wrong account key with an authentication message that hides the key', async () => {
		const c = credentialCases()[0];
		const wrongKey = Buffer.alloc(64, 9).toString('base64');
		const result = await test.call(context, { id: '1', name: 'x', type: c.type, data: { ...c.data, accountKey: wrongKey } });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Azure rejected the credential/);
		expect(result.message).not.toContain(wrongKey);
	});

	it('fails for an unreachable endpoint with a message about reaching it', async () => {
		const c = credentialCases()[0];
		const result = await test.call(context, {
			id: '1',
			name: 'x',
			type: c.type,
			data: { ...c.data, endpoint: 'http://127.0.0.1:9/devstoreaccount1' },
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/ECONNREFUSED|refused/);
	});

	it('fails for an empty SAS URL, naming the field', async () => {
		const result = await test.call(context, { id: '1', name: 'x', type: 'azureBlobStorageSasApi', data: { sasMode: 'sasUrl', sasUrl: '' } });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^SAS URL is empty in the credential\. Paste the "Blob service SAS URL"/);
	});
});
