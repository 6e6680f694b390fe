/** Shared set-up for the operation tests: the node run by n8n's engine against Azurite. */
import { randomUUID } from 'crypto';

import { runNode } from '../helpers/engine';
import { credentialCases, sdk, using } from '../helpers/fixtures';

export const sharedKeyCase = credentialCases()[0];
const { credentials, authentication } = using(sharedKeyCase);

export function run(parameters: Record<string, unknown>, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({ credentials, parameters: { authentication, ...parameters } as never, ...extra });
}

export function blobClient(container: string, name: string) {
	return sdk().getContainerClient(container).getBlockBlobClient(name);
}

export async function putBlob(container: string, name: string, content: string | Buffer, options: Parameters<ReturnType<typeof blobClient>['uploadData']>[1] = {}) {
	const data = typeof content === 'string' ? Buffer.from(content) : content;
	return await blobClient(container, name).uploadData(data, options);
}

export async function readBlob(container: string, name: string): Promise<Buffer> {
	return await blobClient(container, name).downloadToBuffer();
}

export function nameValues(values: Record<string, string>) {
	return { entries: Object.entries(values).map(([name, value]) => ({ name, value })) };
}

export function guid(): string {
	return randomUUID();
}
