/** Pickers for the container and blob fields: one page per call, filtered by prefix. */
import type { ILoadOptionsFunctions, INodeListSearchResult, INodeParameterResourceLocator } from 'n8n-workflow';

import type { AuthenticationMethod } from '../transport/client';
import { connect } from '../transport/client';
import { toNodeError } from '../transport/errors';

const PAGE_SIZE = 100;

async function connectForPicker(ctx: ILoadOptionsFunctions) {
	const method = (ctx.getCurrentNodeParameter('authentication') as AuthenticationMethod | undefined) ?? 'sharedKey';
	return await connect(ctx, method);
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

export async function searchBlobs(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const locator = this.getCurrentNodeParameter('container') as INodeParameterResourceLocator | string | undefined;
	const container = typeof locator === 'string' ? locator : String(locator?.value ?? '');
	if (!container) return { results: [] };
	const connection = await connectForPicker(this);
	try {
		const page = await connection.service
			.getContainerClient(container)
			.listBlobsFlat({ prefix: filter || undefined })
			.byPage({ maxPageSize: PAGE_SIZE, continuationToken: paginationToken || undefined })
			.next();
		if (page.done) return { results: [] };
		return {
			results: page.value.segment.blobItems.map((b) => ({ name: b.name, value: b.name })),
			paginationToken: page.value.continuationToken || undefined,
		};
	} catch (error) {
		throw toNodeError(this.getNode(), error, { secrets: connection.secrets });
	}
}
