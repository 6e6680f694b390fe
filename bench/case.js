'use strict';
/*
 * One measurement, run in its own child process by bench/run.js so that memory peaks of
 * different cases never mix. Input: one JSON argument. Output: a line "BENCH_RESULT {json}".
 *
 *   task: 'upload' | 'download'  with  approach: 'node' | 'sdk' | 'buffered'
 *   task: 'list'                 with  approach: 'node' | 'sdk'
 *   task: 'delete'               with  approach: 'node' | 'sdk'  (names from spec.namesFile)
 *   task: 'deleteMany'           with  approach: 'node' | 'sdk'  (every blob under spec.prefix, Blob Batch:
 *                                node: Delete Many; SDK: listBlobsFlat + BlobBatchClient, 256 per batch, 4 in flight)
 *
 * Memory: after everything the case needs is loaded and set up (modules, n8n's binary store,
 * the source file stored in it), a GC runs and the resident set size is taken as the idle
 * baseline; during the operation RSS is sampled every 20 ms; the result is the peak minus the
 * baseline.
 *
 * CPU: user + system seconds of this process during the operation, and the garbage collector's
 * share of it (pauses seen by a PerformanceObserver). With BENCH_CPU_PROFILE=DIR the operation
 * alone (not the set-up) is profiled with the inspector and written to DIR/<approach>-<task>.cpuprofile.
 * spec.integrity: the node's upload "Integrity Check" (default: the node's default).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const spec = JSON.parse(process.argv[2]);
const MiB = 1024 * 1024;

function sampler() {
	let peak = process.memoryUsage().rss;
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, 20);
	return {
		stop() {
			clearInterval(timer);
			return Math.max(peak, process.memoryUsage().rss);
		},
	};
}

async function idleBaseline() {
	global.gc?.();
	await new Promise((resolve) => setTimeout(resolve, 200));
	global.gc?.();
	return process.memoryUsage().rss;
}

/** Starts the inspector's CPU profiler when BENCH_CPU_PROFILE names a folder; resolves a stop function. */
async function startProfile() {
	const dir = process.env.BENCH_CPU_PROFILE;
	if (!dir) return async () => undefined;
	const inspector = require('node:inspector');
	const session = new inspector.Session();
	session.connect();
	const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
	await post('Profiler.enable');
	await post('Profiler.setSamplingInterval', { interval: 500 });
	await post('Profiler.start');
	return async () => {
		const { profile } = await post('Profiler.stop');
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, `${spec.approach}-${spec.task}.cpuprofile`), JSON.stringify(profile));
		session.disconnect();
	};
}

async function measure(operation) {
	const { PerformanceObserver } = require('node:perf_hooks');
	const baseline = await idleBaseline();
	const gc = { count: 0, ms: 0 };
	const observer = new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) {
			gc.count += 1;
			gc.ms += entry.duration;
		}
	});
	observer.observe({ entryTypes: ['gc'] });
	const stopProfile = await startProfile();
	const memory = sampler();
	const cpuBefore = process.cpuUsage();
	const started = process.hrtime.bigint();
	const value = await operation();
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const cpu = process.cpuUsage(cpuBefore);
	const peak = memory.stop();
	await stopProfile();
	// GC entries are delivered asynchronously.
	await new Promise((resolve) => setImmediate(resolve));
	observer.disconnect();
	return {
		seconds,
		// User + system CPU of this (client) process during the operation; Azurite runs elsewhere.
		cpuSeconds: (cpu.user + cpu.system) / 1e6,
		gcCount: gc.count,
		gcSeconds: gc.ms / 1000,
		baselineMiB: baseline / MiB,
		peakGrowthMiB: Math.max(0, peak - baseline) / MiB,
		value,
	};
}

async function sha256OfStream(stream) {
	const hash = crypto.createHash('sha256');
	for await (const chunk of stream) hash.update(chunk);
	return hash.digest('hex');
}

function sdkClient() {
	const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
	return new BlobServiceClient(spec.endpoint, new StorageSharedKeyCredential(spec.account, spec.key));
}

function nodeCredentials() {
	return {
		azureBlobStorageSharedKeyApi: { accountName: spec.account, accountKey: spec.key, cloud: 'custom', endpoint: spec.endpoint },
	};
}

function byName(value) {
	return { __rl: true, mode: 'name', value };
}

async function nodeCase() {
	const engine = require('./engine');
	const service = await engine.useFilesystemBinaryMode();
	const base = { authentication: 'sharedKey', resource: 'blob', container: byName(spec.container) };
	if (spec.task === 'upload') {
		const item = await engine.storedFileItem(spec.file, path.basename(spec.file));
		const result = await measure(() =>
			engine.runNode({
				credentials: nodeCredentials(),
				items: [item],
				parameters: {
					...base,
					operation: 'upload',
					blobName: spec.blob,
					inputDataType: 'binary',
					binaryPropertyName: 'data',
					ifExists: 'overwrite',
					options: { blockSizeMiB: spec.blockMiB, parallelUploads: spec.parallel, ...(spec.integrity ? { integrity: spec.integrity } : {}) },
				},
			}),
		);
		if (result.value.error) throw new Error(`node upload failed: ${result.value.error.message}`);
		return result;
	}
	if (spec.task === 'download') {
		const result = await measure(() =>
			engine.runNode({
				credentials: nodeCredentials(),
				parameters: { ...base, operation: 'download', blob: byName(spec.blob), binaryPropertyName: 'data' },
			}),
		);
		if (result.value.error) throw new Error(`node download failed: ${result.value.error.message}`);
		const binary = result.value.items[0].binary.data;
		if (!binary.id) throw new Error('node download produced an in-memory binary');
		result.sha256 = await sha256OfStream(await service.getAsStream(binary.id));
		return result;
	}
	if (spec.task === 'list') {
		const result = await measure(() =>
			engine.runNode({
				credentials: nodeCredentials(),
				parameters: { ...base, operation: 'getAll', prefix: '', returnAll: true, options: { pageSize: 5000 } },
			}),
		);
		if (result.value.error) throw new Error(`node list failed: ${result.value.error.message}`);
		result.count = result.value.items.length;
		return result;
	}
	if (spec.task === 'delete') {
		const names = JSON.parse(fs.readFileSync(spec.namesFile, 'utf8'));
		const items = names.map((name) => ({ json: { name } }));
		const result = await measure(() =>
			engine.runNode({
				credentials: nodeCredentials(),
				items,
				parameters: { ...base, operation: 'delete', blob: { __rl: true, mode: 'name', value: '={{ $json.name }}' } },
			}),
		);
		if (result.value.error) throw new Error(`node delete failed: ${result.value.error.message}`);
		result.count = result.value.items.filter((item) => item.json.deleted === true).length;
		return result;
	}
	if (spec.task === 'deleteMany') {
		const result = await measure(() =>
			engine.runNode({
				credentials: nodeCredentials(),
				// Azurite answers a batch only after all its deletes (slow in a large container): allow it
				// as long as the SDK, which has no per-request timeout by default.
				parameters: { ...base, operation: 'deleteMany', selection: 'prefix', prefix: spec.prefix, options: { requestTimeout: 600 } },
			}),
		);
		if (result.value.error) throw new Error(`node deleteMany failed: ${result.value.error.message}`);
		result.count = result.value.items.filter((item) => item.json.outcome === 'deleted').length;
		return result;
	}
	throw new Error(`unknown task ${spec.task}`);
}

async function sdkCase() {
	const container = sdkClient().getContainerClient(spec.container);
	const blockSize = spec.blockMiB * MiB;
	if (spec.task === 'upload') {
		return await measure(() =>
			container.getBlockBlobClient(spec.blob).uploadFile(spec.file, {
				blockSize,
				concurrency: spec.parallel,
				// Same shape as the node: one request up to one block, blocks beyond.
				maxSingleShotSize: blockSize,
			}),
		);
	}
	if (spec.task === 'download') {
		const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dl-')), 'out.bin');
		const result = await measure(() => container.getBlobClient(spec.blob).downloadToFile(target));
		result.sha256 = await sha256OfStream(fs.createReadStream(target));
		fs.rmSync(path.dirname(target), { recursive: true, force: true });
		return result;
	}
	if (spec.task === 'list') {
		const result = await measure(async () => {
			let count = 0;
			for await (const page of container.listBlobsFlat().byPage({ maxPageSize: 5000 })) count += page.segment.blobItems.length;
			return count;
		});
		result.count = result.value;
		return result;
	}
	if (spec.task === 'delete') {
		const names = JSON.parse(fs.readFileSync(spec.namesFile, 'utf8'));
		const result = await measure(async () => {
			// One request after the other, as the node does one item after the other.
			for (const name of names) await container.getBlobClient(name).delete();
			return names.length;
		});
		result.count = result.value;
		return result;
	}
	if (spec.task === 'deleteMany') {
		const { BlobBatch } = require('@azure/storage-blob');
		const batchClient = sdkClient().getBlobBatchClient();
		const result = await measure(async () => {
			let deleted = 0;
			const running = new Set();
			const submit = async (names) => {
				const batch = new BlobBatch();
				for (const name of names) await batch.deleteBlob(container.getBlobClient(name));
				const response = await batchClient.submitBatch(batch);
				deleted += response.subResponsesSucceededCount;
			};
			for await (const page of container.listBlobsFlat({ prefix: spec.prefix }).byPage({ maxPageSize: 5000 })) {
				const names = page.segment.blobItems.map((blob) => blob.name);
				for (let i = 0; i < names.length; i += 256) {
					while (running.size >= 4) await Promise.race(running);
					const task = submit(names.slice(i, i + 256)).finally(() => running.delete(task));
					running.add(task);
				}
			}
			await Promise.all(running);
			return deleted;
		});
		result.count = result.value;
		return result;
	}
	throw new Error(`unknown task ${spec.task}`);
}

async function bufferedCase() {
	const container = sdkClient().getContainerClient(spec.container);
	if (spec.task === 'upload') {
		return await measure(async () => {
			const data = await fs.promises.readFile(spec.file);
			return await container.getBlockBlobClient(spec.blob).uploadData(data);
		});
	}
	if (spec.task === 'download') {
		let data;
		const result = await measure(async () => {
			data = await container.getBlobClient(spec.blob).downloadToBuffer();
		});
		result.sha256 = crypto.createHash('sha256').update(data).digest('hex');
		return result;
	}
	throw new Error(`unknown task ${spec.task}`);
}

async function main() {
	const run = { node: nodeCase, sdk: sdkCase, buffered: bufferedCase }[spec.approach];
	const result = await run();
	delete result.value;
	process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`);
	// n8n-core keeps timers alive; the measurement is done.
	process.exit(0);
}

main().catch((error) => {
	process.stderr.write(`${error.stack || error}\n`);
	process.exit(1);
});
