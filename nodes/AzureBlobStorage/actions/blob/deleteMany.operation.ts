import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { batchesInFlightOption, bulkTargetFields, dryRunOption, runBulk } from '../../helpers/bulkTargets';
import { booleanValue, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'deleteMany', [
	containerLocator,
	...bulkTargetFields('Delete'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			batchesInFlightOption,
			{
				displayName: 'Delete Snapshots',
				name: 'deleteSnapshots',
				type: 'boolean',
				default: false,
				description: "Whether to delete each blob's snapshots with it. Azure refuses to delete a blob that has snapshots unless this is on.",
			},
			dryRunOption('deleted'),
			...requestOptionFields,
		],
	},
]);

export async function executeBatch(
	this: IExecuteFunctions,
	itemIndexes: number[],
	connection: BlobStorageConnection,
	signal: AbortSignal,
): Promise<INodeExecutionData[]> {
	const options = readOptions<{ deleteSnapshots?: unknown }>(this, 0);
	const deleteSnapshots = booleanValue(this, options.deleteSnapshots, 0, 'Delete Snapshots', false);
	return await runBulk(this, itemIndexes, connection, signal, {
		emptyPrefixRefused: 'delete',
		action: { kind: 'delete', deleteSnapshots },
		wouldBe: 'would be deleted',
		success: { outcome: 'deleted' },
		past: 'deleted',
	});
}
