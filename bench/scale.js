#!/usr/bin/env node
'use strict';
/*
 * Many small items in one run: the node in n8n's engine with Parallel Items 1 (the default), 8
 * and 16 against the raw Azure SDK doing the same requests with 1, 8 and 16 in flight.
 *
 * For each configuration a fresh child process (this file with `--case`) uploads N files of
 * 4 KiB (from n8n's filesystem binary store for the node, from disk for the SDK), lists them,
 * downloads them (into the binary store / to files) and deletes them, each phase timed on its
 * own. Configurations alternate node/SDK so that a noisy neighbour hurts both. Then the same
 * upload once more through a loopback TCP proxy that counts connections (one client per run,
 * keep-alive). Azurite on loopback answers in well under a millisecond and shares the two cores
 * with the client, so the same configurations run once more through a proxy that adds a network
 * round trip (BENCH_SCALE_LATENCY_MS, default 10 ms, about what a storage account in the same
 * Azure region costs): that is where items in flight pay off; there also Delete Many (Blob Batch)
 * on as many blobs, against one request per blob. Last, a listing of a large
 * container (100,000 blobs) through the node with Return All: time, and memory growth of the
 * process while n8n holds the output items.
 *
 * Runs inside `npm run bench` (bench/run.js; BENCH_SCALE=0 leaves it out) or alone:
 * `node bench/scale.js` (starts its own Azurite).
 *
 * Settings (environment):
 *   BENCH_QUICK=1                 200 files and a 10,000-blob listing (a couple of minutes)
 *   BENCH_SCALE_FILES=2000        small files per configuration
 *   BENCH_SCALE_FILE_KIB=4        their size
 *   BENCH_SCALE_PARALLEL=1,8,16   Parallel Items (node) = requests in flight (SDK)
 *   BENCH_SCALE_LIST=100000       blobs for the large listing (0 skips it)
 *   BENCH_SCALE_LATENCY_MS=10     added round trip for the second set of runs (0 skips them)
 *   BENCH_SCALE_LOOPBACK=0        skip the loopback set (and the Overwrite and connection runs)
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { AZURITE_ACCOUNT: ACCOUNT, AZURITE_KEY: KEY, startAzurite } = require('../scripts/azurite');

const quick = process.env.BENCH_QUICK === '1';
const settings = {
	files: Number(process.env.BENCH_SCALE_FILES || (quick ? 200 : 2000)),
	fileKiB: Number(process.env.BENCH_SCALE_FILE_KIB || 4),
	parallel: (process.env.BENCH_SCALE_PARALLEL || '1,8,16').split(',').map(Number).filter((n) => n > 0),
	listCount: Number(process.env.BENCH_SCALE_LIST ?? (quick ? 10000 : 100000)),
	latencyMs: Number(process.env.BENCH_SCALE_LATENCY_MS ?? 10),
	loopback: process.env.BENCH_SCALE_LOOPBACK !== '0',
};
const PHASES = ['upload', 'list', 'download', 'delete'];
const MiB = 1024 * 1024;

function log(message) {
	process.stderr.write(`[bench:scale] ${message}\n`);
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

// ---------------------------------------------------------------------------------------------
// Orchestrator
// ---------------------------------------------------------------------------------------------

function runScaleCase(spec) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--expose-gc', __filename, '--case', JSON.stringify(spec)], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, N8N_USER_FOLDER: spec.userFolder },
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (data) => (stdout += data));
		child.stderr.on('data', (data) => (stderr += data));
		child.on('exit', (code) => {
			const line = stdout.split('\n').find((l) => l.startsWith('SCALE_RESULT '));
			if (code !== 0 || !line) return reject(new Error(`${spec.approach} ${spec.task} failed (exit ${code}):\n${stderr.slice(-3000)}`));
			resolve(JSON.parse(line.slice('SCALE_RESULT '.length)));
		});
	});
}

/**
 * A loopback TCP proxy in front of Azurite that counts the connections it is asked to open and,
 * with `delayMs`, holds every chunk for half of it in each direction (a round trip of `delayMs`;
 * order is kept, since timers of equal delay fire in order). A new connection pays it too.
 */
function countingProxy(targetPort, delayMs = 0) {
	return new Promise((resolve) => {
		const stats = { connections: 0, times: [] };
		const sockets = new Set();
		const forward = (from, to) => {
			if (!delayMs) return from.pipe(to);
			from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayMs / 2));
			from.on('end', () => setTimeout(() => to.end(), delayMs / 2));
		};
		const server = net.createServer((socket) => {
			stats.connections += 1;
			stats.times.push(Date.now());
			const upstream = net.connect(targetPort, '127.0.0.1');
			// Without this, Nagle's algorithm and delayed ACKs add ~40 ms stalls to delayed writes.
			socket.setNoDelay(true);
			upstream.setNoDelay(true);
			sockets.add(socket).add(upstream);
			const close = () => {
				socket.destroy();
				upstream.destroy();
				sockets.delete(socket);
				sockets.delete(upstream);
			};
			socket.on('error', close).on('close', close);
			upstream.on('error', close).on('close', close);
			forward(socket, upstream);
			forward(upstream, socket);
		});
		server.listen(0, '127.0.0.1', () =>
			resolve({
				port: server.address().port,
				stats,
				close: () =>
					new Promise((done) => {
						for (const s of sockets) s.destroy();
						server.close(() => done());
					}),
			}),
		);
	});
}

async function createManyBlobs(endpoint, container, count, prefix = 'big') {
	const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
	const client = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(ACCOUNT, KEY)).getContainerClient(container);
	await client.createIfNotExists();
	const body = Buffer.from('x');
	let next = 0;
	const started = Date.now();
	const worker = async () => {
		while (next < count) {
			const i = next++;
			await client.getBlockBlobClient(`${prefix}/${String(i).padStart(6, '0')}.txt`).upload(body, 1);
			if (i > 0 && i % 20000 === 0) log(`  ${i} created (${fmt((Date.now() - started) / 1000)} s)`);
		}
	};
	await Promise.all(Array.from({ length: 32 }, worker));
	return (Date.now() - started) / 1000;
}

/**
 * Runs every configuration and the large listing against the Azurite at `endpoint`.
 * @param {{ endpoint: string, workDir: string }} options
 */
async function scaleBench({ endpoint, workDir }) {
	const started = Date.now();
	const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
	const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(ACCOUNT, KEY));
	const container = 'bench-scale';
	await service.getContainerClient(container).createIfNotExists();

	const sourceDir = path.join(workDir, 'scale-source');
	fs.mkdirSync(sourceDir, { recursive: true });
	for (let i = 0; i < settings.files; i++) fs.writeFileSync(path.join(sourceDir, `${i}.bin`), crypto.randomBytes(settings.fileKiB * 1024));
	const common = { endpoint, account: ACCOUNT, key: KEY, container, sourceDir, files: settings.files, fileKiB: settings.fileKiB };

	const results = [];
	log(`${settings.files} files of ${settings.fileKiB} KiB per configuration: upload, list, download, delete`);
	for (const parallel of settings.loopback ? settings.parallel : []) {
		for (const approach of ['node', 'sdk']) {
			const userFolder = fs.mkdtempSync(path.join(workDir, 'scale-user-'));
			const prefix = `${approach}-p${parallel}`;
			const result = await runScaleCase({ ...common, approach, task: 'phases', parallel, prefix, userFolder });
			fs.rmSync(userFolder, { recursive: true, force: true });
			log(`${approach} ${parallel} in flight: ${PHASES.map((p) => `${p} ${fmt(settings.files / result[p].seconds)}/s`).join(', ')}`);
			results.push({ approach, parallel, ...result });
		}
	}

	// The node checks for an existing blob (a HEAD request) before each upload unless If Blob
	// Exists is Overwrite: the same upload once with Overwrite shows what that check costs.
	const top = Math.max(...settings.parallel);
	let overwrite;
	if (settings.loopback) {
		const userFolder = fs.mkdtempSync(path.join(workDir, 'scale-user-'));
		const result = await runScaleCase({ ...common, approach: 'node', task: 'upload-only', ifExists: 'overwrite', parallel: top, prefix: `node-overwrite-p${top}`, userFolder });
		fs.rmSync(userFolder, { recursive: true, force: true });
		overwrite = { parallel: top, seconds: result.upload.seconds };
		log(`node ${top} in flight, If Blob Exists = Overwrite: upload ${fmt(settings.files / result.upload.seconds)}/s`);
	}

	// Connections: the same four phases once more through a proxy that counts TCP connections.
	const connections = [];
	const azurePort = Number(new URL(endpoint).port);
	for (const approach of settings.loopback ? ['node', 'sdk'] : []) {
		const proxy = await countingProxy(azurePort);
		const userFolder = fs.mkdtempSync(path.join(workDir, 'scale-user-'));
		const proxied = `http://127.0.0.1:${proxy.port}/${ACCOUNT}`;
		const result = await runScaleCase({ ...common, endpoint: proxied, approach, task: 'phases', parallel: top, prefix: `conn-${approach}`, userFolder });
		fs.rmSync(userFolder, { recursive: true, force: true });
		await proxy.close();
		const perPhase = Object.fromEntries(
			PHASES.map((phase) => [phase, proxy.stats.times.filter((t) => t >= result[phase].startedAt && t <= result[phase].endedAt).length]),
		);
		connections.push({ approach, parallel: top, items: settings.files, total: proxy.stats.connections, perPhase });
		log(`${approach} ${top} in flight: TCP connections per phase ${JSON.stringify(perPhase)} (${proxy.stats.connections} in all)`);
	}

	// The same configurations with a network round trip added.
	const latency = [];
	let bulk;
	if (settings.latencyMs > 0) {
		const proxy = await countingProxy(azurePort, settings.latencyMs);
		const proxied = `http://127.0.0.1:${proxy.port}/${ACCOUNT}`;
		log(`with ${settings.latencyMs} ms added per round trip:`);
		for (const parallel of settings.parallel) {
			for (const approach of ['node', 'sdk']) {
				const userFolder = fs.mkdtempSync(path.join(workDir, 'scale-user-'));
				const prefix = `lat-${approach}-p${parallel}`;
				const result = await runScaleCase({ ...common, endpoint: proxied, approach, task: 'phases', parallel, prefix, userFolder });
				fs.rmSync(userFolder, { recursive: true, force: true });
				log(`${approach} ${parallel} in flight: ${PHASES.map((p) => `${p} ${fmt(settings.files / result[p].seconds)}/s`).join(', ')}`);
				latency.push({ approach, parallel, ...result });
			}
		}
		// Delete Many (Blob Batch, 256 per request) on as many blobs, created beforehand straight
		// into Azurite: against one request per blob above (the delete phase).
		{
			const prefix = 'lat-bulk';
			await createManyBlobs(endpoint, container, settings.files, prefix);
			const userFolder = fs.mkdtempSync(path.join(workDir, 'scale-user-'));
			const result = await runScaleCase({ ...common, endpoint: proxied, approach: 'node', task: 'delete-many', prefix, userFolder });
			fs.rmSync(userFolder, { recursive: true, force: true });
			log(`node Delete Many (Blob Batch): ${fmt(settings.files / result.deleteMany.seconds)}/s`);
			bulk = result.deleteMany;
		}
		await proxy.close();
	}

	let listing;
	if (settings.listCount > 0) {
		const bigContainer = 'bench-scale-list';
		log(`creating ${settings.listCount} blobs for the large listing (32 in flight) ...`);
		const createSeconds = await createManyBlobs(endpoint, bigContainer, settings.listCount);
		log(`  ${fmt(createSeconds, 1)} s`);
		listing = { count: settings.listCount, createSeconds };
		for (const approach of ['node', 'sdk']) {
			const userFolder = fs.mkdtempSync(path.join(workDir, 'scale-user-'));
			const result = await runScaleCase({ ...common, container: bigContainer, approach, task: 'list-large', userFolder });
			fs.rmSync(userFolder, { recursive: true, force: true });
			if (result.count !== settings.listCount) throw new Error(`${approach} listed ${result.count} blobs, expected ${settings.listCount}`);
			log(`list ${settings.listCount}: ${approach} ${fmt(result.seconds, 1)} s, peak +${fmt(result.peakGrowthMiB)} MiB, retained +${fmt(result.retainedMiB)} MiB`);
			listing[approach] = result;
		}
	}
	fs.rmSync(sourceDir, { recursive: true, force: true });
	log(`done in ${fmt((Date.now() - started) / 1000)} s`);
	return { settings: { ...settings }, results, latency, bulk, overwrite, connections, listing };
}

/** The rate table and the ratio table for one set of runs. */
function rateTables(s, results, heading) {
	const rate = (r, phase) => s.files / r[phase].seconds;
	const allRate = (r) => (s.files * PHASES.length) / PHASES.reduce((t, p) => t + r[p].seconds, 0);
	const find = (approach, parallel) => results.find((r) => r.approach === approach && r.parallel === parallel);
	const lines = [heading, ''];
	const cols = s.parallel.flatMap((p) => [`Node PI ${p}`, `SDK ${p}`]);
	lines.push(`| Items/s | ${cols.join(' | ')} |`);
	lines.push(`|---|${cols.map(() => '---:').join('|')}|`);
	for (const phase of [...PHASES, 'all four']) {
		const cells = s.parallel.flatMap((p) => [find('node', p), find('sdk', p)].map((r) => fmt(phase === 'all four' ? allRate(r) : rate(r, phase))));
		lines.push(`| ${phase} | ${cells.join(' | ')} |`);
	}
	const cpuCells = s.parallel.flatMap((p) =>
		[find('node', p), find('sdk', p)].map((r) => fmt((PHASES.reduce((t, ph) => t + r[ph].cpuSeconds, 0) * 1000) / (s.files * PHASES.length), 2)),
	);
	lines.push(`| client CPU ms per item (all four) | ${cpuCells.join(' | ')} |`);
	const top = Math.max(...s.parallel);
	const seq = find('node', 1);
	const best = find('node', top);
	const sdk = find('sdk', top);
	if (seq && best && sdk) {
		lines.push('');
		lines.push(`| Phase | Node PI ${top} / PI 1 (speed-up) | Node PI ${top} time / SDK ${top} time |`);
		lines.push('|---|---:|---:|');
		for (const phase of [...PHASES, 'all four']) {
			const r = (x) => (phase === 'all four' ? allRate(x) : rate(x, phase));
			lines.push(`| ${phase} | ${fmt(r(best) / r(seq), 2)} | ${fmt(r(sdk) / r(best), 2)} |`);
		}
	}
	return lines;
}

function scaleTable({ settings: s, results, latency, bulk, overwrite, connections, listing }) {
	const top = Math.max(...s.parallel);
	const lines = [];
	lines.push(`${s.files} files of ${s.fileKiB} KiB per configuration, each configuration in its own process; list = one item in, ${s.files} out. ` +
		'PI = the node\'s Parallel Items; SDK n = the raw SDK with n requests in flight; CPU = user + system of the client process.');
	lines.push('');
	if (results.length) lines.push(...rateTables(s, results, 'Azurite on loopback (no network latency; Azurite shares the 2 cores with the client):'));
	if (latency?.length) {
		lines.push('');
		lines.push(...rateTables(s, latency, `With ${s.latencyMs} ms added per round trip (a loopback proxy; about a storage account in the same Azure region):`));
	}
	lines.push('');
	lines.push(`Targets (issue 13, shown not asserted): Parallel Items ${top} at least 5x the sequential rate, and within 1.3x of the SDK.`);
	if (bulk && latency?.length) {
		const del = (parallel) => latency.find((r) => r.approach === 'node' && r.parallel === parallel);
		const perBlob = (parallel) => s.files / del(parallel).delete.seconds;
		const bulkRate = s.files / bulk.seconds;
		lines.push('');
		lines.push(`Delete Many (Blob Batch, 256 blobs per request, 4 batches in flight) of ${s.files} blobs by prefix, with the same ${s.latencyMs} ms round trip: ` +
			`${fmt(bulkRate)} blobs/s, ${fmt(bulkRate / perBlob(1), 1)}x the node's one-request-per-blob delete above (Parallel Items 1), ` +
			`${fmt(bulkRate / perBlob(top), 1)}x with Parallel Items ${top}; ${Math.ceil(s.files / 256)} batch requests instead of ${s.files}; ` +
			`client CPU ${fmt((bulk.cpuSeconds * 1000) / s.files, 2)} ms per blob.`);
	}
	if (overwrite) {
		lines.push('');
		lines.push(`Upload with If Blob Exists = Fail (the default, above) sends files up to 1 MiB in one request with If-None-Match: *; ` +
			`with Overwrite, Parallel Items ${overwrite.parallel}: ${fmt(s.files / overwrite.seconds)} items/s.`);
	}
	if (connections.length) {
		lines.push('');
		lines.push(`TCP connections opened for ${s.files} items per phase with ${top} in flight (counted by a loopback proxy in a separate run):`);
		lines.push('');
		lines.push(`| Case | ${PHASES.join(' | ')} |`);
		lines.push(`|---|${PHASES.map(() => '---:').join('|')}|`);
		for (const c of connections) lines.push(`| ${c.approach === 'node' ? `node, PI ${c.parallel}` : `SDK, ${c.parallel}`} | ${PHASES.map((p) => c.perPhase[p]).join(' | ')} |`);
	}
	if (listing) {
		lines.push('');
		lines.push(`Listing ${listing.count.toLocaleString('en-US')} blobs, Return All, pages of 5,000 (created in ${fmt(listing.createSeconds)} s):`);
		lines.push('');
		lines.push('| Case | Time | Peak RSS growth | Heap held after GC | Per 100k items held |');
		lines.push('|---|---:|---:|---:|---:|');
		for (const approach of ['node', 'sdk']) {
			const r = listing[approach];
			const label = approach === 'node' ? 'node in n8n (one output item per blob)' : 'raw SDK (counting, keeps nothing)';
			const per100k = approach === 'node' ? `${fmt((r.retainedMiB * 100000) / listing.count)} MiB` : '-';
			lines.push(`| ${label} | ${fmt(r.seconds, 1)} s | +${fmt(r.peakGrowthMiB)} MiB | +${fmt(r.retainedMiB)} MiB | ${per100k} |`);
		}
		if (listing.node?.sampleItemBytes) lines.push('', `One output item's JSON is ${listing.node.sampleItemBytes} bytes as text.`);
	}
	return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// One configuration, in its own process
// ---------------------------------------------------------------------------------------------

function sampler() {
	let peak = process.memoryUsage().rss;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	return () => {
		clearInterval(timer);
		return Math.max(peak, process.memoryUsage().rss);
	};
}

async function settle() {
	global.gc?.();
	await new Promise((resolve) => setTimeout(resolve, 200));
	global.gc?.();
}

async function timed(operation) {
	const startedAt = Date.now();
	const started = process.hrtime.bigint();
	const cpuBefore = process.cpuUsage();
	const value = await operation();
	const cpu = process.cpuUsage(cpuBefore);
	return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6, startedAt, endedAt: Date.now(), value };
}

/** Runs `work(index)` for 0..count-1 with up to `limit` in flight. */
async function pool(count, limit, work) {
	let next = 0;
	const worker = async () => {
		while (next < count) await work(next++);
	};
	await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

const byName = (value) => ({ __rl: true, mode: 'name', value });
const names = (spec) => Array.from({ length: spec.files }, (_, i) => `${spec.prefix}/${String(i).padStart(5, '0')}.bin`);

async function nodePhases(spec, onlyUpload) {
	const engine = require('./engine');
	await engine.useFilesystemBinaryMode();
	const credentials = { azureBlobStorageSharedKeyApi: { accountName: spec.account, accountKey: spec.key, cloud: 'custom', endpoint: spec.endpoint } };
	const base = { authentication: 'sharedKey', resource: 'blob', container: byName(spec.container) };
	const options = { parallelItems: spec.parallel };
	const blobNames = names(spec);
	const run = async (label, args, expected) => {
		const result = await timed(() => engine.runNode({ credentials, ...args }));
		const { items, error } = result.value;
		if (error) throw new Error(`node ${label} failed: ${error.message}`);
		const failed = items.filter((item) => item.json.error);
		if (failed.length || items.length !== expected) throw new Error(`node ${label}: ${items.length} items, ${failed.length} failed (${failed[0]?.json.error})`);
		return { seconds: result.seconds, cpuSeconds: result.cpuSeconds, startedAt: result.startedAt, endedAt: result.endedAt, items };
	};
	// Inputs, as a "Read Files" node would hand them over: each file in n8n's binary store.
	const inputs = [];
	for (let i = 0; i < spec.files; i++) {
		const item = await engine.storedFileItem(path.join(spec.sourceDir, `${i}.bin`), `${i}.bin`);
		item.json = { name: blobNames[i] };
		inputs.push(item);
	}
	await settle();
	const out = {};
	const upload = await run('upload', {
		items: inputs,
		parameters: { ...base, operation: 'upload', blobName: '={{ $json.name }}', inputDataType: 'binary', binaryPropertyName: 'data', ifExists: spec.ifExists ?? 'fail', options },
	}, spec.files);
	const window = (r) => ({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, startedAt: r.startedAt, endedAt: r.endedAt });
	out.upload = window(upload);
	if (onlyUpload) return out;
	const nameItems = blobNames.map((name) => ({ json: { name } }));
	const list = await run('list', { parameters: { ...base, operation: 'getAll', prefix: `${spec.prefix}/`, returnAll: true, options: { pageSize: 5000 } } }, spec.files);
	out.list = window(list);
	const download = await run('download', {
		items: nameItems,
		parameters: { ...base, operation: 'download', blob: byName('={{ $json.name }}'), binaryPropertyName: 'data', options },
	}, spec.files);
	const wrong = download.items.find((item) => item.binary?.data?.bytes !== spec.fileKiB * 1024 || !item.binary.data.id);
	if (wrong) throw new Error(`node download: a file is missing from the binary store or has the wrong size: ${JSON.stringify(wrong)}`);
	out.download = window(download);
	const del = await run('delete', { items: nameItems, parameters: { ...base, operation: 'delete', blob: byName('={{ $json.name }}'), options } }, spec.files);
	if (del.items.some((item) => item.json.deleted !== true)) throw new Error('node delete: an item was not deleted');
	out.delete = window(del);
	return out;
}

async function sdkPhases(spec, onlyUpload) {
	const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
	const container = new BlobServiceClient(spec.endpoint, new StorageSharedKeyCredential(spec.account, spec.key)).getContainerClient(spec.container);
	const blobNames = names(spec);
	const downloadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-dl-'));
	try {
		await settle();
		const out = {};
		out.upload = await timed(() =>
			pool(spec.files, spec.parallel, async (i) => {
				const data = await fs.promises.readFile(path.join(spec.sourceDir, `${i}.bin`));
				await container.getBlockBlobClient(blobNames[i]).upload(data, data.length, { conditions: { ifNoneMatch: '*' } });
			}),
		);
		if (onlyUpload) return out;
		out.list = await timed(async () => {
			let count = 0;
			for await (const page of container.listBlobsFlat({ prefix: `${spec.prefix}/` }).byPage({ maxPageSize: 5000 })) count += page.segment.blobItems.length;
			if (count !== spec.files) throw new Error(`sdk listed ${count}`);
		});
		out.download = await timed(() =>
			pool(spec.files, spec.parallel, async (i) => {
				const response = await container.getBlobClient(blobNames[i]).download();
				const file = path.join(downloadDir, `${i}.bin`);
				await new Promise((resolve, reject) => {
					const target = fs.createWriteStream(file);
					response.readableStreamBody.pipe(target).on('finish', resolve).on('error', reject);
					response.readableStreamBody.on('error', reject);
				});
			}),
		);
		out.delete = await timed(() => pool(spec.files, spec.parallel, async (i) => await container.getBlobClient(blobNames[i]).delete()));
		for (const phase of Object.keys(out)) delete out[phase].value;
		return out;
	} finally {
		fs.rmSync(downloadDir, { recursive: true, force: true });
	}
}

async function listLarge(spec) {
	const before = { rss: 0, heap: 0 };
	let items;
	let count;
	let seconds;
	let peak;
	if (spec.approach === 'node') {
		const engine = require('./engine');
		await engine.useFilesystemBinaryMode();
		const credentials = { azureBlobStorageSharedKeyApi: { accountName: spec.account, accountKey: spec.key, cloud: 'custom', endpoint: spec.endpoint } };
		await settle();
		before.rss = process.memoryUsage().rss;
		before.heap = process.memoryUsage().heapUsed;
		const stop = sampler();
		const result = await timed(() =>
			engine.runNode({
				credentials,
				parameters: { authentication: 'sharedKey', resource: 'blob', container: byName(spec.container), operation: 'getAll', prefix: '', returnAll: true, options: { pageSize: 5000 } },
			}),
		);
		peak = stop();
		if (result.value.error) throw new Error(`node list failed: ${result.value.error.message}`);
		items = result.value.items;
		count = items.length;
		seconds = result.seconds;
	} else {
		const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
		const container = new BlobServiceClient(spec.endpoint, new StorageSharedKeyCredential(spec.account, spec.key)).getContainerClient(spec.container);
		await settle();
		before.rss = process.memoryUsage().rss;
		before.heap = process.memoryUsage().heapUsed;
		const stop = sampler();
		const result = await timed(async () => {
			let n = 0;
			for await (const page of container.listBlobsFlat().byPage({ maxPageSize: 5000 })) n += page.segment.blobItems.length;
			return n;
		});
		peak = stop();
		count = result.value;
		seconds = result.seconds;
	}
	await settle();
	// Heap still in use after a full GC while the output items are held: what the items cost.
	const retainedHeap = process.memoryUsage().heapUsed;
	const result = { seconds, count, peakGrowthMiB: Math.max(0, peak - before.rss) / MiB, retainedMiB: Math.max(0, retainedHeap - before.heap) / MiB };
	if (items) result.sampleItemBytes = Buffer.byteLength(JSON.stringify(items[0].json));
	return result;
}

/** The node's Delete Many by prefix over spec.files blobs created beforehand. */
async function nodeDeleteMany(spec) {
	const engine = require('./engine');
	await engine.useFilesystemBinaryMode();
	const credentials = { azureBlobStorageSharedKeyApi: { accountName: spec.account, accountKey: spec.key, cloud: 'custom', endpoint: spec.endpoint } };
	await settle();
	const result = await timed(() =>
		engine.runNode({
			credentials,
			parameters: {
				authentication: 'sharedKey',
				resource: 'blob',
				operation: 'deleteMany',
				container: byName(spec.container),
				selection: 'prefix',
				prefix: `${spec.prefix}/`,
				// Azurite answers a batch only after all its deletes, one by one.
				options: { requestTimeout: 600 },
			},
		}),
	);
	const { items, error } = result.value;
	if (error) throw new Error(`node deleteMany failed: ${error.message}`);
	const deleted = items.filter((item) => item.json.outcome === 'deleted').length;
	if (deleted !== spec.files) throw new Error(`node deleteMany deleted ${deleted} of ${spec.files}: ${JSON.stringify(items.find((i) => i.json.outcome !== 'deleted')?.json)}`);
	return { deleteMany: { seconds: result.seconds, cpuSeconds: result.cpuSeconds } };
}

async function caseMain(spec) {
	let result;
	if (spec.task === 'list-large') result = await listLarge(spec);
	else if (spec.task === 'delete-many') result = await nodeDeleteMany(spec);
	else if (spec.approach === 'node') result = await nodePhases(spec, spec.task === 'upload-only');
	else result = await sdkPhases(spec, spec.task === 'upload-only');
	process.stdout.write(`\nSCALE_RESULT ${JSON.stringify(result)}\n`);
	process.exit(0); // n8n-core keeps timers alive
}

module.exports = { scaleBench, scaleTable, settings };

if (require.main === module) {
	if (process.argv[2] === '--case') {
		caseMain(JSON.parse(process.argv[3])).catch((error) => {
			process.stderr.write(`${error.stack || error}\n`);
			process.exit(1);
		});
	} else {
		(async () => {
			const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
			const azurite = await startAzurite({ location: path.join(workDir, 'azurite') });
			try {
				const result = await scaleBench({ endpoint: azurite.blobEndpoint, workDir });
				const cpus = os.cpus();
				process.stdout.write(`\nMachine: ${cpus.length} cores (${cpus[0]?.model.trim()}), Node ${process.version}, ` +
					`load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Azurite on loopback persisting to disk.\n\n`);
				process.stdout.write(`${scaleTable(result)}\n`);
			} finally {
				await azurite.stop();
				fs.rmSync(workDir, { recursive: true, force: true });
			}
		})().catch((error) => {
			log(error.stack || String(error));
			process.exit(1);
		});
	}
}
