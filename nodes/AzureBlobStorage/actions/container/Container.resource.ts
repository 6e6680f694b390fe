import type { INodeProperties } from 'n8n-workflow';

import type { NodeOperation } from '../../helpers/types';
import * as create from './create.operation';
import * as deleteContainer from './delete.operation';
import * as getAll from './getAll.operation';
import * as getProperties from './getProperties.operation';
import * as setMetadata from './setMetadata.operation';

export const containerOperations: Record<string, NodeOperation> = {
	create,
	delete: deleteContainer,
	getAll,
	getProperties,
	setMetadata,
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
			{
				name: 'Get Properties',
				value: 'getProperties',
				description: 'Get a container\'s metadata, public access, lease, last modified, ETag and immutability and legal hold flags',
				action: 'Get the properties of a container',
			},
			{
				name: 'Set Metadata',
				value: 'setMetadata',
				description: 'Replace a container\'s metadata; returns the new metadata and ETag',
				action: 'Set the metadata of a container',
			},
		],
		default: 'getAll',
	},
	...create.description,
	...deleteContainer.description,
	...getAll.description,
	...getProperties.description,
	...setMetadata.description,
];
