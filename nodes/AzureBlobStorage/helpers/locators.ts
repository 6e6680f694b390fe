/** Reads the container and blob pickers of the current item and checks the names. */
import type { IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BlobStorageConnection } from '../transport/client';
import { parseBlobUrl } from '../transport/endpoints';
import { blobNameProblem, containerNameProblem } from './validation';

function locatorValue(ctx: IExecuteFunctions, name: string, itemIndex: number): { mode: string; value: string } {
	const raw = ctx.getNodeParameter(name, itemIndex) as INodeParameterResourceLocator | string;
	if (typeof raw === 'string') return { mode: 'name', value: raw.trim() };
	return { mode: raw.mode, value: String(raw.value ?? '').trim() };
}

export function assertContainerName(ctx: IExecuteFunctions, name: string, itemIndex: number, field = 'Container'): string {
	const problem = containerNameProblem(name);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `${field} ${problem}`, {
			itemIndex,
			description: 'Pick a container from the list or type its exact name.',
		});
	}
	return name;
}

export function assertBlobName(ctx: IExecuteFunctions, name: string, itemIndex: number, field = 'Blob name'): string {
	const problem = blobNameProblem(name);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `${field} ${problem}`, {
			itemIndex,
			description: 'Blob names have 1 to 1024 characters and may contain "/" to form folders.',
		});
	}
	return name;
}

/** The container chosen in the "Container" picker, validated. */
export function getContainerName(ctx: IExecuteFunctions, itemIndex: number): string {
	return assertContainerName(ctx, locatorValue(ctx, 'container', itemIndex).value, itemIndex);
}

/**
 * The container and blob chosen for this item. "By URL" takes both from the URL, which must
 * point at the credential's own storage account.
 */
export function getBlobTarget(
	ctx: IExecuteFunctions,
	itemIndex: number,
	connection: BlobStorageConnection,
): { container: string; blobName: string } {
	const blob = locatorValue(ctx, 'blob', itemIndex);
	if (blob.mode === 'url') {
		let parts;
		try {
			parts = parseBlobUrl(blob.value);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), (error as Error).message, { itemIndex });
		}
		if (parts.accountName !== connection.accountName) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Blob URL points at storage account "${parts.accountName}" but the credential is for "${connection.accountName}"`,
				{ itemIndex, description: 'Use a credential for that account, or a URL of this account.' },
			);
		}
		return {
			container: assertContainerName(ctx, parts.container, itemIndex, 'Container in the Blob URL:'),
			blobName: assertBlobName(ctx, parts.blobName, itemIndex),
		};
	}
	return {
		container: getContainerName(ctx, itemIndex),
		blobName: assertBlobName(ctx, blob.value, itemIndex),
	};
}
