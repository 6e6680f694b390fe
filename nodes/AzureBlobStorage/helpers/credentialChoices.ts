/**
 * The "Authentication" choice of the node and both triggers, defined once. (Their `credentials`
 * lists stay literal in each node: n8n's lint reads `testedBy` from the literal.)
 */
import type { INodeProperties } from 'n8n-workflow';

export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Client Certificate (Entra ID Service Principal)', value: 'clientCertificate' },
		{ name: 'Client Credentials (Entra ID Service Principal)', value: 'clientCredentials' },
		{ name: 'Connection String', value: 'connectionString' },
		{ name: 'Managed Identity (Azure VM, App Service, Container Apps)', value: 'managedIdentity' },
		{ name: 'OAuth2 (Entra ID User Sign-In)', value: 'oAuth2' },
		{ name: 'SAS (Shared Access Signature)', value: 'sas' },
		{ name: 'Shared Key (Account Key)', value: 'sharedKey' },
		{ name: 'Workload Identity (AKS, Federated)', value: 'workloadIdentity' },
	],
	default: 'sharedKey',
};
