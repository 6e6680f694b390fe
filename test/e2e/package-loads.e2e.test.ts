/**
 * The packed package, installed where n8n installs community packages, is loaded by n8n at
 * start-up: no errors about it in n8n's log, and n8n lists its node and credential types.
 */
import { readFileSync } from 'fs';

import { devEnv, e2e, NODE_TYPE, PACKAGE_NAME, rest } from './support';

const CREDENTIAL_TYPES = [
	'azureBlobStorageSharedKeyApi',
	'azureBlobStorageConnectionStringApi',
	'azureBlobStorageSasApi',
	'azureBlobStorageOAuth2Api',
	'azureBlobStorageClientCredentialsOAuth2Api',
	'azureBlobStorageManagedIdentityApi',
	'azureBlobStorageWorkloadIdentityApi',
	'azureBlobStorageClientCertificateApi',
];

describe('n8n with the package installed', () => {
	it('logs no error or warning about the package while starting', () => {
		const log = readFileSync(e2e().logFile, 'utf8');
		expect(log).toMatch(/Editor is now accessible/); // the log is the real start-up log
		expect(devEnv.packageErrorsInLog(log)).toEqual([]);
	});

	it(`lists the node as ${NODE_TYPE} with its eight ways to sign in`, async () => {
		const nodes = await rest<Array<Record<string, any>>>('GET', '/types/nodes.json');
		const node = nodes.find((n) => n.name === NODE_TYPE);
		expect(node).toMatchObject({ displayName: 'Azure Blob Storage', version: 1, usableAsTool: true });
		expect(node!.credentials.map((c: { name: string }) => c.name).sort()).toEqual([...CREDENTIAL_TYPES].sort());
		const authentication = node!.properties.find((p: { name: string }) => p.name === 'authentication');
		expect(authentication.options.map((o: { value: string }) => o.value).sort()).toEqual(
			['clientCertificate', 'clientCredentials', 'connectionString', 'managedIdentity', 'oAuth2', 'sas', 'sharedKey', 'workloadIdentity'],
		);
	});

	it('lists the credential types, the Entra ID ones as OAuth2 credentials', async () => {
		const credentials = await rest<Array<Record<string, any>>>('GET', '/types/credentials.json');
		const ours = credentials.filter((c) => CREDENTIAL_TYPES.includes(c.name));
		expect(ours.map((c) => c.name).sort()).toEqual([...CREDENTIAL_TYPES].sort());
		for (const name of ['azureBlobStorageOAuth2Api', 'azureBlobStorageClientCredentialsOAuth2Api']) {
			expect(ours.find((c) => c.name === name)!.extends).toEqual(['oAuth2Api']);
		}
	});

	it('serves the node icon from the installed package', async () => {
		const nodes = await rest<Array<Record<string, any>>>('GET', '/types/nodes.json');
		const icon = nodes.find((n) => n.name === NODE_TYPE)!.iconUrl;
		const url = typeof icon === 'string' ? icon : icon.light;
		expect(url).toContain(PACKAGE_NAME);
		const response = await fetch(new URL(url, e2e().baseUrl));
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('<svg');
	});
});
