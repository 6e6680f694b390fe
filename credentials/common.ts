/** Credential fields shared by several credential types. */
import type { INodeProperties } from 'n8n-workflow';

export const cloudField: INodeProperties = {
	displayName: 'Cloud',
	name: 'cloud',
	type: 'options',
	default: 'azurePublic',
	options: [
		{ name: 'Azure (Global)', value: 'azurePublic', description: '<account>.blob.core.windows.net' },
		{ name: 'Azure China (21Vianet)', value: 'azureChina', description: '<account>.blob.core.chinacloudapi.cn' },
		{ name: 'Azure US Government', value: 'azureUsGovernment', description: '<account>.blob.core.usgovcloudapi.net' },
		{
			name: 'Custom Endpoint',
			value: 'custom',
			description: 'Azurite, a private endpoint, a custom domain or Azure Stack',
		},
	],
};

export const customEndpointField: INodeProperties = {
	displayName: 'Blob Endpoint',
	name: 'endpoint',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. http://127.0.0.1:10000/devstoreaccount1',
	description:
		'The blob service URL. For Azurite and other IP-address endpoints include the account name in the path.',
	displayOptions: { show: { cloud: ['custom'] } },
};
