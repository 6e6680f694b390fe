import type { INodeProperties } from 'n8n-workflow';

import type { NodeOperation } from '../../helpers/types';
import * as request from './request.operation';

export const apiCallOperations: Record<string, NodeOperation> = {
	request,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['apiCall'] } },
		options: [
			{
				name: 'Send Request',
				value: 'request',
				description: 'Call any operation of the Blob service REST API with the credential\'s authentication',
				action: 'Send a request to the blob service',
			},
		],
		default: 'request',
	},
	...request.description,
];
