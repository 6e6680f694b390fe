/** Fields used by several operations, defined once. */
import type { INodeProperties } from 'n8n-workflow';

export const containerLocator: INodeProperties = {
	displayName: 'Container',
	name: 'container',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The container that holds the blobs',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a container...',
			typeOptions: { searchListMethod: 'searchContainers', searchable: true },
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. invoices',
			// No `validation` regex here or below: n8n runs those in a sandbox with a 250 ms limit at
			// every execution, and on a busy host the item then fails with "Regular expression
			// execution timed out". The node checks names itself and says what is wrong.
		},
	],
};

export const blobLocator: INodeProperties = {
	displayName: 'Blob',
	name: 'blob',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The blob to work on. Names include any folder prefix, e.g. reports/2024/jan.csv.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a blob...',
			typeOptions: { searchListMethod: 'searchBlobs', searchable: true },
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. reports/2024/jan.csv',
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://myaccount.blob.core.windows.net/invoices/2024/jan.pdf',
		},
	],
};

export const binaryPropertyName: INodeProperties = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the input field holding the file',
	description: 'Name of the binary field of the input item that holds the file to upload',
};

export const returnAllAndLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

/** What to do when the target blob exists; used by the operations that create blobs. */
export const ifBlobExists: INodeProperties = {
	displayName: 'If Blob Exists',
	name: 'ifExists',
	type: 'options',
	default: 'fail',
	options: [
		{ name: 'Fail', value: 'fail', description: 'Stop with an error and leave the existing blob as it is' },
		{ name: 'Overwrite', value: 'overwrite', description: 'Replace the existing blob' },
		{ name: 'Skip', value: 'skip', description: 'Leave the existing blob as it is and output it with skipped: true' },
	],
	description:
		'What to do when a blob with this name already exists. Enforced by Azure at write time, so two runs racing cannot both overwrite.',
};

export const accessTierOption: INodeProperties = {
	displayName: 'Access Tier',
	name: 'accessTier',
	type: 'options',
	default: 'Hot',
	options: [
		{ name: 'Archive', value: 'Archive' },
		{ name: 'Cold', value: 'Cold' },
		{ name: 'Cool', value: 'Cool' },
		{ name: 'Hot', value: 'Hot' },
	],
	description:
		'Storage tier of the new blob. Cooler tiers cost less to keep and more to read; Archive blobs must be rehydrated before they can be read.',
};

/** A repeatable list of name/value pairs (metadata, tags), read back with `namedValues`. */
export function nameValueOption(displayName: string, name: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		default: {},
		placeholder: `Add ${displayName.toLowerCase()}`,
		typeOptions: { multipleValues: true },
		options: [
			{
				displayName,
				name: 'entries',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
		description,
	};
}

/** "Only if unchanged": the ETag a blob must still have for a write or delete to happen. */
export const ifMatchOption: INodeProperties = {
	displayName: 'Only If ETag Matches',
	name: 'ifMatch',
	type: 'string',
	default: '',
	placeholder: 'e.g. "0x8DC1A2B3C4D5E6F"',
	description:
		'Act only if the blob still has this ETag (from an earlier Get Many, Download or Upload), so a change made by someone else in between is never lost: Azure refuses the request instead. Leave empty to act regardless.',
};

/** The lease a workflow holds on the blob (Blob > Lease), for writes to a leased blob. */
export const leaseIdOption: INodeProperties = {
	displayName: 'Lease ID',
	name: 'leaseId',
	type: 'string',
	default: '',
	placeholder: 'e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
	description:
		'The ID of the lease held on the blob (the leaseId output by Blob > Lease). Azure refuses writes to a leased blob without it; with it, the write happens only while that lease is active. Leave empty when the blob is not leased.',
};

export { requestOptionFields } from '../helpers/requestOptions';

/** Adds `show` conditions for a resource and operation to a list of fields. */
export function forOperation(resource: string, operation: string, fields: INodeProperties[]): INodeProperties[] {
	return fields.map((field) => ({
		...field,
		displayOptions: {
			...field.displayOptions,
			show: { ...field.displayOptions?.show, resource: [resource], operation: [operation] },
		},
	}));
}
