/** Reads the metadata and tags lists of the upload operations and checks them before any request. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { metadataKeyProblem, tagsProblem } from './validation';

export interface NamedValues {
	entries?: Array<{ name: string; value: string }>;
}

/** The list as an object, or undefined when it is empty. */
export function namedValues(list: NamedValues | undefined): Record<string, string> | undefined {
	if (!list?.entries?.length) return undefined;
	return Object.fromEntries(list.entries.map((e) => [e.name.trim(), e.value ?? '']));
}

export function readMetadata(ctx: IExecuteFunctions, list: NamedValues | undefined, itemIndex: number) {
	const metadata = namedValues(list);
	for (const key of Object.keys(metadata ?? {})) {
		const problem = metadataKeyProblem(key);
		if (problem) throw new NodeOperationError(ctx.getNode(), `Metadata name ${problem}`, { itemIndex });
	}
	return metadata;
}

export function readTags(ctx: IExecuteFunctions, list: NamedValues | undefined, itemIndex: number) {
	const tags = namedValues(list);
	const problem = tags && tagsProblem(tags);
	if (problem) throw new NodeOperationError(ctx.getNode(), `Tags: the blob ${problem}`, { itemIndex });
	return tags;
}
