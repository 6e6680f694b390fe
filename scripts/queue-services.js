'use strict';
/**
 * What n8n's queue mode needs besides n8n: PostgreSQL and Redis from Debian's packages
 * (`postgresql`, `redis-server`; `.ci/run` installs them), started by the test run as plain child
 * processes on 127.0.0.1 with free ports and their data in a temp folder, never as system
 * services, and removed again by stop(). Plain Node.js (CommonJS, stdlib only).
 *
 * PostgreSQL refuses to run as root (initdb and postgres both exit), and CI runs as root: there
 * the server runs as the `postgres` user that Debian's package creates, through spawn's uid/gid.
 * Durability is off (fsync, synchronous_commit, full_page_writes): a test database need not
 * survive a power cut, and the 2-core machine is shared.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

function log(message) {
	process.stderr.write(`[queue-services] ${message}\n`);
}

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

/** The bin folder of the newest PostgreSQL under /usr/lib/postgresql/<version>/bin (or $POSTGRES_BIN_DIR). */
function postgresBinDir() {
	if (process.env.POSTGRES_BIN_DIR) return process.env.POSTGRES_BIN_DIR;
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
		: [];
	versions.sort((a, b) => Number(b) - Number(a));
	if (!versions.length) {
		throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres): apt-get install postgresql');
	}
	return path.join(root, versions[0], 'bin');
}

function redisBinary() {
	for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (fs.existsSync(candidate)) return candidate;
	throw new Error('Redis is not installed (no redis-server): apt-get install redis-server');
}

/** uid/gid to run PostgreSQL as: ourselves, or the `postgres` user when we are root. */
function postgresUser() {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
	let uid;
	let gid;
	try {
		uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	} catch {
		throw new Error('Running as root, and PostgreSQL refuses root: the "postgres" user (created by Debian\'s postgresql package) is missing');
	}
	return { uid, gid };
}

function chownTree(dir, { uid, gid }) {
	if (uid === undefined) return;
	fs.chownSync(dir, uid, gid);
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) chownTree(full, { uid, gid });
		else fs.chownSync(full, uid, gid);
	}
}

function run(command, args, options = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output}`))));
	});
}

/** Resolves once `pattern` appears in the child's output; rejects if it exits first or on timeout. */
function waitForOutput(child, pattern, label, timeoutMs) {
	return new Promise((resolve, reject) => {
		let output = '';
		const timer = setTimeout(() => reject(new Error(`${label} did not start within ${timeoutMs / 1000} s:\n${output.slice(-3000)}`)), timeoutMs);
		const onData = (data) => {
			output += data.toString();
			if (pattern.test(output)) {
				clearTimeout(timer);
				resolve(output);
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code, signal) => {
			clearTimeout(timer);
			reject(new Error(`${label} exited (${code ?? signal}) before it was ready:\n${output.slice(-3000)}`));
		});
	});
}

/** Sends `signal`, waits for the exit, SIGKILL after `graceMs`. */
function stopChild(child, signal, graceMs = 10_000) {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve();
		});
		child.kill(signal);
	});
}

/**
 * Starts a throw-away PostgreSQL on 127.0.0.1 (free port; TCP only, no Unix socket).
 * @returns {Promise<{ host: string, port: number, user: string, password: string, database: string,
 *   dataDir: string, env: Record<string,string>, psql(sql: string): Promise<string>, stop(): Promise<void> }>}
 *   env: the DB_* variables that point n8n at it.
 */
async function startPostgres({ parentDir } = {}) {
	const started = Date.now();
	const bin = postgresBinDir();
	const owner = postgresUser();
	// Running as the postgres user, it must be able to reach its folder: the shared temp dir then,
	// since a caller's private work folder (mode 0700, owned by root) is closed to it.
	const root = fs.mkdtempSync(path.join(owner.uid === undefined && parentDir ? parentDir : os.tmpdir(), 'postgres-'));
	const dataDir = path.join(root, 'data');
	const user = 'n8n';
	const password = `pw-${Math.random().toString(36).slice(2)}`;
	const database = 'n8n';
	fs.writeFileSync(path.join(root, 'pwfile'), `${password}\n`);
	chownTree(root, owner);
	const asOwner = { ...owner, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };
	await run(path.join(bin, 'initdb'), [
		'-D', dataDir, '-U', user, `--pwfile=${path.join(root, 'pwfile')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync', '--locale=C',
	], asOwner);
	const port = await freePort();
	const child = spawn(
		path.join(bin, 'postgres'),
		[
			'-D', dataDir,
			'-c', 'listen_addresses=127.0.0.1',
			'-c', `port=${port}`,
			'-c', 'unix_socket_directories=',
			'-c', 'fsync=off',
			'-c', 'synchronous_commit=off',
			'-c', 'full_page_writes=off',
			'-c', 'max_connections=200',
			'-c', 'shared_buffers=128MB',
		],
		{ ...asOwner, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const stop = async () => {
		await stopChild(child, 'SIGINT'); // "fast shutdown"
		fs.rmSync(root, { recursive: true, force: true });
	};
	try {
		await waitForOutput(child, /database system is ready to accept connections/, 'PostgreSQL', 60_000);
	} catch (error) {
		await stop();
		throw error;
	}
	child.stdout.resume();
	child.stderr.resume();
	const clientEnv = { ...process.env, PGPASSWORD: password, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: user };
	const psql = (sql, db = database) => run(path.join(bin, 'psql'), ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], { env: clientEnv });
	try {
		await psql(`CREATE DATABASE ${database}`, 'postgres');
	} catch (error) {
		await stop();
		throw error;
	}
	log(`PostgreSQL (${path.basename(path.dirname(bin))}) on 127.0.0.1:${port}, data in ${dataDir}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return {
		host: '127.0.0.1',
		port,
		user,
		password,
		database,
		dataDir,
		process: child,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_USER: user,
			DB_POSTGRESDB_PASSWORD: password,
			DB_POSTGRESDB_DATABASE: database,
		},
		psql: (sql) => psql(sql),
		stop,
	};
}

/**
 * Starts a throw-away Redis on 127.0.0.1 (free port, no persistence, working dir in a temp folder).
 * @returns {Promise<{ host: string, port: number, env: Record<string,string>, stop(): Promise<void> }>}
 *   env: the QUEUE_BULL_REDIS_* variables that point n8n at it.
 */
async function startRedis({ parentDir } = {}) {
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(parentDir || os.tmpdir(), 'redis-'));
	const port = await freePort();
	const child = spawn(
		redisBinary(),
		['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'notice'],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const stop = async () => {
		await stopChild(child, 'SIGTERM');
		fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		await waitForOutput(child, /Ready to accept connections/, 'Redis', 30_000);
	} catch (error) {
		await stop();
		throw error;
	}
	child.stdout.resume();
	child.stderr.resume();
	log(`Redis on 127.0.0.1:${port}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return {
		host: '127.0.0.1',
		port,
		process: child,
		env: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) },
		stop,
	};
}

module.exports = { startPostgres, startRedis, postgresBinDir, freePort };

if (require.main === module) {
	// `node scripts/queue-services.js`: start both, print where, stop on Ctrl-C (for trying things by hand).
	(async () => {
		const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
		log(`env: ${Object.entries({ ...postgres.env, ...redis.env }).map(([k, v]) => `${k}=${v}`).join(' ')}`);
		const shutdown = async () => {
			await Promise.all([postgres.stop(), redis.stop()]);
			process.exit(0);
		};
		process.on('SIGINT', shutdown);
		process.on('SIGTERM', shutdown);
	})().catch((error) => {
		log(error.stack || String(error));
		process.exit(1);
	});
}
