/**
 * Reads the container and blob pickers and the other name fields of the current item and checks
 * them, after n8n resolved their expressions: the name acted on is always exactly the name given
 * (never trimmed, never resolved by a URL parser), or the item fails with the field named.
 */
import type { IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BlobStorageConnection } from '../transport/client';
import { EndpointError, parseBlobUrl } from '../transport/endpoints';
import { redactSecrets } from '../transport/redact';
import { readText, textValue } from './params';
import { blobNameProblem, containerNameProblem } from './validation';

function locatorValue(ctx: IExecuteFunctions, name: string, itemIndex: number, field: string): { mode: string; value: string } {
	const raw = ctx.getNodeParameter(name, itemIndex) as unknown;
	if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && '__rl' in raw) {
		const locator = raw as INodeParameterResourceLocator;
		return { mode: String(locator.mode), value: textValue(ctx, locator.value, itemIndex, field) };
	}
	if (typeof raw === 'string') return { mode: 'name', value: raw };
	return {
		mode: 'name',
		value: textValue(ctx, raw, itemIndex, field),
	};
}

function hostOf(url: string): string {
	return URL.canParse(url) ? new URL(url).host.toLowerCase() : url;
}

/**
 * Refuses a value that holds one of the credential's secrets or looks like a key, SAS signature
 * or token: it was pasted into the wrong field, and would end up in names and output items.
 */
export function assertNoSecret(
	ctx: IExecuteFunctions,
	value: string,
	itemIndex: number,
	field: string,
	connection: Pick<BlobStorageConnection, 'secrets'> | undefined,
): string {
	if (redactSecrets(value, connection?.secrets) !== value) {
		throw new NodeOperationError(ctx.getNode(), `${field} holds what looks like a secret (an account key, SAS signature or token)`, {
			itemIndex,
			description: 'Check that the right value went into this field: secrets belong in the credential only. The value is not shown here.',
		});
	}
	return value;
}

export function assertContainerName(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	field = 'Container',
	connection?: Pick<BlobStorageConnection, 'secrets'>,
): string {
	assertNoSecret(ctx, name, itemIndex, field, connection);
	const problem = containerNameProblem(name);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `${field} ${problem}`, {
			itemIndex,
			description: 'Pick a container from the list or type its exact name: 3 to 63 lower-case letters, digits and single hyphens.',
		});
	}
	return name;
}

export function assertBlobName(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	field = 'Blob name',
	connection?: Pick<BlobStorageConnection, 'secrets'>,
): string {
	assertNoSecret(ctx, name, itemIndex, field, connection);
	const problem = blobNameProblem(name);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `${field} ${problem}`, {
			itemIndex,
			description:
				'Blob names have 1 to 1,024 characters and may contain "/" between folders. The node never changes a name to make it fit, so that it always acts on exactly the blob named.',
		});
	}
	return name;
}

/** The container chosen in the "Container" picker (or another container picker), validated. */
export function getContainerName(
	ctx: IExecuteFunctions,
	itemIndex: number,
	connection?: BlobStorageConnection,
	parameter = 'container',
	field = 'Container',
): string {
	return assertContainerName(ctx, locatorValue(ctx, parameter, itemIndex, field).value, itemIndex, field, connection);
}

/** A plain text parameter holding a blob name (e.g. Upload's "Blob Name"), validated; '' when empty. */
export function readBlobNameField(
	ctx: IExecuteFunctions,
	parameter: string,
	itemIndex: number,
	field: string,
	connection: BlobStorageConnection,
): string {
	const value = readText(ctx, parameter, itemIndex, field);
	if (value === '') return '';
	return assertBlobName(ctx, value, itemIndex, field, connection);
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
	const blob = locatorValue(ctx, 'blob', itemIndex, 'Blob');
	if (blob.mode === 'url') {
		let parts;
		try {
			parts = parseBlobUrl(blob.value);
		} catch (error) {
			const description = error instanceof EndpointError ? error.description : undefined;
			throw new NodeOperationError(ctx.getNode(), redactSecrets((error as Error).message, connection.secrets), { itemIndex, description });
		}
		if (parts.accountName !== connection.accountName) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Blob URL points at storage account "${parts.accountName}" but the credential is for "${connection.accountName}"`,
				{ itemIndex, description: 'Use a credential for that account, or a URL of this account.' },
			);
		}
		const credentialHost = hostOf(connection.service.url);
		if (hostOf(parts.endpoint) !== credentialHost) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Blob URL points at host ${hostOf(parts.endpoint)}, but the credential's blob endpoint is ${credentialHost}`,
				{ itemIndex, description: 'Use a URL of the credential\'s own blob endpoint (as Get Many outputs it), or pick the blob by name.' },
			);
		}
		return {
			container: assertContainerName(ctx, parts.container, itemIndex, 'Container in the Blob URL:', connection),
			blobName: assertBlobName(ctx, parts.blobName, itemIndex, 'Blob name in the Blob URL', connection),
		};
	}
	if (blob.value === '') {
		throw new NodeOperationError(ctx.getNode(), 'Blob is empty', {
			itemIndex,
			description: 'Pick a blob from the list, or type its name (with any folder prefix, e.g. reports/2024/jan.csv).',
		});
	}
	return {
		container: getContainerName(ctx, itemIndex, connection),
		blobName: assertBlobName(ctx, blob.value, itemIndex, 'Blob', connection),
	};
}

