import type { INodeProperties } from 'n8n-workflow';

import type { NodeOperation } from '../../helpers/types';
import * as create from './create.operation';
import * as deleteContainer from './delete.operation';
import * as getAll from './getAll.operation';

export const containerOperations: Record<string, NodeOperation> = {
	create,
	delete: deleteContainer,
	getAll,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['container'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a container', action: 'Create a container' },
			{ name: 'Delete', value: 'delete', description: 'Delete a container and all its blobs', action: 'Delete a container' },
			{ name: 'Get Many', value: 'getAll', description: 'List containers', action: 'Get many containers' },
		],
		default: 'getAll',
	},
	...create.description,
	...deleteContainer.description,
	...getAll.description,
];
