/** Fields both triggers share. */
import type { INodeProperties } from 'n8n-workflow';

export const binaryPropertyOption: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	hint: 'The name of the output binary field to put the file in',
	description: 'Name of the binary field of each output item that gets the blob\'s content',
};
