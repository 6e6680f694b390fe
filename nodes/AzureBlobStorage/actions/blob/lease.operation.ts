import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { leaseIdValue, requiredLeaseId } from '../../helpers/lease';
import { getBlobTarget } from '../../helpers/locators';
import { readBoolean, readChoice, readInteger, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { blobLocator, containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

const ACTIONS = ['acquire', 'renew', 'release', 'break', 'change'] as const;
type LeaseAction = (typeof ACTIONS)[number];

export const description: INodeProperties[] = forOperation('blob', 'lease', [
	containerLocator,
	blobLocator,
	{
		displayName: 'Action',
		name: 'leaseAction',
		type: 'options',
		default: 'acquire',
		options: [
			{ name: 'Acquire', value: 'acquire', description: 'Take a new lease; outputs its leaseId. Fails if the blob is already leased.' },
			{ name: 'Break', value: 'break', description: 'End the current lease, whoever holds it, after the break period' },
			{ name: 'Change', value: 'change', description: 'Give the current lease a new ID' },
			{ name: 'Release', value: 'release', description: 'Give the lease up so others can write or lease the blob at once' },
			{ name: 'Renew', value: 'renew', description: 'Restart the lease\'s duration' },
		],
		description: 'While a blob is leased, only requests carrying the lease ID can write or delete it',
	},
	{
		displayName: 'Lease ID',
		name: 'leaseId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.leaseId }}',
		displayOptions: { show: { leaseAction: ['renew', 'release', 'change'] } },
		description: 'The ID of the current lease (the leaseId output by Acquire)',
	},
	{
		displayName: 'Proposed Lease ID',
		name: 'proposedLeaseId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
		displayOptions: { show: { leaseAction: ['change'] } },
		description: 'The new ID for the lease, a GUID',
	},
	{
		displayName: 'Infinite',
		name: 'infinite',
		type: 'boolean',
		default: false,
		displayOptions: { show: { leaseAction: ['acquire'] } },
		description: 'Whether the lease lasts until it is released or broken, instead of expiring after the duration',
	},
	{
		displayName: 'Duration (Seconds)',
		name: 'duration',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 15, maxValue: 60 },
		displayOptions: { show: { leaseAction: ['acquire'], infinite: [false] } },
		description: 'How long the lease lasts unless renewed, 15 to 60 seconds',
	},
	{
		displayName: 'Break Period (Seconds)',
		name: 'breakPeriod',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 60 },
		displayOptions: { show: { leaseAction: ['break'] } },
		description: 'How long the lease stays in force before it ends, 0 to 60 seconds (0: at once). A lease that would expire sooner ends when it expires.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Proposed Lease ID',
				name: 'proposedLeaseId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
				description: 'The ID the new lease should get (a GUID). Leave empty to let Azure choose one.',
				displayOptions: { show: { '/leaseAction': ['acquire'] } },
			},
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const action = readChoice<LeaseAction>(this, 'leaseAction', itemIndex, 'Action', ACTIONS, 'acquire');
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const json: IDataObject = { name: blobName, container, url: publicUrl(blobClient.url), action };
	const request = { abortSignal: signal };

	if (action === 'acquire') {
		const infinite = readBoolean(this, 'infinite', itemIndex, 'Infinite', false);
		const duration = infinite ? -1 : readInteger(this, 'duration', itemIndex, 'Duration (Seconds)', { min: 15, max: 60 }, 60);
		const options = readOptions<{ proposedLeaseId?: unknown }>(this, itemIndex);
		const proposed = leaseIdValue(this, options.proposedLeaseId, itemIndex, 'Proposed Lease ID');
		const response = await blobClient.getBlobLeaseClient(proposed).acquireLease(duration, request);
		Object.assign(json, { leaseId: response.leaseId, leaseDuration: infinite ? 'infinite' : duration });
	} else if (action === 'break') {
		const breakPeriod = readInteger(this, 'breakPeriod', itemIndex, 'Break Period (Seconds)', { min: 0, max: 60 }, 0);
		const response = await blobClient.getBlobLeaseClient().breakLease(breakPeriod, request);
		json.secondsUntilBroken = response.leaseTime;
	} else {
		const leaseId = requiredLeaseId(this, this.getNodeParameter('leaseId', itemIndex, ''), itemIndex, 'Lease ID');
		const leaseClient = blobClient.getBlobLeaseClient(leaseId);
		if (action === 'renew') {
			await leaseClient.renewLease(request);
			json.leaseId = leaseId;
		} else if (action === 'release') {
			await leaseClient.releaseLease(request);
			json.releasedLeaseId = leaseId;
		} else {
			const proposed = requiredLeaseId(this, this.getNodeParameter('proposedLeaseId', itemIndex, ''), itemIndex, 'Proposed Lease ID');
			if (proposed === leaseId) {
				throw new NodeOperationError(this.getNode(), 'Proposed Lease ID is the same as Lease ID', { itemIndex, description: 'Enter a new GUID to change the lease to.' });
			}
			const response = await leaseClient.changeLease(proposed, request);
			Object.assign(json, { previousLeaseId: leaseId, leaseId: response.leaseId ?? proposed });
		}
	}
	const properties = await blobClient.getProperties(request);
	return compact({
		...json,
		leaseState: properties.leaseState,
		leaseStatus: properties.leaseStatus,
		leaseDurationType: properties.leaseDuration,
		etag: properties.etag,
	});
}
