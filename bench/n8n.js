#!/usr/bin/env node
'use strict';
/*
 * npm run bench:n8n — the transfers measured the way users run them: in real n8n 2.41.1
 * (`n8n execute` of an imported workflow, filesystem binary data mode), this package's node next
 * to n8n's built-in Azure Storage node and the raw Azure SDK, against Azurite over HTTPS.
 *
 * What runs (each measured case is its own process, run under bench/measure-process.py, which
 * records wall time, user+system CPU of the process and all its descendants, and peak RSS):
 *   (a) node      this package (npm pack, installed into the n8n user folder as a community
 *                 package), Shared Key credential with a custom endpoint (path style, as Azurite
 *                 wants); upload = Read/Write Files from Disk + Upload, download = Download into
 *                 n8n's binary store, list = Get Many (all)
 *   (b) built-in  n8n-nodes-base.azureStorage, its Shared Key credential with a custom endpoint
 *                 (N8N_AZURE_STORAGE_CUSTOM_ENDPOINTS_ENABLED=true); it accepts only an endpoint
 *                 with the account in the host name, so it talks to Azurite's production-style
 *                 URL https://devstoreaccount1.blob.localhost:PORT/, resolved to 127.0.0.1 by
 *                 bench/account-host-preload.js; upload = Read file + Create, download = Get,
 *                 list = Get Many (Return All)
 *   (c) sdk       @azure/storage-blob from this repository in a plain Node process (the Node 24
 *                 that runs n8n): uploadFile / downloadToFile with the node's block size and
 *                 parallelism, listBlobsFlat in pages of 5,000
 * Baselines, so results can be net of start-up: an idle workflow (Manual Trigger only), a read-only
 * workflow per size (Manual Trigger + Read file), and an idle SDK process (loads the SDK, exits).
 *   net wall = wall - idle wall; net CPU = CPU - idle CPU (upload in n8n: CPU - read-only CPU);
 *   net RSS = peak RSS - idle peak RSS.
 * The three approaches alternate (a, b, c, a, b, c ...) so a noisy neighbour hurts all of them.
 * Every upload is downloaded again with the SDK and hash-checked, every download's bytes too
 * (in n8n: the file in the binary store). A failed or wrong transfer of (a) or (c) fails the run;
 * one of (b) is reported as failed in the table.
 *
 * Settings (environment):
 *   BENCH_N8N_SIZES=64,256,1024   file sizes in MiB
 *   BENCH_N8N_LIST=10000          blobs to list (0 skips listing)
 *   BENCH_N8N_REPEAT=1            rounds; with more, each figure is the median
 *   BENCH_BLOCK_MIB=8, BENCH_PARALLEL=4   block size and parallel blocks for (a) and (c)
 *   BENCH_QUICK=1                 64 MiB and 1,000 blobs (a few minutes); report to stdout only
 *   BENCH_N8N_OUT=bench/N8N-RESULTS.md    where the markdown report goes ('' = stdout only)
 *   BENCH_N8N_CPU_PROFILE=DIR     every n8n process writes a V8 CPU profile (.cpuprofile) into DIR
 *   BENCH_N8N_PAGE_SIZE=5000      this node's listing page size (its Page Size option)
 *   BENCH_N8N_VERIFY_MD5=0        this node's downloads without Verify Content-MD5 (the CPU the check costs)
 * Needs the built package (npm run build; `npm run bench:n8n` does it), python3 and openssl.
 * n8n 2.41.1 + Node 24 come from scripts/n8n-runtime.js (installed once into ~/.cache).
 */
const { execFileSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MiB = 1024 * 1024;
const ROOT = path.resolve(__dirname, '..');
const ACCOUNT_HOST = 'devstoreaccount1.blob.localhost';
const FILE_CONTAINER = 'bench-files';
const LIST_CONTAINER = 'bench-list';

// ---------------------------------------------------------------------------------------------
// (c) the SDK side: `node bench/n8n.js --sdk '<json>'` (measured cases and the helpers)
// ---------------------------------------------------------------------------------------------

async function sdkMain(spec) {
	const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
	const service = new BlobServiceClient(spec.endpoint, new StorageSharedKeyCredential(spec.account, spec.key));
	const blockSize = (spec.blockMiB || 8) * MiB;
	const report = (value) => process.stdout.write(`BENCH_SDK ${JSON.stringify(value)}\n`);
	switch (spec.task) {
		case 'idle':
			return report({});
		case 'upload':
			await service.getContainerClient(spec.container).getBlockBlobClient(spec.blob).uploadFile(spec.file, {
				blockSize,
				concurrency: spec.parallel,
				maxSingleShotSize: blockSize, // the node's shape: one request up to one block, blocks beyond
			});
			return report({});
		case 'download':
			await service.getContainerClient(spec.container).getBlobClient(spec.blob).downloadToFile(spec.file);
			return report({});
		case 'list': {
			let count = 0;
			const pages = service.getContainerClient(spec.container).listBlobsFlat().byPage({ maxPageSize: 5000 });
			for await (const page of pages) count += page.segment.blobItems.length;
			return report({ count });
		}
		case 'prepare': {
			for (const name of [FILE_CONTAINER, LIST_CONTAINER]) await service.getContainerClient(name).createIfNotExists();
			for (const { file, blob } of spec.uploads) {
				await service.getContainerClient(FILE_CONTAINER).getBlockBlobClient(blob).uploadFile(file, { blockSize, concurrency: 4 });
			}
			const list = service.getContainerClient(LIST_CONTAINER);
			let next = 0;
			const worker = async () => {
				while (next < spec.listCount) {
					const name = `item-${String(next++).padStart(6, '0')}.txt`;
					await list.getBlockBlobClient(name).upload(name, name.length);
				}
			};
			await Promise.all(Array.from({ length: 32 }, worker));
			return report({});
		}
		case 'sha256': {
			const response = await service.getContainerClient(spec.container).getBlobClient(spec.blob).download();
			const hash = crypto.createHash('sha256');
			let size = 0;
			for await (const chunk of response.readableStreamBody) {
				hash.update(chunk);
				size += chunk.length;
			}
			return report({ sha256: hash.digest('hex'), size });
		}
		case 'delete':
			await service.getContainerClient(spec.container).deleteBlob(spec.blob);
			return report({});
		default:
			throw new Error(`unknown SDK task ${spec.task}`);
	}
}

if (process.argv[2] === '--sdk') {
	sdkMain(JSON.parse(process.argv[3])).catch((error) => {
		process.stderr.write(`${error.stack || error}\n`);
		process.exit(1);
	});
	return;
}

// ---------------------------------------------------------------------------------------------
// The orchestrator
// ---------------------------------------------------------------------------------------------

const env = require('../scripts/dev-env');
const runtimeModule = require('../scripts/n8n-runtime');

const quick = process.env.BENCH_QUICK === '1';
const settings = {
	sizes: (process.env.BENCH_N8N_SIZES || (quick ? '64' : '64,256,1024')).split(',').map(Number).filter((n) => n > 0),
	listCount: Number(process.env.BENCH_N8N_LIST ?? (quick ? 1000 : 10000)),
	repeat: Math.max(1, Number(process.env.BENCH_N8N_REPEAT || 1)),
	blockMiB: Number(process.env.BENCH_BLOCK_MIB || 8),
	parallel: Number(process.env.BENCH_PARALLEL || 4),
	// Download's Verify Content-MD5 (on by default): BENCH_N8N_VERIFY_MD5=0 measures the download without the check.
	verifyMd5: process.env.BENCH_N8N_VERIFY_MD5 !== '0',
	// A quick run does not replace the full results unless asked to (BENCH_N8N_OUT=file).
	out: process.env.BENCH_N8N_OUT ?? (quick ? '' : path.join(__dirname, 'N8N-RESULTS.md')),
};

const APPROACHES = ['node', 'builtin', 'sdk'];
const LABEL = { node: '(a) this node in n8n', builtin: '(b) built-in Azure Storage node', sdk: '(c) raw SDK' };

function log(message) {
	process.stderr.write(`[bench:n8n] ${message}\n`);
}

function median(values) {
	const sorted = [...values].sort((x, y) => x - y);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function sha256OfFile(file) {
	const hash = crypto.createHash('sha256');
	for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * MiB })) hash.update(chunk);
	return hash.digest('hex');
}

/** Random bytes (a fresh 8 MiB of randomness per 8 MiB) so nothing along the way can compress it. */
async function makeSourceFile(file, size) {
	const out = fs.createWriteStream(file);
	const hash = crypto.createHash('sha256');
	for (let written = 0; written < size; ) {
		const chunk = crypto.randomBytes(Math.min(8 * MiB, size - written));
		hash.update(chunk);
		if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
		written += chunk.length;
	}
	await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
	return hash.digest('hex');
}

/** Process groups of the measured commands now running (ended on SIGINT/SIGTERM). */
const runningGroups = new Set();

function killRunningGroups() {
	for (const pgid of runningGroups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
}

/**
 * Runs a command under measure-process.py; stdout goes to a file. Resolves
 * { code, wall, cpu, rssMiB, stdout, stderr } (rssMiB: peak RSS of the process tree).
 */
function measured(command, args, { cwd, env: childEnv, workDir }) {
	const id = crypto.randomBytes(4).toString('hex');
	const resultFile = path.join(workDir, `measure-${id}.json`);
	const stdoutFile = path.join(workDir, `measure-${id}.out`);
	const stderrFile = path.join(workDir, `measure-${id}.err`);
	const out = fs.openSync(stdoutFile, 'w');
	const err = fs.openSync(stderrFile, 'w');
	return new Promise((resolve, reject) => {
		const child = spawn('python3', [path.join(__dirname, 'measure-process.py'), resultFile, command, ...args], {
			cwd,
			env: childEnv,
			stdio: ['ignore', out, err],
			detached: true, // its own process group, so an interrupted run can end the whole tree
		});
		runningGroups.add(child.pid);
		child.on('error', reject);
		child.on('exit', () => {
			runningGroups.delete(child.pid);
			fs.closeSync(out);
			fs.closeSync(err);
			const stdout = fs.readFileSync(stdoutFile, 'utf8');
			const stderr = fs.readFileSync(stderrFile, 'utf8');
			for (const file of [stdoutFile, stderrFile]) fs.rmSync(file, { force: true });
			if (!fs.existsSync(resultFile)) return reject(new Error(`measure-process.py wrote no result:\n${stderr.slice(-2000)}`));
			const m = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
			fs.rmSync(resultFile, { force: true });
			resolve({
				code: m.code,
				wall: m.wall,
				cpu: m.user + m.sys,
				rssMiB: Math.max(m.peakTreeKiB, m.maxHwmKiB) / 1024,
				stdout,
				stderr,
			});
		});
	});
}

class Bench {
	constructor() {
		this.cleanups = [];
		this.results = []; // { op, sizeMiB, approach, wall, cpu, rssMiB } or { ..., failed }
		this.baselines = { idle: [], sdkIdle: [], read: {} };
		this.sources = {}; // sizeMiB -> { file, sha256, blob }
		this.crashesAtExit = 0;
		this.n8nRuns = 0;
	}

	async setUp() {
		this.runtime = await runtimeModule.ensureRuntime();
		for (const file of [path.join(ROOT, 'dist', 'nodes', 'AzureBlobStorage', 'AzureBlobStorage.node.js')]) {
			if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run npm run build (npm run bench:n8n does)`);
		}
		this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-bench-'));
		if (process.env.BENCH_N8N_KEEP === '1') log(`keeping ${this.workDir} (BENCH_N8N_KEEP=1)`);
		else this.cleanups.push(() => fs.rmSync(this.workDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 }));
		this.filesDir = path.join(this.workDir, 'files');
		this.userFolder = path.join(this.workDir, 'n8n');
		this.downloadDir = path.join(this.workDir, 'sdk-downloads');
		for (const dir of [this.filesDir, this.userFolder, this.downloadDir]) fs.mkdirSync(dir, { recursive: true });

		log('installing the packed package into a fresh n8n user folder ...');
		await env.installPackage(this.userFolder);
		this.tls = await env.createSelfSignedCertificate(path.join(this.workDir, 'tls'), { dnsNames: [ACCOUNT_HOST] });
		this.azurite = await env.startAzurite({ https: this.tls });
		this.cleanups.push(() => this.azurite.stop());
		this.pathEndpoint = this.azurite.blobEndpoint; // https://127.0.0.1:PORT/devstoreaccount1
		this.hostEndpoint = `https://${ACCOUNT_HOST}:${this.azurite.port}/`;
		log(`Azurite over HTTPS: ${this.pathEndpoint} (built-in node: ${this.hostEndpoint})`);

		this.n8nEnv = {
			NODE_EXTRA_CA_CERTS: this.tls.cert,
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			N8N_RESTRICT_FILE_ACCESS_TO: this.filesDir,
			N8N_AZURE_STORAGE_CUSTOM_ENDPOINTS_ENABLED: 'true',
			NODE_OPTIONS:
				`--require ${path.join(__dirname, 'account-host-preload.js')}` +
				(process.env.BENCH_N8N_CPU_PROFILE ? ` --cpu-prof --cpu-prof-dir=${path.resolve(process.env.BENCH_N8N_CPU_PROFILE)}` : ''),
			BENCH_ACCOUNT_HOST: ACCOUNT_HOST,
		};

		for (const sizeMiB of settings.sizes) {
			const file = path.join(this.filesDir, `source-${sizeMiB}MiB.bin`);
			log(`writing a ${sizeMiB} MiB source file ...`);
			this.sources[sizeMiB] = { file, sha256: await makeSourceFile(file, sizeMiB * MiB), blob: `source-${sizeMiB}MiB.bin` };
		}
		log(`uploading the download sources and ${settings.listCount} blobs to list (SDK) ...`);
		await this.sdkHelper({
			task: 'prepare',
			uploads: Object.values(this.sources).map(({ file, blob }) => ({ file, blob })),
			listCount: settings.listCount,
		});
		for (const [sizeMiB, source] of Object.entries(this.sources)) {
			const { sha256 } = await this.sdkHelper({ task: 'sha256', container: FILE_CONTAINER, blob: source.blob });
			if (sha256 !== source.sha256) throw new Error(`download source ${sizeMiB} MiB arrived wrong in Azurite`);
		}

		await this.importAll();
	}

	sdkSpec(extra) {
		return {
			endpoint: this.pathEndpoint,
			account: env.AZURITE_ACCOUNT,
			key: env.AZURITE_KEY,
			blockMiB: settings.blockMiB,
			parallel: settings.parallel,
			...extra,
		};
	}

	sdkEnv() {
		const childEnv = { ...process.env, NODE_EXTRA_CA_CERTS: this.tls.cert };
		delete childEnv.NODE_OPTIONS;
		return childEnv;
	}

	/** An unmeasured SDK task (preparation, checks) in a child process; resolves what it reports. */
	async sdkHelper(extra) {
		const result = await new Promise((resolve, reject) => {
			const child = spawn(this.runtime.nodeBin, [__filename, '--sdk', JSON.stringify(this.sdkSpec(extra))], {
				cwd: ROOT,
				env: this.sdkEnv(),
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (d) => (stdout += d));
			child.stderr.on('data', (d) => (stderr += d));
			child.on('error', reject);
			child.on('exit', (code) => resolve({ code, stdout, stderr }));
		});
		const line = result.stdout.split('\n').find((l) => l.startsWith('BENCH_SDK '));
		if (result.code !== 0 || !line) throw new Error(`SDK ${extra.task} failed (exit ${result.code}):\n${result.stderr.slice(-3000)}`);
		return JSON.parse(line.slice('BENCH_SDK '.length));
	}

	// ----- workflows -----

	workflowIds() {
		if (this.ids) return this.ids;
		const id = (name) => crypto.createHash('sha256').update(name).digest('hex').slice(0, 16);
		this.ids = { idle: id('idle'), list: { node: id('list-node'), builtin: id('list-builtin') }, read: {}, upload: {}, download: {} };
		for (const sizeMiB of settings.sizes) {
			this.ids.read[sizeMiB] = id(`read-${sizeMiB}`);
			this.ids.upload[sizeMiB] = { node: id(`up-node-${sizeMiB}`), builtin: id(`up-builtin-${sizeMiB}`) };
			this.ids.download[sizeMiB] = { node: id(`down-node-${sizeMiB}`), builtin: id(`down-builtin-${sizeMiB}`) };
		}
		return this.ids;
	}

	async importAll() {
		const ids = this.workflowIds();
		const nodeCredential = { id: 'benchNodeSharedK', name: 'Bench: this node, Shared Key', type: 'azureBlobStorageSharedKeyApi' };
		const builtinCredential = { id: 'benchBuiltinShar', name: 'Bench: built-in, Shared Key', type: 'azureStorageSharedKeyApi' };
		const trigger = { id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
		const read = (sizeMiB) => ({
			id: 'r',
			name: 'Read file',
			type: 'n8n-nodes-base.readWriteFile',
			typeVersion: 1.1,
			position: [220, 0],
			parameters: { operation: 'read', fileSelector: this.sources[sizeMiB].file, options: {} },
		});
		const nodeStep = (parameters) => ({
			id: 'a',
			name: 'Azure Blob Storage',
			type: env.NODE_TYPE,
			typeVersion: 1,
			position: [440, 0],
			parameters: { authentication: 'sharedKey', resource: 'blob', ...parameters },
			credentials: { azureBlobStorageSharedKeyApi: { id: nodeCredential.id, name: nodeCredential.name } },
		});
		const builtinStep = (parameters) => ({
			id: 'b',
			name: 'Azure Storage',
			type: 'n8n-nodes-base.azureStorage',
			typeVersion: 1,
			position: [440, 0],
			parameters: { authentication: 'sharedKey', resource: 'blob', ...parameters },
			credentials: { azureStorageSharedKeyApi: { id: builtinCredential.id, name: builtinCredential.name } },
		});
		const chain = (id, name, nodes) => ({
			id,
			name,
			active: false,
			nodes,
			connections: Object.fromEntries(
				nodes.slice(0, -1).map((node, i) => [node.name, { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] }]),
			),
			settings: { executionOrder: 'v1' },
		});
		const byName = (value) => ({ __rl: true, mode: 'name', value });
		const byId = (value) => ({ __rl: true, mode: 'id', value });
		const workflows = [chain(ids.idle, 'bench idle', [trigger])];
		for (const sizeMiB of settings.sizes) {
			const source = this.sources[sizeMiB];
			workflows.push(chain(ids.read[sizeMiB], `bench read ${sizeMiB}`, [trigger, read(sizeMiB)]));
			workflows.push(
				chain(ids.upload[sizeMiB].node, `bench upload ${sizeMiB} node`, [
					trigger,
					read(sizeMiB),
					nodeStep({
						operation: 'upload',
						container: byName(FILE_CONTAINER),
						blobName: `up-node-${sizeMiB}MiB.bin`,
						inputDataType: 'binary',
						binaryPropertyName: 'data',
						ifExists: 'overwrite',
						options: { blockSizeMiB: settings.blockMiB, parallelUploads: settings.parallel },
					}),
				]),
			);
			workflows.push(
				chain(ids.upload[sizeMiB].builtin, `bench upload ${sizeMiB} built-in`, [
					trigger,
					read(sizeMiB),
					builtinStep({
						operation: 'create',
						container: byId(FILE_CONTAINER),
						blobCreate: `up-builtin-${sizeMiB}MiB.bin`,
						from: 'binary',
						binaryPropertyName: 'data',
					}),
				]),
			);
			workflows.push(
				chain(ids.download[sizeMiB].node, `bench download ${sizeMiB} node`, [
					trigger,
					nodeStep({
						operation: 'download',
						container: byName(FILE_CONTAINER),
						blob: byName(source.blob),
						binaryPropertyName: 'data',
						...(settings.verifyMd5 ? {} : { options: { verifyMd5: false } }),
					}),
				]),
			);
			workflows.push(
				chain(ids.download[sizeMiB].builtin, `bench download ${sizeMiB} built-in`, [
					trigger,
					builtinStep({ operation: 'get', container: byId(FILE_CONTAINER), blob: byId(source.blob), options: {} }),
				]),
			);
		}
		if (settings.listCount > 0) {
			workflows.push(
				chain(ids.list.node, 'bench list node', [
					trigger,
					nodeStep({ operation: 'getAll', container: byName(LIST_CONTAINER), prefix: '', returnAll: true, options: { pageSize: Number(process.env.BENCH_N8N_PAGE_SIZE || 5000) } }),
				]),
			);
			workflows.push(
				chain(ids.list.builtin, 'bench list built-in', [
					trigger,
					builtinStep({ operation: 'getAll', container: byId(LIST_CONTAINER), returnAll: true, options: {} }),
				]),
			);
		}
		log(`importing ${workflows.length} workflows and 2 credentials with the n8n CLI ...`);
		// Both credentials before the workflows that use them; importWithCli takes one credential.
		await env.importWithCli(this.userFolder, {
			credential: {
				...builtinCredential,
				data: { account: env.AZURITE_ACCOUNT, key: env.AZURITE_KEY, environment: 'custom', customEndpoint: this.hostEndpoint },
			},
			workflow: workflows[0],
		});
		await env.importWithCli(this.userFolder, {
			credential: { ...nodeCredential, data: env.sharedKeyCredentialData(this.pathEndpoint) },
			workflow: workflows,
		});
	}

	// ----- measured runs -----

	/** `n8n execute --id=ID --rawOutput`, measured; resolves { m, run } or throws with n8n's reason. */
	async executeN8n(workflowId) {
		const invocation = await runtimeModule.cliInvocation(['execute', `--id=${workflowId}`, '--rawOutput'], {
			userFolder: this.userFolder,
			env: this.n8nEnv,
		});
		const m = await measured(invocation.command, invocation.args, { cwd: invocation.cwd, env: invocation.env, workDir: this.workDir });
		this.n8nRuns++;
		let run;
		try {
			run = runtimeModule.parseRawOutput(m.stdout);
		} catch {
			run = undefined;
		}
		const error = run && run.data && run.data.resultData && run.data.resultData.error;
		// n8n 2.41.1 on Node 24 sometimes dies of SIGSEGV while shutting down, after it printed the
		// finished run (also outside this benchmark, ~1 in 5 runs here); the work was done: count it.
		const crashedAtExit = m.code === -11 && run && run.status === 'success' && run.finished === true;
		if (crashedAtExit) this.crashesAtExit++;
		if ((m.code !== 0 && !crashedAtExit) || !run || error) {
			const reason = error ? `${error.message}${error.description ? ` (${error.description})` : ''}` : `exit ${m.code}`;
			const failure = new Error(reason);
			failure.details = `${m.stdout.slice(-1500)}\n${m.stderr.slice(-1500)}`;
			throw failure;
		}
		return { m, run };
	}

	async executeSdk(extra) {
		const m = await measured(this.runtime.nodeBin, [__filename, '--sdk', JSON.stringify(this.sdkSpec(extra))], {
			cwd: ROOT,
			env: this.sdkEnv(),
			workDir: this.workDir,
		});
		const line = m.stdout.split('\n').find((l) => l.startsWith('BENCH_SDK '));
		if (m.code !== 0 || !line) {
			const failure = new Error(`exit ${m.code}`);
			failure.details = m.stderr.slice(-3000);
			throw failure;
		}
		return { m, value: JSON.parse(line.slice('BENCH_SDK '.length)) };
	}

	/** n8n's filesystem binary store (2.x: <userFolder>/.n8n/storage; 1.x named it binaryData). */
	binaryStores() {
		return ['storage', 'binaryData'].map((name) => path.join(this.userFolder, '.n8n', name));
	}

	/** The one file of a binary in n8n's filesystem store (binary id "filesystem-v2:<path>"). */
	binaryFile(binary) {
		if (!binary || !binary.id) throw new Error('the download produced no binary in the filesystem store');
		const relative = binary.id.replace(/^filesystem(-v2)?:/, '');
		const file = this.binaryStores().map((store) => path.join(store, relative)).find((f) => fs.existsSync(f));
		if (!file) throw new Error(`binary ${binary.id} not found in ${this.binaryStores().join(' or ')}`);
		return file;
	}

	/** Removes what the runs left in n8n's binary store (each read of a source file copies it there). */
	clearBinaryStore() {
		for (const store of this.binaryStores()) fs.rmSync(store, { recursive: true, force: true });
	}

	record(op, sizeMiB, approach, measurement, extra = {}) {
		const entry = { op, sizeMiB, approach, wall: measurement.wall, cpu: measurement.cpu, rssMiB: measurement.rssMiB, ...extra };
		this.results.push(entry);
		const what = sizeMiB ? `${op} ${sizeMiB} MiB` : `${op} ${settings.listCount}`;
		log(`  ${what.padEnd(18)} ${approach.padEnd(8)} wall ${entry.wall.toFixed(2)} s, CPU ${entry.cpu.toFixed(2)} s, peak RSS ${entry.rssMiB.toFixed(0)} MiB`);
	}

	/** A failure of the built-in node is a finding; of this node or the SDK, a broken benchmark. */
	fail(op, sizeMiB, approach, error) {
		if (approach !== 'builtin') throw new Error(`${approach} ${op} ${sizeMiB || ''} failed: ${error.message}\n${error.details || ''}`);
		log(`  ${op} ${sizeMiB || ''} built-in FAILED: ${error.message}`);
		this.results.push({ op, sizeMiB, approach, failed: error.message.split('\n')[0].slice(0, 120) });
	}

	async baseline() {
		const idle = await this.executeN8n(this.workflowIds().idle);
		this.baselines.idle.push(idle.m);
		const sdkIdle = await this.executeSdk({ task: 'idle' });
		this.baselines.sdkIdle.push(sdkIdle.m);
		log(`  baseline: n8n idle ${idle.m.wall.toFixed(2)} s / ${idle.m.cpu.toFixed(2)} s CPU / ${idle.m.rssMiB.toFixed(0)} MiB; SDK idle ${sdkIdle.m.wall.toFixed(2)} s / ${sdkIdle.m.cpu.toFixed(2)} s CPU / ${sdkIdle.m.rssMiB.toFixed(0)} MiB`);
	}

	async upload(sizeMiB, approach) {
		const source = this.sources[sizeMiB];
		const blob = `up-${approach}-${sizeMiB}MiB.bin`;
		let m;
		try {
			if (approach === 'sdk') {
				({ m } = await this.executeSdk({ task: 'upload', container: FILE_CONTAINER, blob, file: source.file }));
			} else {
				({ m } = await this.executeN8n(this.workflowIds().upload[sizeMiB][approach]));
			}
			this.clearBinaryStore();
			const check = await this.sdkHelper({ task: 'sha256', container: FILE_CONTAINER, blob });
			if (check.sha256 !== source.sha256) throw new Error(`uploaded blob differs from the source (${check.size} bytes, sha256 ${check.sha256})`);
			await this.sdkHelper({ task: 'delete', container: FILE_CONTAINER, blob });
		} catch (error) {
			return this.fail('upload', sizeMiB, approach, error);
		}
		this.record('upload', sizeMiB, approach, m);
	}

	async download(sizeMiB, approach) {
		const source = this.sources[sizeMiB];
		let m;
		let file;
		try {
			if (approach === 'sdk') {
				file = path.join(this.downloadDir, `down-${sizeMiB}MiB.bin`);
				({ m } = await this.executeSdk({ task: 'download', container: FILE_CONTAINER, blob: source.blob, file }));
			} else {
				const result = await this.executeN8n(this.workflowIds().download[sizeMiB][approach]);
				m = result.m;
				const items = env.nodeItems(result.run, approach === 'node' ? 'Azure Blob Storage' : 'Azure Storage');
				file = this.binaryFile(items[0] && items[0].binary && items[0].binary.data);
			}
			const sha256 = await sha256OfFile(file);
			if (sha256 !== source.sha256) throw new Error(`downloaded bytes differ from the source (${fs.statSync(file).size} bytes)`);
		} catch (error) {
			return this.fail('download', sizeMiB, approach, error);
		} finally {
			if (file) fs.rmSync(file, { force: true });
			this.clearBinaryStore();
		}
		this.record('download', sizeMiB, approach, m);
	}

	async list(approach) {
		let m;
		let count;
		try {
			if (approach === 'sdk') {
				const result = await this.executeSdk({ task: 'list', container: LIST_CONTAINER });
				m = result.m;
				count = result.value.count;
			} else {
				const result = await this.executeN8n(this.workflowIds().list[approach]);
				m = result.m;
				count = env.nodeItems(result.run, approach === 'node' ? 'Azure Blob Storage' : 'Azure Storage').length;
			}
			if (count !== settings.listCount) throw new Error(`listed ${count} blobs, expected ${settings.listCount}`);
		} catch (error) {
			return this.fail('list', 0, approach, error);
		}
		this.record('list', 0, approach, m);
	}

	async runAll() {
		log('baselines ...');
		await this.baseline();
		for (let round = 1; round <= settings.repeat; round++) {
			for (const sizeMiB of settings.sizes) {
				log(`round ${round}, ${sizeMiB} MiB: baselines, then upload and download, alternating`);
				if (round > 1 || sizeMiB !== settings.sizes[0]) await this.baseline();
				const read = await this.executeN8n(this.workflowIds().read[sizeMiB]);
				(this.baselines.read[sizeMiB] ||= []).push(read.m);
				this.clearBinaryStore();
				log(`  read-only ${sizeMiB} MiB: wall ${read.m.wall.toFixed(2)} s, CPU ${read.m.cpu.toFixed(2)} s, peak RSS ${read.m.rssMiB.toFixed(0)} MiB`);
				for (const approach of APPROACHES) await this.upload(sizeMiB, approach);
				for (const approach of APPROACHES) await this.download(sizeMiB, approach);
			}
			if (settings.listCount > 0) {
				log(`round ${round}: listing ${settings.listCount} blobs`);
				await this.baseline();
				for (const approach of APPROACHES) await this.list(approach);
			}
		}
		log('baselines again ...');
		await this.baseline();
	}

	async cleanUp() {
		for (const cleanup of this.cleanups.reverse()) {
			try {
				await cleanup();
			} catch (error) {
				log(`cleanup: ${error.message}`);
			}
		}
		this.cleanups = [];
	}
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function summarize(bench) {
	const pick = (list, key) => median(list.map((m) => m[key]));
	const idle = { wall: pick(bench.baselines.idle, 'wall'), cpu: pick(bench.baselines.idle, 'cpu'), rssMiB: pick(bench.baselines.idle, 'rssMiB') };
	const sdkIdle = { wall: pick(bench.baselines.sdkIdle, 'wall'), cpu: pick(bench.baselines.sdkIdle, 'cpu'), rssMiB: pick(bench.baselines.sdkIdle, 'rssMiB') };
	const read = {};
	for (const [sizeMiB, list] of Object.entries(bench.baselines.read)) {
		read[sizeMiB] = { wall: pick(list, 'wall'), cpu: pick(list, 'cpu'), rssMiB: pick(list, 'rssMiB') };
	}
	const rows = [];
	const keys = [...new Set(bench.results.map((r) => `${r.op}|${r.sizeMiB}|${r.approach}`))];
	for (const key of keys) {
		const [op, size, approach] = key.split('|');
		const sizeMiB = Number(size);
		const all = bench.results.filter((r) => `${r.op}|${r.sizeMiB}|${r.approach}` === key);
		const failed = all.find((r) => r.failed);
		if (failed) {
			rows.push({ op, sizeMiB, approach, failed: failed.failed });
			continue;
		}
		const wall = median(all.map((r) => r.wall));
		const cpu = median(all.map((r) => r.cpu));
		const rssMiB = median(all.map((r) => r.rssMiB));
		const base = approach === 'sdk' ? sdkIdle : idle;
		const cpuBase = op === 'upload' && approach !== 'sdk' ? read[sizeMiB] : base;
		const netWall = wall - base.wall;
		const netCpu = cpu - cpuBase.cpu;
		rows.push({
			op,
			sizeMiB,
			approach,
			wall,
			cpu,
			rssMiB,
			netWall,
			netCpu,
			netRss: rssMiB - base.rssMiB,
			cpuPerGiB: sizeMiB ? netCpu / (sizeMiB / 1024) : undefined,
			mbps: sizeMiB ? (sizeMiB * MiB) / 1e6 / netWall : undefined,
		});
	}
	return { idle, sdkIdle, read, rows };
}

function fmt(value, digits = 2) {
	return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

function ratio(a, b) {
	if (a === undefined || b === undefined) return undefined;
	if (a <= 0 || b <= 0) return undefined; // a net figure at or below zero is noise: no ratio
	return a / b;
}

function report(bench, startedAt, finishedAt) {
	const { idle, sdkIdle, read, rows } = summarize(bench);
	const find = (op, sizeMiB, approach) => rows.find((r) => r.op === op && r.sizeMiB === sizeMiB && r.approach === approach);
	const lines = [];
	const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
	lines.push('# n8n benchmark: this node vs n8n\'s built-in Azure Storage node vs the raw SDK, in real n8n');
	lines.push('');
	lines.push(`Generated by \`npm run bench:n8n\` (bench/n8n.js). ${finishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
		`took ${((finishedAt - startedAt) / 60000).toFixed(1)} min.`);
	lines.push('');
	lines.push(`- Machine: ${os.cpus().length} × ${os.cpus()[0] ? os.cpus()[0].model.trim() : 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ` +
		`${os.type()} ${os.release()}; load average at the end: ${load} (at the start: ${bench.loadAtStart})`);
	lines.push(`- n8n ${runtimeModule.N8N_VERSION} on Node ${bench.nodeVersion} (\`n8n execute --id --rawOutput\`, SQLite, filesystem binary data mode); ` +
		`SDK @azure/storage-blob ${require('@azure/storage-blob/package.json').version} on the same Node; Azurite ${require('azurite/package.json').version} over HTTPS on loopback, data on disk`);
	lines.push(`- Block size ${settings.blockMiB} MiB, ${settings.parallel} parallel blocks for (a) and (c); (b) sends one Put Blob with the whole file and reads the whole blob into memory`);
	lines.push(`- (a) downloads ${settings.verifyMd5 ? 'with Verify Content-MD5 on (the default)' : '**without** Verify Content-MD5 (BENCH_N8N_VERIFY_MD5=0)'}; uploads with the default Integrity Check (whole-blob MD5)`);
	lines.push(`- Sizes ${settings.sizes.join(', ')} MiB; list ${settings.listCount} blobs; ${settings.repeat} round(s)${settings.repeat > 1 ? ' (medians)' : ''}; order within a step: (a), (b), (c)`);
	lines.push(`- Baselines (medians of ${bench.baselines.idle.length} runs, one before each step and one at the end): n8n idle workflow ${fmt(idle.wall)} s wall, ${fmt(idle.cpu)} s CPU, ${fmt(idle.rssMiB, 0)} MiB peak RSS; ` +
		`SDK idle process ${fmt(sdkIdle.wall)} s, ${fmt(sdkIdle.cpu)} s CPU, ${fmt(sdkIdle.rssMiB, 0)} MiB; read-only workflow ` +
		Object.entries(read).map(([s, r]) => `${s} MiB: ${fmt(r.wall)} s, ${fmt(r.cpu)} s CPU, ${fmt(r.rssMiB, 0)} MiB`).join('; '));
	if (bench.crashesAtExit) {
		lines.push(`- n8n ${runtimeModule.N8N_VERSION} died of SIGSEGV while shutting down in ${bench.crashesAtExit} of ${bench.n8nRuns} runs, each time after ` +
			'printing a finished, successful run (it does so outside this benchmark too); those runs count, their bytes were checked like all others');
	}
	lines.push('- Net: wall − idle wall; CPU − idle CPU (n8n uploads: − read-only CPU); RSS = peak RSS of the process tree − idle peak. Every transfer hash-checked.');
	lines.push('');
	lines.push('| Operation | Size | Approach | Wall s | CPU s | Peak RSS MiB | Net wall s | Net MB/s | Net CPU s/GiB | Net RSS MiB |');
	lines.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|');
	for (const r of rows) {
		const size = r.sizeMiB ? `${r.sizeMiB} MiB` : `${settings.listCount} blobs`;
		if (r.failed) {
			lines.push(`| ${r.op} | ${size} | ${LABEL[r.approach]} | failed: ${r.failed} | | | | | | |`);
			continue;
		}
		lines.push(`| ${r.op} | ${size} | ${LABEL[r.approach]} | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${fmt(r.rssMiB, 0)} | ${fmt(r.netWall)} | ${fmt(r.mbps, 0)} | ${fmt(r.cpuPerGiB)} | ${fmt(r.netRss, 0)} |`);
	}
	lines.push('');
	lines.push('Ratios of net figures, this node ÷ the other (lower is better for this node; – where one failed or a net figure is not above zero, i.e. within the noise of n8n\'s start-up):');
	lines.push('');
	lines.push('| Operation | Size | Wall ÷ SDK | Wall ÷ built-in | CPU/GiB ÷ SDK | CPU/GiB ÷ built-in | RSS ÷ SDK | RSS ÷ built-in |');
	lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
	const steps = [...new Set(rows.map((r) => `${r.op}|${r.sizeMiB}`))];
	for (const step of steps) {
		const [op, size] = step.split('|');
		const sizeMiB = Number(size);
		const a = find(op, sizeMiB, 'node');
		const b = find(op, sizeMiB, 'builtin');
		const c = find(op, sizeMiB, 'sdk');
		if (!a || a.failed) continue;
		const ok = (r) => r && !r.failed;
		const cells = [
			ratio(a.netWall, ok(c) ? c.netWall : undefined),
			ratio(a.netWall, ok(b) ? b.netWall : undefined),
			op === 'list' ? undefined : ratio(a.cpuPerGiB, ok(c) ? c.cpuPerGiB : undefined),
			op === 'list' ? undefined : ratio(a.cpuPerGiB, ok(b) ? b.cpuPerGiB : undefined),
			ratio(a.netRss, ok(c) ? c.netRss : undefined),
			ratio(a.netRss, ok(b) ? b.netRss : undefined),
		];
		lines.push(`| ${op} | ${sizeMiB ? `${sizeMiB} MiB` : `${settings.listCount} blobs`} | ${cells.map((v) => fmt(v)).join(' | ')} |`);
	}
	lines.push('');
	lines.push('Targets (shown, not asserted):');
	lines.push('');
	lines.push('| Target | Measured | Met |');
	lines.push('|---|---:|:---:|');
	const target = (name, value, limit, unit = 'x', note = '') => {
		if (value === undefined) return lines.push(`| ${name} | no ratio (failed, or a net figure ≤ 0: within the noise of n8n's start) | – |`);
		lines.push(`| ${name} | ${fmt(value)}${unit === 'x' ? 'x' : ` ${unit}`}${note} | ${value <= limit ? 'yes' : 'no'} |`);
	};
	const r = (op, size, approach) => {
		const row = find(op, size, approach);
		return row && !row.failed ? row : undefined;
	};
	const q = (x, y, key) => (x && y ? ratio(x[key], y[key]) : undefined);
	if (settings.sizes.includes(1024)) {
		target('upload 1 GiB: net wall ≤ 1.05x SDK', q(r('upload', 1024, 'node'), r('upload', 1024, 'sdk'), 'netWall'), 1.05);
		// The upload workflow first copies the file into n8n's binary store (Read/Write Files from
		// Disk), which the SDK process does not do: the same ratio with that step's time taken out.
		const upload = r('upload', 1024, 'node');
		const sdkUpload = r('upload', 1024, 'sdk');
		if (upload && sdkUpload && read[1024]) {
			const own = upload.wall - read[1024].wall;
			target('upload 1 GiB: wall over the read-only workflow ≤ 1.05x SDK (the node\'s own part)', own > 0 && sdkUpload.netWall > 0 ? own / sdkUpload.netWall : undefined, 1.05);
		}
		target('upload 1 GiB: CPU per GiB ≤ 2x SDK', q(r('upload', 1024, 'node'), r('upload', 1024, 'sdk'), 'cpuPerGiB'), 2);
	}
	for (const size of [1024, 256].filter((s) => settings.sizes.includes(s))) {
		const label = size === 1024 ? '1 GiB' : '256 MiB';
		target(`download ${label}: net wall ≤ 0.8x built-in`, q(r('download', size, 'node'), r('download', size, 'builtin'), 'netWall'), 0.8);
		target(`download ${label}: net wall ≤ 1.5x SDK`, q(r('download', size, 'node'), r('download', size, 'sdk'), 'netWall'), 1.5);
		target(`download ${label}: CPU per GiB ≤ built-in`, q(r('download', size, 'node'), r('download', size, 'builtin'), 'cpuPerGiB'), 1);
	}
	if (settings.listCount > 0) {
		target(`list ${settings.listCount}: net wall ≤ built-in`, q(r('list', 0, 'node'), r('list', 0, 'builtin'), 'netWall'), 1);
		target(`list ${settings.listCount}: net RSS ≤ 1.2x built-in`, q(r('list', 0, 'node'), r('list', 0, 'builtin'), 'netRss'), 1.2);
	}
	const big = Math.max(...settings.sizes);
	for (const op of settings.sizes.length ? ['upload', 'download'] : []) {
		const row = r(op, big, 'node');
		// An upload workflow first reads the file into n8n's binary store; that alone grows n8n too.
		// n8n grows by itself when a workflow handles a file of this size: its own Read/Write Files
		// from Disk node (the read-only workflow) is the yardstick for both directions.
		const overRead = row && read[big] ? ` (${fmt(row.rssMiB - read[big].rssMiB, 0)} MiB over the read-only workflow, which grows n8n by ${fmt(read[big].rssMiB - idle.rssMiB, 0)} MiB)` : '';
		target(`${op} ${big} MiB: memory growth ≤ 150 MiB${big === 1024 ? '' : ' (target is for 1 GiB)'}`, row && row.netRss, 150, 'MiB', overRead);
	}
	if (!settings.sizes.includes(1024)) lines.push('', '_The size targets are for 1 GiB and 256 MiB; this run did not include them._');
	return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const startedAt = new Date();
	const bench = new Bench();
	bench.loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(', ');
	let interrupted = false;
	const onSignal = async (signal) => {
		if (interrupted) return;
		interrupted = true;
		log(`${signal}: cleaning up ...`);
		killRunningGroups();
		await bench.cleanUp();
		process.exit(130);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	try {
		log(`sizes ${settings.sizes.join(', ')} MiB, list ${settings.listCount}, ${settings.repeat} round(s), block ${settings.blockMiB} MiB × ${settings.parallel}`);
		await bench.setUp();
		bench.nodeVersion = execFileSync(bench.runtime.nodeBin, ['--version']).toString().trim().replace(/^v/, '');
		await bench.runAll();
		const text = report(bench, startedAt, new Date());
		process.stdout.write(`\n${text}\n`);
		if (settings.out) {
			fs.writeFileSync(settings.out, `${text}\n`);
			log(`written to ${path.relative(process.cwd(), settings.out) || settings.out}`);
		}
	} finally {
		await bench.cleanUp();
	}
}

main().catch((error) => {
	log(`${error.stack || error}${error.details ? `\n${error.details}` : ''}`);
	process.exit(1);
});
