'use strict';
/**
 * n8n in queue mode on one machine, as a company runs it on several: PostgreSQL and Redis
 * (scripts/queue-services.js), one main (`n8n start`: editor, REST API, webhooks, pollers, puts
 * executions on the queue) and workers (`n8n worker`: take executions off the queue and run them).
 *
 * What each process gets, and why:
 * - EXECUTIONS_MODE=queue, the same N8N_ENCRYPTION_KEY (credentials are encrypted in the shared
 *   database), the same DB_* (PostgreSQL) and QUEUE_BULL_REDIS_* (Redis).
 * - Its own user folder with this package in `.n8n/nodes/node_modules` (n8n loads community
 *   packages from there in every process; when a package is installed in the editor, the main
 *   tells the workers through Redis to install it too). Here the packed package is installed into
 *   the main's folder the way n8n installs it, and that folder is copied to each worker's.
 * - OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true, so "Execute workflow" in the editor (POST
 *   /rest/workflows/:id/run) runs on a worker too; production executions always do.
 * - No N8N_DEFAULT_BINARY_DATA_MODE: queue mode's default applies, which is `database`
 *   (n8n-core binary-data.config.js).
 * - Workers: a health server on a free port of 127.0.0.1 (QUEUE_HEALTH_CHECK_*), used to wait
 *   until each is ready; each writes its own log, which says "Worker started execution N", so a
 *   test can tell which worker ran an execution.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const devEnv = require('../../scripts/dev-env');
const runtime = require('../../scripts/n8n-runtime');
const { startPostgres, startRedis } = require('../../scripts/queue-services');

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function httpStatus(url) {
	return new Promise((resolve) => {
		const request = http.get(url, (response) => {
			response.resume();
			resolve(response.statusCode);
		});
		request.on('error', () => resolve(0));
		request.setTimeout(5_000, () => request.destroy());
	});
}

function logTail(file, lines = 40) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/** Ends a detached child's process group (n8n and its task runner); resolves when it exited. */
function stopGroup(child, graceMs = 15_000) {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const signal = (name) => {
			try {
				process.kill(-child.pid, name);
			} catch {
				try {
					child.kill(name);
				} catch {
					// gone
				}
			}
		};
		const timer = setTimeout(() => signal('SIGKILL'), graceMs);
		child.once('exit', () => {
			clearTimeout(timer);
			signal('SIGKILL');
			resolve();
		});
		signal('SIGTERM');
	});
}

/**
 * Starts `n8n worker` with its own user folder and log.
 * @returns {Promise<{ name: string, userFolder: string, logFile: string, process: import('child_process').ChildProcess, stop(): Promise<void> }>}
 */
async function startWorker(options) {
	// Ports are picked free but taken a few seconds later, on a machine where other processes pick
	// ports too: a worker that finds one taken is started again with new ones.
	for (let attempt = 1; ; attempt++) {
		try {
			return await startWorkerOnce(options);
		} catch (error) {
			if (attempt >= 3 || !/already in use/i.test(String(error.message))) throw error;
			process.stderr.write(`[queue] ${options.name}: a port was taken meanwhile, starting it again\n`);
		}
	}
}

async function startWorkerOnce({ name, userFolder, env, concurrency, timeoutMs = 180_000 }) {
	const rt = await runtime.ensureRuntime();
	const healthPort = await runtime.freePort();
	const brokerPort = await runtime.freePort();
	const logFile = path.join(userFolder, `${name}.log`);
	const out = fs.openSync(logFile, 'a');
	const child = spawn(rt.nodeBin, [rt.n8nBin, 'worker', `--concurrency=${concurrency}`], {
		cwd: userFolder,
		env: runtime.n8nEnv({
			runtime: rt,
			userFolder,
			brokerPort,
			env: {
				...env,
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			},
		}),
		stdio: ['ignore', out, out],
		detached: true,
	});
	fs.closeSync(out);
	const worker = { name, userFolder, logFile, process: child, stop: () => stopGroup(child) };
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; ${logFile}:\n${logTail(logFile)}`);
		}
		if ((await httpStatus(`http://127.0.0.1:${healthPort}/healthz/readiness`)) === 200) break;
		if (Date.now() > deadline) {
			await worker.stop();
			throw new Error(`${name} not ready after ${timeoutMs / 1000} s; ${logFile}:\n${logTail(logFile)}`);
		}
		await sleep(500);
	}
	return worker;
}

/**
 * PostgreSQL, Redis, a main and `workers` workers, all with the packed package.
 * @param {{ workDir: string, workers?: number, concurrency?: number, env?: Record<string,string> }} options
 *   env: extra variables for every n8n process (e.g. NODE_EXTRA_CA_CERTS).
 */
async function startQueueCluster({ workDir, workers = 2, concurrency = 5, env = {} }) {
	const started = Date.now();
	const stoppers = [];
	const stopAll = async () => {
		for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
	};
	try {
		const [postgres, redis] = await Promise.all([startPostgres({ parentDir: workDir }), startRedis({ parentDir: workDir })]);
		stoppers.push(postgres.stop, redis.stop);
		const sharedEnv = {
			...postgres.env,
			...redis.env,
			EXECUTIONS_MODE: 'queue',
			N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('base64url'),
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			...env,
		};
		const mainFolder = path.join(workDir, 'main');
		await devEnv.installPackage(mainFolder);
		const workerFolders = Array.from({ length: workers }, (_, i) => path.join(workDir, `worker-${i + 1}`));
		for (const folder of workerFolders) {
			fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
			fs.cpSync(path.join(mainFolder, '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), { recursive: true });
		}
		// The main first: it creates the schema in PostgreSQL, which the workers then expect.
		const main = await runtime.startN8n({ userFolder: mainFolder, env: sharedEnv });
		stoppers.push(main.stop);
		const workerList = [];
		const starting = workerFolders.map((folder, i) =>
			startWorker({ name: `worker-${i + 1}`, userFolder: folder, env: sharedEnv, concurrency }).then((worker) => {
				stoppers.push(worker.stop);
				workerList[i] = worker;
			}),
		);
		const outcomes = await Promise.allSettled(starting);
		const failed = outcomes.find((o) => o.status === 'rejected');
		if (failed) throw failed.reason;
		process.stderr.write(`[queue] main ${main.baseUrl} + ${workers} workers ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
		return { main, workers: workerList, postgres, redis, env: sharedEnv, stop: stopAll };
	} catch (error) {
		await stopAll();
		throw error;
	}
}

module.exports = { startQueueCluster, startWorker, stopGroup };
