/** Reads the metadata and tags lists of an operation and checks them before any request. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BlobStorageConnection } from '../transport/client';
import { assertNoSecret } from './locators';
import { describeType, textValue } from './params';
import { metadataProblem, tagsProblem } from './validation';

export interface NamedValues {
	entries?: Array<{ name: unknown; value: unknown }>;
}

/**
 * The list as an object, or undefined when it is empty. Names must be text; values may be text
 * or numbers (stored as their decimal text). A name given twice is an error, not a silent
 * "last one wins".
 */
function readList(
	ctx: IExecuteFunctions,
	list: NamedValues | undefined,
	itemIndex: number,
	field: string,
	connection: BlobStorageConnection | undefined,
): Record<string, string> | undefined {
	if (list === undefined || list === null) return undefined;
	if (typeof list !== 'object' || (list.entries !== undefined && !Array.isArray(list.entries))) {
		throw new NodeOperationError(ctx.getNode(), `${field} must be a list of name/value pairs, but got ${describeType(list.entries ?? list)}`, { itemIndex });
	}
	if (!list.entries?.length) return undefined;
	const result: Record<string, string> = {};
	for (const entry of list.entries) {
		const name = textValue(ctx, entry?.name, itemIndex, `${field} name`);
		const value = textValue(ctx, entry?.value, itemIndex, `${field} value of "${name}"`, { allowNumber: true });
		if (Object.prototype.hasOwnProperty.call(result, name)) {
			throw new NodeOperationError(ctx.getNode(), `${field}: the name "${name}" is given twice`, { itemIndex, description: 'Each name can have one value; remove one of them.' });
		}
		assertNoSecret(ctx, name, itemIndex, `${field} name`, connection);
		assertNoSecret(ctx, value, itemIndex, `${field} value of "${name}"`, connection);
		result[name] = value;
	}
	return result;
}

export function readMetadata(
	ctx: IExecuteFunctions,
	list: NamedValues | undefined,
	itemIndex: number,
	connection?: BlobStorageConnection,
): Record<string, string> | undefined {
	const metadata = readList(ctx, list, itemIndex, 'Metadata', connection);
	const problem = metadata && metadataProblem(metadata);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `Metadata ${problem}`, {
			itemIndex,
			description: 'Metadata names are letters, digits and underscores (not starting with a digit); values are printable ASCII text sent as HTTP headers.',
		});
	}
	return metadata;
}

export function readTags(
	ctx: IExecuteFunctions,
	list: NamedValues | undefined,
	itemIndex: number,
	connection?: BlobStorageConnection,
): Record<string, string> | undefined {
	const tags = readList(ctx, list, itemIndex, 'Tags', connection);
	const problem = tags && tagsProblem(tags);
	if (problem) throw new NodeOperationError(ctx.getNode(), `Tags: the blob ${problem}`, { itemIndex });
	return tags;
}
