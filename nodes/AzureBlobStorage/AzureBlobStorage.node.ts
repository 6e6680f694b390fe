import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as apiCall from './actions/apiCall/ApiCall.resource';
import * as blob from './actions/blob/Blob.resource';
import * as container from './actions/container/Container.resource';
import { route } from './actions/router';
import { authenticationProperty } from './helpers/credentialChoices';
import { testBlobStorageCredential } from './methods/credentialTest';
import { searchBlobs, searchContainers, searchSourceBlobs } from './methods/listSearch';

export class AzureBlobStorage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Azure Blob Storage',
		name: 'azureBlobStorage',
		icon: { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Upload, download, list and delete blobs and containers in Azure Blob Storage',
		defaults: { name: 'Azure Blob Storage' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'azureBlobStorageSharedKeyApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['sharedKey'] } },
			},
			{
				name: 'azureBlobStorageConnectionStringApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['connectionString'] } },
			},
			{
				name: 'azureBlobStorageSasApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['sas'] } },
			},
			{
				name: 'azureBlobStorageOAuth2Api',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
			{
				name: 'azureBlobStorageClientCredentialsOAuth2Api',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['clientCredentials'] } },
			},
			{
				name: 'azureBlobStorageClientCertificateApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['clientCertificate'] } },
			},
			{
				name: 'azureBlobStorageManagedIdentityApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['managedIdentity'] } },
			},
			{
				name: 'azureBlobStorageWorkloadIdentityApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['workloadIdentity'] } },
			},
		],
		properties: [
			authenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'API Call', value: 'apiCall' },
					{ name: 'Blob', value: 'blob' },
					{ name: 'Container', value: 'container' },
				],
				default: 'blob',
			},
			...blob.description,
			...container.description,
			...apiCall.description,
		],
	};

	methods = {
		listSearch: { searchContainers, searchBlobs, searchSourceBlobs },
		credentialTest: { azureBlobStorageCredentialTest: testBlobStorageCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
