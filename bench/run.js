#!/usr/bin/env node
'use strict';
/*
 * npm run bench — this node in n8n's engine vs the raw Azure SDK vs the naive buffered way.
 *
 * Starts Azurite (blob service, persisted to a temp folder on disk, loopback), then for each
 * file size runs, alternating, (a) the built node (dist/) in n8n-core's WorkflowExecute with the
 * filesystem binary data mode, (b) the SDK's uploadFile/downloadToFile with the same block size
 * and parallelism, (c) the whole file in a Buffer with uploadData/downloadToBuffer. Every single
 * measurement runs in a fresh child process (bench/case.js) so memory peaks never mix; each
 * download's bytes are hash-checked against the source. Then it times listing N blobs through
 * the node vs listBlobsFlat, and deleting them (node: one item per blob; SDK: one request per
 * blob, the same pattern).
 *
 * Settings (environment):
 *   BENCH_SIZES=64,1024      file sizes in MiB (also: first CLI argument, e.g. `node bench/run.js 64,256`)
 *   BENCH_BLOCK_MIB=8        block size for (a) and (b) (the node's default)
 *   BENCH_PARALLEL=4         parallel block uploads for (a) and (b) (the node's default)
 *   BENCH_REPEAT=1           rounds per size; with more, the table shows the median
 *   BENCH_LIST_COUNT=20000   blobs for the listing/deleting part (0 skips it)
 *   BENCH_LIST_REPEAT=2      listing rounds (alternating node/SDK); the table shows the fastest
 *   BENCH_DELETE_COUNT=2000  of those blobs, how many to delete (half by the node, half by the SDK);
 *                            Azurite deletes slowly in a container of 20,000 blobs (~17/s measured)
 *   BENCH_SCALE=1            many small items (bench/scale.js: Parallel Items 1/8/16 vs the SDK, and a
 *                            100,000-blob listing); BENCH_SCALE=0 leaves it out, BENCH_QUICK=1 makes it small
 *   BENCH_BULK_COUNT=20000   blobs deleted through Blob Batch, each side in its own container: the
 *                            node's Delete Many (prefix) vs the SDK's BlobBatchClient (0 skips it)
 *   BENCH_N8N=1              then the same transfers and listing inside real n8n next to n8n's built-in
 *                            node (bench/n8n.js, its settings BENCH_N8N_*); BENCH_N8N=0 leaves it out
 *   BENCH_INTEGRITY=perBlock,both,none
 *                            node uploads repeated with these "Integrity Check" choices besides the
 *                            default (wholeBlob, row (a)): speed and CPU per GiB of each ('' skips them)
 * Targets from issue 4 are printed next to the numbers; nothing is asserted.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MiB = 1024 * 1024;
const { AZURITE_ACCOUNT: ACCOUNT, AZURITE_KEY: KEY, startAzurite } = require('../scripts/azurite');

const settings = {
	sizes: (process.argv[2] || process.env.BENCH_SIZES || '64,1024').split(',').map(Number).filter((n) => n > 0),
	blockMiB: Number(process.env.BENCH_BLOCK_MIB || 8),
	parallel: Number(process.env.BENCH_PARALLEL || 4),
	repeat: Number(process.env.BENCH_REPEAT || 1),
	listCount: Number(process.env.BENCH_LIST_COUNT ?? 20000),
	listRepeat: Number(process.env.BENCH_LIST_REPEAT || 2),
	deleteCount: Number(process.env.BENCH_DELETE_COUNT ?? 2000),
	bulkCount: Number(process.env.BENCH_BULK_COUNT ?? 20000),
	integrity: (process.env.BENCH_INTEGRITY ?? 'perBlock,both,none').split(',').filter(Boolean),
};
const DEFAULT_INTEGRITY = 'wholeBlob';
const MD5_PASSES = { wholeBlob: 1, perBlock: 1, both: 2, none: 0 };

function log(message) {
	process.stderr.write(`[bench] ${message}\n`);
}

/** Runs one measurement in a fresh Node process; resolves its result object. */
function runCase(spec) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'case.js'), JSON.stringify(spec)], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, N8N_USER_FOLDER: spec.userFolder },
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (data) => (stdout += data));
		child.stderr.on('data', (data) => (stderr += data));
		child.on('exit', (code) => {
			const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
			if (code !== 0 || !line) {
				reject(new Error(`${spec.approach} ${spec.task} failed (exit ${code}):\n${stderr.slice(-3000)}`));
				return;
			}
			resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
		});
	});
}

/** Writes `size` bytes of random data (one 8 MiB random pattern varied per chunk) and returns its sha256. */
async function makeSourceFile(file, size) {
	const hash = crypto.createHash('sha256');
	const out = fs.createWriteStream(file);
	const pattern = crypto.randomBytes(8 * MiB);
	for (let offset = 0, n = 0; offset < size; offset += pattern.length, n++) {
		const chunk = Buffer.from(pattern.subarray(0, Math.min(pattern.length, size - offset)));
		chunk.writeUInt32BE(n, 0); // no two chunks alike
		hash.update(chunk);
		if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
	}
	await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
	return hash.digest('hex');
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor((sorted.length - 1) / 2)];
};
const MB = 1e6;
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

async function transferBench(common, workDir) {
	const rows = [];
	for (const sizeMiB of settings.sizes) {
		const size = sizeMiB * MiB;
		const file = path.join(workDir, `source-${sizeMiB}.bin`);
		log(`writing a ${sizeMiB} MiB source file ...`);
		const sourceHash = await makeSourceFile(file, size);
		const results = { node: { up: [], down: [] }, sdk: { up: [], down: [] }, buffered: { up: [], down: [] } };
		for (let round = 1; round <= settings.repeat; round++) {
			for (const approach of ['node', 'sdk', 'buffered']) {
				const blob = `bench/${approach}-${sizeMiB}.bin`;
				const userFolder = fs.mkdtempSync(path.join(workDir, 'n8n-user-'));
				log(`${sizeMiB} MiB round ${round}: ${approach} upload ...`);
				const up = await runCase({ ...common, approach, task: 'upload', blob, file, userFolder });
				log(`  ${fmt(size / MB / up.seconds, 1)} MB/s, +${fmt(up.peakGrowthMiB)} MiB`);
				fs.rmSync(userFolder, { recursive: true, force: true });
				results[approach].up.push(up);
			}
			for (const approach of ['node', 'sdk', 'buffered']) {
				const blob = `bench/${approach}-${sizeMiB}.bin`;
				const userFolder = fs.mkdtempSync(path.join(workDir, 'n8n-user-'));
				log(`${sizeMiB} MiB round ${round}: ${approach} download ...`);
				const down = await runCase({ ...common, approach, task: 'download', blob, userFolder });
				fs.rmSync(userFolder, { recursive: true, force: true });
				if (down.sha256 !== sourceHash) throw new Error(`${approach} download of ${sizeMiB} MiB: bytes differ from the source`);
				log(`  ${fmt(size / MB / down.seconds, 1)} MB/s, +${fmt(down.peakGrowthMiB)} MiB (bytes verified)`);
				results[approach].down.push(down);
			}
		}
		const integrity = [];
		for (const choice of settings.integrity) {
			const blob = `bench/node-${sizeMiB}-${choice}.bin`;
			const userFolder = fs.mkdtempSync(path.join(workDir, 'n8n-user-'));
			log(`${sizeMiB} MiB: node upload with Integrity Check ${choice} ...`);
			const up = await runCase({ ...common, approach: 'node', task: 'upload', blob, file, userFolder, integrity: choice });
			fs.rmSync(userFolder, { recursive: true, force: true });
			log(`  ${fmt(size / MB / up.seconds, 1)} MB/s, ${fmt(up.cpuSeconds / (size / 1024 ** 3), 1)} CPU s/GiB`);
			integrity.push({ sizeMiB, choice, upMBps: size / MB / up.seconds, upCpuPerGiB: up.cpuSeconds / (size / 1024 ** 3) });
		}
		fs.rmSync(file, { force: true });
		for (const [approach, label] of [
			['node', '(a) node in n8n, filesystem mode'],
			['sdk', '(b) raw SDK uploadFile/downloadToFile'],
			['buffered', '(c) buffered (readFile+uploadData / downloadToBuffer)'],
		]) {
			const r = results[approach];
			rows.push({
				sizeMiB,
				approach,
				label,
				upMBps: size / MB / median(r.up.map((x) => x.seconds)),
				upPeak: median(r.up.map((x) => x.peakGrowthMiB)),
				downMBps: size / MB / median(r.down.map((x) => x.seconds)),
				downPeak: median(r.down.map((x) => x.peakGrowthMiB)),
				upCpuPerGiB: median(r.up.map((x) => x.cpuSeconds)) / (size / 1024 ** 3),
				downCpuPerGiB: median(r.down.map((x) => x.cpuSeconds)) / (size / 1024 ** 3),
				upGcSeconds: median(r.up.map((x) => x.gcSeconds ?? 0)),
				downGcSeconds: median(r.down.map((x) => x.gcSeconds ?? 0)),
				baseline: median(r.up.map((x) => x.baselineMiB)),
			});
		}
		const a = rows.find((r) => r.sizeMiB === sizeMiB && r.approach === 'node');
		rows.integrity = [...(rows.integrity ?? []), { sizeMiB, choice: DEFAULT_INTEGRITY, upMBps: a.upMBps, upCpuPerGiB: a.upCpuPerGiB }, ...integrity];
	}
	return rows;
}

async function createBlobs(endpoint, container, count) {
	const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
	const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(ACCOUNT, KEY));
	const client = service.getContainerClient(container);
	await client.create();
	const names = Array.from({ length: count }, (_, i) => `list/${String(i).padStart(6, '0')}.txt`);
	const body = Buffer.from('x');
	let next = 0;
	const worker = async () => {
		while (next < names.length) {
			const name = names[next++];
			await client.getBlockBlobClient(name).upload(body, body.length);
		}
	};
	const started = Date.now();
	await Promise.all(Array.from({ length: 32 }, worker));
	return { names, seconds: (Date.now() - started) / 1000 };
}

async function listBench(common, workDir) {
	const count = settings.listCount;
	const container = 'bench-list';
	log(`creating ${count} small blobs (32 parallel uploads) ...`);
	const { names, seconds: createSeconds } = await createBlobs(common.endpoint, container, count);
	log(`  ${fmt(createSeconds, 1)} s (${fmt(count / createSeconds)} blobs/s)`);
	const spec = { ...common, container };
	const list = { node: [], sdk: [] };
	for (let round = 1; round <= settings.listRepeat; round++) {
		for (const approach of ['node', 'sdk']) {
			const userFolder = fs.mkdtempSync(path.join(workDir, 'n8n-user-'));
			const result = await runCase({ ...spec, approach, task: 'list', userFolder });
			fs.rmSync(userFolder, { recursive: true, force: true });
			if (result.count !== count) throw new Error(`${approach} listed ${result.count} blobs, expected ${count}`);
			log(`list round ${round}: ${approach} ${fmt(result.seconds, 2)} s`);
			list[approach].push(result.seconds);
		}
	}
	// Delete: the node takes the first half (one input item per blob), the SDK the second half.
	const half = Math.floor(Math.min(settings.deleteCount, count) / 2);
	const deletes = {};
	for (const [approach, part] of [
		['node', names.slice(0, half)],
		['sdk', names.slice(half, 2 * half)],
	]) {
		const namesFile = path.join(workDir, `delete-${approach}.json`);
		fs.writeFileSync(namesFile, JSON.stringify(part));
		const userFolder = fs.mkdtempSync(path.join(workDir, 'n8n-user-'));
		log(`deleting ${part.length} blobs: ${approach} ...`);
		const result = await runCase({ ...spec, approach, task: 'delete', namesFile, userFolder });
		fs.rmSync(userFolder, { recursive: true, force: true });
		if (result.count !== part.length) throw new Error(`${approach} deleted ${result.count} of ${part.length} blobs`);
		log(`  ${fmt(result.seconds, 2)} s`);
		deletes[approach] = { count: part.length, seconds: result.seconds };
	}
	const bulk = settings.bulkCount > 0 ? await bulkDeleteBench(common, workDir) : undefined;
	return { count, createSeconds, listNode: Math.min(...list.node), listSdk: Math.min(...list.sdk), deletes, bulk };
}

/** Delete Many (Blob Batch) vs the SDK's BlobBatchClient: each deletes BENCH_BULK_COUNT blobs of its own container. */
async function bulkDeleteBench(common, workDir) {
	const result = {};
	for (const approach of ['node', 'sdk']) {
		const container = `bench-bulk-${approach}`;
		log(`creating ${settings.bulkCount} small blobs for the batch delete (${approach}) ...`);
		await createBlobs(common.endpoint, container, settings.bulkCount);
		const userFolder = fs.mkdtempSync(path.join(workDir, 'n8n-user-'));
		log(`deleting ${settings.bulkCount} blobs through Blob Batch: ${approach} ...`);
		const measured = await runCase({ ...common, container, approach, task: 'deleteMany', prefix: 'list/', userFolder });
		fs.rmSync(userFolder, { recursive: true, force: true });
		if (measured.count !== settings.bulkCount) throw new Error(`${approach} batch-deleted ${measured.count} of ${settings.bulkCount} blobs`);
		log(`  ${fmt(measured.seconds, 2)} s`);
		result[approach] = { count: measured.count, seconds: measured.seconds, peakGrowthMiB: measured.peakGrowthMiB };
	}
	return result;
}

/**
 * What integrity costs: CPU seconds to MD5 one GiB in 8 MiB blocks, in this process. The node
 * hashes every uploaded byte twice (each block for Azure to verify, and the whole blob for its
 * Content-MD5) and every downloaded byte of a whole-blob download once (checked against it).
 */
function md5CpuPerGiB() {
	const block = crypto.randomBytes(8 * MiB);
	const whole = crypto.createHash('md5');
	const before = process.cpuUsage();
	for (let i = 0; i < 128; i++) {
		crypto.createHash('md5').update(block).digest();
		whole.update(block);
	}
	whole.digest();
	const cpu = process.cpuUsage(before);
	return (cpu.user + cpu.system) / 1e6 / 2; // two passes over 1 GiB
}

function table(rows, listing, md5Cost) {
	const lines = [];
	lines.push(`Block size ${settings.blockMiB} MiB, ${settings.parallel} parallel uploads for (a) and (b); ` +
		`${settings.repeat === 1 ? 'one round' : `median of ${settings.repeat} rounds`}; MB = 10^6 bytes; ` +
		'memory = peak RSS above the idle RSS of the same process, each measurement in a fresh process.');
	lines.push('');
	lines.push('| Size | Case | Upload MB/s | Upload peak +MiB | Upload CPU s/GiB | Download MB/s | Download peak +MiB | Download CPU s/GiB |');
	lines.push('|---:|---|---:|---:|---:|---:|---:|---:|');
	for (const r of rows) {
		lines.push(
			`| ${r.sizeMiB} MiB | ${r.label} | ${fmt(r.upMBps, 1)} | ${fmt(r.upPeak)} | ${fmt(r.upCpuPerGiB, 1)} | ` +
				`${fmt(r.downMBps, 1)} | ${fmt(r.downPeak)} | ${fmt(r.downCpuPerGiB, 1)} |`,
		);
	}
	lines.push('');
	lines.push('| Size | (a)/(b) upload speed | (a)/(b) download speed | (a) upload peak +MiB | (a) download peak +MiB |');
	lines.push('|---:|---:|---:|---:|---:|');
	for (const sizeMiB of settings.sizes) {
		const a = rows.find((r) => r.sizeMiB === sizeMiB && r.approach === 'node');
		const b = rows.find((r) => r.sizeMiB === sizeMiB && r.approach === 'sdk');
		lines.push(`| ${sizeMiB} MiB | ${fmt(a.upMBps / b.upMBps, 2)} | ${fmt(a.downMBps / b.downMBps, 2)} | ${fmt(a.upPeak)} | ${fmt(a.downPeak)} |`);
	}
	lines.push('');
	lines.push(`Integrity: MD5 costs ${fmt(md5Cost, 2)} CPU s per GiB on this machine (one pass). Upload (a) uses the default ` +
		'Integrity Check, Whole-Blob MD5 (one pass, stored as the Content-MD5); download (a) hashes a whole-blob download once ' +
		'to check it against the Content-MD5; (b) and (c) hash nothing. CPU = user + system seconds of the client process.');
	if (rows.integrity?.length > 1) {
		lines.push('');
		lines.push('Node upload (a) by Integrity Check (Azurite computes a CRC64 in JavaScript for a block sent without MD5, which slows ' +
			'Whole-Blob MD5 and None on Azurite only; CPU is the n8n side):');
		lines.push('');
		lines.push('| Size | Integrity Check | MD5 passes | Upload MB/s | Upload CPU s/GiB |');
		lines.push('|---:|---|---:|---:|---:|');
		for (const r of rows.integrity) {
			lines.push(`| ${r.sizeMiB} MiB | ${r.choice}${r.choice === DEFAULT_INTEGRITY ? ' (default)' : ''} | ${MD5_PASSES[r.choice]} | ${fmt(r.upMBps, 1)} | ${fmt(r.upCpuPerGiB, 1)} |`);
		}
	}
	lines.push('');
	lines.push('Targets (issue 4, shown not asserted): (a)/(b) >= 0.9 at 1 GiB both ways; (a) peak growth <= 150 MiB at 1 GiB ' +
		'and within 64 MiB of its 64 MiB run; listing through the node within 1.2x of the SDK.');
	if (listing) {
		const d = listing.deletes;
		lines.push('');
		lines.push(`Listing and deleting ${listing.count} blobs (created in ${fmt(listing.createSeconds, 1)} s with 32 parallel uploads; ` +
			`listing: fastest of ${settings.listRepeat} alternating rounds, pages of 5,000):`);
		lines.push('');
		lines.push('| Operation | Node in n8n | Raw SDK | Node / SDK |');
		lines.push('|---|---:|---:|---:|');
		lines.push(`| List ${listing.count} blobs | ${fmt(listing.listNode, 2)} s | ${fmt(listing.listSdk, 2)} s | ${fmt(listing.listNode / listing.listSdk, 2)} |`);
		const rate = (x) => x.count / x.seconds;
		lines.push(`| Delete, one request per blob (node: ${d.node.count} items; SDK: the other ${d.sdk.count}) | ` +
			`${fmt(rate(d.node))} blobs/s (${fmt(d.node.seconds, 1)} s) | ${fmt(rate(d.sdk))} blobs/s (${fmt(d.sdk.seconds, 1)} s) | ` +
			`${fmt(rate(d.sdk) / rate(d.node), 2)} (time per blob) |`);
		const b = listing.bulk;
		if (b) {
			lines.push(`| Delete through Blob Batch (node: Delete Many, prefix; SDK: BlobBatchClient; ${b.node.count} blobs each, 256 per batch, 4 in flight) | ` +
				`${fmt(rate(b.node))} blobs/s (${fmt(b.node.seconds, 1)} s) | ${fmt(rate(b.sdk))} blobs/s (${fmt(b.sdk.seconds, 1)} s) | ` +
				`${fmt(rate(b.sdk) / rate(b.node), 2)} (time per blob) |`);
			lines.push('');
			lines.push(`Batch delete vs one request per blob: node ${fmt(rate(b.node) / rate(d.node), 1)}x faster, ` +
				`SDK ${fmt(rate(b.sdk) / rate(d.sdk), 1)}x faster (blobs per second; target: node >= 10x). ` +
				`Delete Many peak memory: +${fmt(b.node.peakGrowthMiB)} MiB for ${b.node.count} output items.`);
		}
	}
	return lines.join('\n');
}

async function main() {
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
	const azuriteDir = path.join(workDir, 'azurite');
	fs.mkdirSync(azuriteDir);
	log(`sizes ${settings.sizes.join(', ')} MiB; work dir ${workDir}`);
	const azurite = await startAzurite({ location: azuriteDir });
	const started = Date.now();
	try {
		const common = {
			endpoint: azurite.blobEndpoint,
			account: ACCOUNT,
			key: KEY,
			container: 'bench',
			blockMiB: settings.blockMiB,
			parallel: settings.parallel,
		};
		const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
		await new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(ACCOUNT, KEY)).getContainerClient('bench').create();
		const md5Cost = md5CpuPerGiB();
		log(`MD5: ${fmt(md5Cost, 2)} CPU s per GiB`);
		const rows = await transferBench(common, workDir);
		const listing = settings.listCount > 0 ? await listBench(common, workDir) : undefined;
		const scale = process.env.BENCH_SCALE === '0' ? undefined : await require('./scale').scaleBench({ endpoint: azurite.blobEndpoint, workDir });
		const cpus = os.cpus();
		process.stdout.write(`\nMachine: ${cpus.length} cores (${cpus[0]?.model.trim()}), Node ${process.version}, ` +
			`${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM, Azurite on loopback persisting to disk (${os.tmpdir()}).\n\n`);
		process.stdout.write(`${table(rows, listing, md5Cost)}\n`);
		if (scale) process.stdout.write(`\nMany small items:\n\n${require('./scale').scaleTable(scale)}\n`);
		log(`done in ${fmt((Date.now() - started) / 1000)} s`);
	} finally {
		await azurite.stop();
		fs.rmSync(workDir, { recursive: true, force: true });
	}
	// The same transfers and listing inside real n8n, next to n8n's built-in node (bench/n8n.js,
	// its own Azurite over HTTPS): what users pay, where the in-process figures above are the floor.
	if (process.env.BENCH_N8N !== '0') {
		log('inside real n8n (bench/n8n.js; BENCH_N8N=0 leaves it out) ...');
		const code = await new Promise((resolve) => spawn(process.execPath, [path.join(__dirname, 'n8n.js')], { stdio: 'inherit' }).on('exit', resolve));
		if (code !== 0) throw new Error(`bench/n8n.js failed (exit ${code})`);
	}
}

main().catch((error) => {
	log(error.stack || String(error));
	process.exit(1);
});
