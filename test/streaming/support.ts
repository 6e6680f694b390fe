/**
 * Shared pieces of the streaming tests: files put into n8n's own binary data store, a watch on
 * how the node reads and writes that store, and a way to wait until the node's work has really
 * stopped after a cancel.
 */
import { createHash } from 'crypto';
import { Readable } from 'stream';
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../helpers/azurite';

import { MiB } from '../../nodes/AzureBlobStorage/transport/transfer';

export { MiB };
export { byName, sha256 } from '../helpers/params';

export function md5Base64(data: Buffer): string {
	return createHash('md5').update(data).digest('base64');
}

/** Shared Key credential for an endpoint (Azurite itself or the fault proxy in front of it). */
export function sharedKeyFor(endpoint: string) {
	return {
		authentication: 'sharedKey',
		credentials: {
			azureBlobStorageSharedKeyApi: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, cloud: 'custom', endpoint },
		},
	};
}

function binaryDataService(): BinaryDataService {
	return Container.get(BinaryDataService);
}

/**
 * Puts a file into n8n's binary data store the way an upstream node does (streamed in 1 MiB
 * pieces), and returns an input item that refers to it by id.
 */
export async function storedFileItem(content: Buffer, fileName: string, mimeType = 'application/octet-stream'): Promise<INodeExecutionData> {
	const pieces = function* () {
		for (let offset = 0; offset < content.length; offset += MiB) yield content.subarray(offset, offset + MiB);
	};
	const binary = (await binaryDataService().store(
		{ type: 'execution', workflowId: 'test-workflow', executionId: 'temp' },
		Readable.from(pieces()),
		{ data: '', fileName, mimeType },
	)) as IBinaryData;
	if (!binary.id) throw new Error('The binary data store is not in filesystem mode: the stored file has no id');
	return { json: {}, binary: { data: binary } };
}

/** Reads a stored binary back, straight from the store (not counted by a watch). */
export async function readStoredBinary(binary: IBinaryData): Promise<Buffer> {
	if (!binary.id) return Buffer.from(binary.data, 'base64');
	const stream = await binaryDataService().getAsStream(binary.id);
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

/** What the node asked of n8n's binary data store while a watch was on. */
export interface StoreWatch {
	/** Calls of getAsBuffer: what getBinaryDataBuffer ends in (the whole file in memory). */
	bufferReads: number;
	/** Streams handed out by getAsStream (what getBinaryStream ends in). */
	streams: Readable[];
	/** What each store() call received: 'stream' or 'buffer'. */
	writes: Array<'stream' | 'buffer'>;
	stop(): void;
}

/**
 * Wraps the binary data service's own read and write methods with counters. Every n8n helper
 * (getBinaryDataBuffer, getBinaryStream, prepareBinaryData) ends in one of these, so this shows
 * which path the node took without looking at the node.
 */
export function watchBinaryStore(): StoreWatch {
	const service = binaryDataService() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
	const originals = { getAsBuffer: service.getAsBuffer, getAsStream: service.getAsStream, store: service.store };
	const watch: StoreWatch = {
		bufferReads: 0,
		streams: [],
		writes: [],
		stop() {
			// The wrappers are own properties of the instance; removing them uncovers the class's methods.
			delete service.getAsBuffer;
			delete service.getAsStream;
			delete service.store;
		},
	};
	service.getAsBuffer = async (...args) => {
		watch.bufferReads += 1;
		return await originals.getAsBuffer.apply(service, args);
	};
	service.getAsStream = async (...args) => {
		const stream = (await originals.getAsStream.apply(service, args)) as Readable;
		watch.streams.push(stream);
		return stream;
	};
	service.store = async (...args) => {
		watch.writes.push(Buffer.isBuffer(args[1]) ? 'buffer' : 'stream');
		return await originals.store.apply(service, args);
	};
	return watch;
}

/**
 * After a cancel, n8n reports the execution finished at once while the node may still be
 * working. This records every run of the node's execute() so a test can wait until the node
 * itself has returned or thrown.
 */
export function trackNodeRuns(): { runs: Array<Promise<unknown>>; settled(): Promise<void>; stop(): void } {
	const prototype = AzureBlobStorage.prototype as unknown as { execute: (...args: unknown[]) => Promise<unknown> };
	const original = prototype.execute;
	const runs: Array<Promise<unknown>> = [];
	prototype.execute = function (this: unknown, ...args: unknown[]) {
		const run = original.apply(this, args);
		runs.push(run);
		return run;
	};
	return {
		runs,
		async settled() {
			await Promise.allSettled(runs);
		},
		stop() {
			prototype.execute = original;
		},
	};
}
