/**
 * n8n's binary data store, as every operation that reads or writes files sees it: reading a stored
 * file as a stream sized to the file, and knowing before a download whether the store can take
 * that many bytes.
 *
 * n8n keeps binary data in one of several modes (N8N_DEFAULT_BINARY_DATA_MODE): `filesystem` (the
 * default of a single n8n 2.x), `database` (the default in queue mode, since workers share no
 * disk), `s3`, or in memory (`default`, n8n 1.x's default). The database mode reads a whole file
 * into memory before it checks its size against N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MiB by
 * default, at most 1024), so a larger blob must be refused before its bytes are fetched, not after.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Readable } from 'stream';

import { MiB } from '../transport/transfer';
import { readBinaryFieldName } from './params';

/**
 * n8n's in-memory binary mode keeps a file as one base64 string; V8 cannot hold a string for much
 * more than this many bytes of file.
 */
export const IN_MEMORY_BINARY_LIMIT = 384 * MiB;
/** n8n's default for N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, in MiB. */
const DATABASE_DEFAULT_MAX_MIB = 512;

export interface BinaryHelpers {
	prepareBinaryData(data: Buffer | Readable, fileName?: string, mimeType?: string): Promise<IBinaryData>;
}

/** Why the store cannot take a file: a sentence and what to do about it. */
export interface StoreRefusal {
	message: string;
	fix: string;
}

/** The store's mode as n8n chooses it from its environment, when that tells. */
function configuredMode(env: NodeJS.ProcessEnv = process.env): string | undefined {
	const mode = env.N8N_DEFAULT_BINARY_DATA_MODE?.trim();
	if (mode) return mode;
	if (env.EXECUTIONS_MODE?.trim() === 'queue') return 'database';
	return undefined;
}

function databaseMaxMiB(env: NodeJS.ProcessEnv = process.env): number {
	const value = Number(env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE);
	return Number.isFinite(value) && value > 0 ? value : DATABASE_DEFAULT_MAX_MIB;
}

/** Whether n8n keeps binary data in memory (no id) rather than in a file or object store. */
async function storedInMemory(helpers: BinaryHelpers): Promise<boolean> {
	const probe = await helpers.prepareBinaryData(Buffer.alloc(0), 'probe.bin');
	return !probe.id;
}

const mib = (bytes: number) => `${Math.ceil(bytes / MiB).toLocaleString('en-US')} MiB`;

/**
 * Undefined when n8n's binary data store can take `size` bytes (`what` names them, e.g. 'Blob
 * "a.csv"'), or why not. Asked before a download's body is read, so nothing large is fetched
 * only to be refused.
 */
export async function binaryStoreRefusal(helpers: BinaryHelpers, size: number, what: string): Promise<StoreRefusal | undefined> {
	const mode = configuredMode();
	if (mode === 'database') {
		const max = databaseMaxMiB();
		if (size / MiB <= max) return undefined;
		return {
			message: `${what} is ${mib(size)}, above the ${max.toLocaleString('en-US')} MiB n8n allows for a file in its database binary data mode`,
			fix:
				'n8n keeps binary data in its database (the default in queue mode) and reads each file whole into memory. ' +
				'Raise N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (in MiB, at most 1024) on every n8n process, use S3 storage ' +
				'(N8N_DEFAULT_BINARY_DATA_MODE=s3), or download a part with the Range options.',
		};
	}
	if (size <= IN_MEMORY_BINARY_LIMIT) return undefined;
	if (mode === 'filesystem' || mode === 's3' || mode === 'azure') return undefined;
	if (mode !== 'default' && !(await storedInMemory(helpers))) return undefined;
	return {
		message: `${what} is ${mib(size)}, too large for n8n's in-memory binary data mode`,
		fix: 'Set the environment variable N8N_DEFAULT_BINARY_DATA_MODE=filesystem on the n8n server (and restart it) so large files are kept on disk, or download a part with the Range options.',
	};
}

/**
 * A file from n8n's binary store as a stream, read in pieces no larger than the file: a file
 * stream allocates a whole read buffer per read, and 1 MiB buffers for 4 KiB files made garbage
 * collection most of the CPU time of a run over many small files.
 *
 * `sizeHint`: the size the item says the file has (`bytes`), good enough to choose read and block
 * sizes, which saves reading the store's metadata file per item. Where the size must be exact
 * (a Content-Length), leave it out and the store is asked.
 */
export async function storedBinaryStream(
	ctx: IExecuteFunctions,
	id: string,
	sizeHint?: unknown,
): Promise<{ stream: Readable; size?: number; fileName?: string; mimeType?: string }> {
	const known = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
	let size = known(sizeHint);
	let metadata: { fileName?: string; mimeType?: string } = {};
	if (size === undefined) {
		const stored = await ctx.helpers.getBinaryMetadata(id);
		size = known(stored.fileSize);
		metadata = stored;
	}
	const chunkSize = Math.min(MiB, Math.max(16 * 1024, (size ?? MiB) + 1));
	const stream = await ctx.helpers.getBinaryStream(id, chunkSize);
	return { stream, size, fileName: metadata.fileName, mimeType: metadata.mimeType };
}

/**
 * The input item's file named by the binary-field parameter `parameter` (checked after expressions),
 * or an error naming the field and the item's binary fields; `noBinaryHint` says what to do when
 * the item has none.
 */
export function inputBinary(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter: string,
	noBinaryHint: string,
): { property: string; binary: IBinaryData } {
	const property = readBinaryFieldName(ctx, parameter, itemIndex, 'Input Binary Field');
	const item = ctx.getInputData()[itemIndex];
	const binary = Object.prototype.hasOwnProperty.call(item.binary ?? {}, property) ? item.binary?.[property] : undefined;
	if (binary) return { property, binary };
	const available = Object.keys(item.binary ?? {});
	throw new NodeOperationError(ctx.getNode(), `Input Binary Field "${property}" is not on the input item`, {
		itemIndex,
		description: available.length
			? `The item has these binary fields: ${available.join(', ')}. Set "Input Binary Field" to one of them.`
			: `The input item has no binary data. ${noBinaryHint}`,
	});
}
