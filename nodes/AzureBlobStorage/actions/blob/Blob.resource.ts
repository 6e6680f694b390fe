import type { INodeProperties } from 'n8n-workflow';

import type { NodeOperation } from '../../helpers/types';
import * as append from './append.operation';
import * as copy from './copy.operation';
import * as createSasUrl from './createSasUrl.operation';
import * as createSnapshot from './createSnapshot.operation';
import * as deleteBlob from './delete.operation';
import * as deleteMany from './deleteMany.operation';
import * as download from './download.operation';
import * as findByTags from './findByTags.operation';
import * as getAll from './getAll.operation';
import * as getProperties from './getProperties.operation';
import * as lease from './lease.operation';
import * as setMetadata from './setMetadata.operation';
import * as setTags from './setTags.operation';
import * as setTier from './setTier.operation';
import * as setTierMany from './setTierMany.operation';
import * as undelete from './undelete.operation';
import * as upload from './upload.operation';
import * as uploadFromUrl from './uploadFromUrl.operation';

export const blobOperations: Record<string, NodeOperation> = {
	append,
	copy,
	createSasUrl,
	createSnapshot,
	delete: deleteBlob,
	deleteMany,
	download,
	findByTags,
	getAll,
	getProperties,
	lease,
	setMetadata,
	setTags,
	setTier,
	setTierMany,
	undelete,
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
			{
				name: 'Append',
				value: 'append',
				description: 'Add text or a file at the end of an append blob, creating it if missing; returns the bytes appended and the new size',
				action: 'Append to a blob',
			},
			{
				name: 'Copy',
				value: 'copy',
				description: 'Copy or move a blob server-side, within the account or from a URL; returns the new blob and copy status',
				action: 'Copy a blob',
			},
			{
				name: 'Create SAS URL',
				value: 'createSasUrl',
				description: 'Create a time-limited link to a blob or container with chosen permissions; returns the link',
				action: 'Create a SAS URL',
			},
			{
				name: 'Create Snapshot',
				value: 'createSnapshot',
				description: 'Make a read-only copy of a blob as it is now; returns the snapshot ID',
				action: 'Create a snapshot of a blob',
			},
			{ name: 'Delete', value: 'delete', description: 'Delete a blob', action: 'Delete a blob' },
			{
				name: 'Delete Many',
				value: 'deleteMany',
				description: 'Delete every blob under a prefix, or the blobs named by the input items, in batches; one result per blob',
				action: 'Delete many blobs',
			},
			{ name: 'Download', value: 'download', description: 'Download a blob as a file', action: 'Download a blob' },
			{
				name: 'Find by Tags',
				value: 'findByTags',
				description: 'Find blobs whose index tags match a filter, in one container or the whole account; returns name, container and tags',
				action: 'Find blobs by tags',
			},
			{ name: 'Get Many', value: 'getAll', description: 'List blobs in a container', action: 'Get many blobs' },
			{
				name: 'Get Properties',
				value: 'getProperties',
				description: 'Get a blob\'s properties, metadata, tags, lease, copy and tier status without downloading it',
				action: 'Get the properties of a blob',
			},
			{
				name: 'Lease',
				value: 'lease',
				description: 'Acquire, renew, release, break or change a lease that locks a blob against other writers; returns the lease ID and state',
				action: 'Lease a blob',
			},
			{
				name: 'Set Metadata',
				value: 'setMetadata',
				description: 'Replace a blob\'s metadata; returns the new metadata and ETag',
				action: 'Set the metadata of a blob',
			},
			{
				name: 'Set Tags',
				value: 'setTags',
				description: 'Replace or merge a blob\'s index tags; returns the tags the blob now has',
				action: 'Set the tags of a blob',
			},
			{
				name: 'Set Tier',
				value: 'setTier',
				description: 'Move a blob to the Hot, Cool, Cold or Archive tier, or rehydrate it from Archive; returns the tier and archive status',
				action: 'Set the tier of a blob',
			},
			{
				name: 'Set Tier Many',
				value: 'setTierMany',
				description: 'Set the tier of every blob under a prefix, or of the blobs named by the input items, in batches; one result per blob',
				action: 'Set the tier of many blobs',
			},
			{
				name: 'Undelete',
				value: 'undelete',
				description: 'Restore a soft-deleted blob and its snapshots (needs soft delete on the account)',
				action: 'Undelete a blob',
			},
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
	...findByTags.description,
	...getProperties.description,
	...upload.description,
	...download.description,
	...deleteBlob.description,
	...uploadFromUrl.description,
	...append.description,
	...createSnapshot.description,
	...lease.description,
	...setMetadata.description,
	...setTags.description,
	...setTier.description,
	...undelete.description,
	...copy.description,
	...createSasUrl.description,
	...deleteMany.description,
	...setTierMany.description,
];
