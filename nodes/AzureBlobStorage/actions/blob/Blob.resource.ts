import type { INodeProperties } from 'n8n-workflow';

import type { NodeOperation } from '../../helpers/types';
import * as deleteBlob from './delete.operation';
import * as download from './download.operation';
import * as getAll from './getAll.operation';
import * as upload from './upload.operation';
import * as uploadFromUrl from './uploadFromUrl.operation';

export const blobOperations: Record<string, NodeOperation> = {
	delete: deleteBlob,
	download,
	getAll,
	upload,
	uploadFromUrl,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['blob'] } },
		options: [
			{ name: 'Delete', value: 'delete', description: 'Delete a blob', action: 'Delete a blob' },
			{ name: 'Download', value: 'download', description: 'Download a blob as a file', action: 'Download a blob' },
			{ name: 'Get Many', value: 'getAll', description: 'List blobs in a container', action: 'Get many blobs' },
			{ name: 'Upload', value: 'upload', description: 'Upload a file or text as a blob', action: 'Upload a blob' },
			{
				name: 'Upload From URL',
				value: 'uploadFromUrl',
				description: 'Have Azure copy a file from a URL into a blob, without the bytes passing through n8n',
				action: 'Upload a blob from a URL',
			},
		],
		default: 'upload',
	},
	...getAll.description,
	...upload.description,
	...download.description,
	...deleteBlob.description,
	...uploadFromUrl.description,
];
