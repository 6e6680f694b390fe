/** Pickers for the container and blob fields: one page per call, filtered by prefix. */
import type { ILoadOptionsFunctions, INodeListSearchResult, INodeParameterResourceLocator } from 'n8n-workflow';

import { containerNameProblem } from '../helpers/validation';
import type { AuthenticationMethod } from '../transport/client';
import { connect, containerClient } from '../transport/client';
import { toNodeError } from '../transport/errors';

const PAGE_SIZE = 100;
/** A picker should answer while someone waits: 15 s without an answer, one retry. */
const PICKER_LIMITS = { requestTimeoutMs: 15_000, maxRetries: 1 };

async function connectForPicker(ctx: ILoadOptionsFunctions) {
	const method = (ctx.getCurrentNodeParameter('authentication') as AuthenticationMethod | undefined) ?? 'sharedKey';
	return await connect(ctx, method, { limits: PICKER_LIMITS });
}

export async function searchContainers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const connection = await connectForPicker(this);
	try {
		if (connection.scopedContainer) {
			const name = connection.scopedContainer;
			return { results: !filter || name.startsWith(filter) ? [{ name, value: name }] : [] };
		}
		const page = await connection.service
			.listContainers({ prefix: filter || undefined })
			.byPage({ maxPageSize: PAGE_SIZE, continuationToken: paginationToken || undefined })
			.next();
		if (page.done) return { results: [] };
		return {
			results: page.value.containerItems.map((c) => ({ name: c.name, value: c.name })),
			paginationToken: page.value.continuationToken || undefined,
		};
	} catch (error) {
		throw toNodeError(this.getNode(), error, { secrets: connection.secrets });
	}
}

/** The blobs of the container chosen in `containerField`: one page, filtered by prefix. */
async function blobsIn(
	ctx: ILoadOptionsFunctions,
	containerField: string,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const locator = ctx.getCurrentNodeParameter(containerField) as INodeParameterResourceLocator | string | undefined;
	const value = typeof locator === 'string' ? locator : locator?.value;
	const container = typeof value === 'string' ? value : '';
	// Nothing to list until a valid container is chosen (an expression may still be unresolved).
	if (!container || containerNameProblem(container)) return { results: [] };
	const connection = await connectForPicker(ctx);
	try {
		const page = await containerClient(connection, container)
			.listBlobsFlat({ prefix: filter || undefined })
			.byPage({ maxPageSize: PAGE_SIZE, continuationToken: paginationToken || undefined })
			.next();
		if (page.done) return { results: [] };
		return {
			results: page.value.segment.blobItems.map((b) => ({ name: b.name, value: b.name })),
			paginationToken: page.value.continuationToken || undefined,
		};
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, { secrets: connection.secrets });
	}
}

/** The blob field's picker: blobs of the Container field's container. */
export async function searchBlobs(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await blobsIn(this, 'container', filter, paginationToken);
}

/** Copy's Source Blob picker: blobs of the Source Container field's container. */
export async function searchSourceBlobs(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await blobsIn(this, 'sourceContainer', filter, paginationToken);
}
