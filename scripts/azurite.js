'use strict';
/**
 * Azurite (Microsoft's storage emulator, a devDependency) for the tests, the benchmark, the demo,
 * `npm start` and the n8n 1.x check: the blob service on 127.0.0.1, a free port unless one is
 * given, data on disk (a temp folder unless `location` is given; a temp folder is removed on
 * stop), optionally HTTPS with `--oauth basic` for bearer tokens.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Starts Azurite's blob service on 127.0.0.1.
 * @param {{ location?: string, port?: number, https?: { cert: string, key: string }, debugLog?: string }} [options]
 *   location: data folder (default: a new temp folder, removed on stop); port: 0 = any free one;
 *   https: certificate + key, which also turns on `--oauth basic` (bearer tokens).
 * @returns {Promise<{ port: number, blobEndpoint: string, location: string, process: import('child_process').ChildProcess, stop(): Promise<void> }>}
 */
async function startAzurite({ location, port = 0, https, debugLog } = {}) {
	const temporary = !location;
	location = location || fs.mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
	fs.mkdirSync(location, { recursive: true });
	const args = [
		require.resolve('azurite/dist/src/blob/main.js', { paths: [ROOT] }),
		'--blobHost', '127.0.0.1',
		'--blobPort', String(port),
		'--location', location,
		'--disableTelemetry',
		'--skipApiVersionCheck',
		'--loose',
	];
	if (https) args.push('--cert', https.cert, '--key', https.key, '--oauth', 'basic');
	if (debugLog) args.push('--debug', debugLog);
	const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	const stop = () =>
		new Promise((resolve) => {
			const done = () => {
				if (temporary) fs.rmSync(location, { recursive: true, force: true });
				resolve();
			};
			if (child.exitCode !== null || child.signalCode !== null) return done();
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			child.once('exit', () => {
				clearTimeout(timer);
				done();
			});
			child.kill('SIGTERM');
		});
	const actualPort = await new Promise((resolve, reject) => {
		let output = '';
		const timer = setTimeout(() => reject(new Error(`Azurite did not start within 60 s:\n${output}`)), 60_000);
		const onData = (data) => {
			output += data.toString();
			const match = /listens? on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(Number(match[1]));
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Azurite exited (${code}) before it listened:\n${output}`));
		});
	}).catch(async (error) => {
		await stop();
		throw error;
	});
	child.stdout.resume();
	child.stderr.resume();
	return {
		port: actualPort,
		blobEndpoint: `${https ? 'https' : 'http'}://127.0.0.1:${actualPort}/${AZURITE_ACCOUNT}`,
		location,
		process: child,
		stop,
	};
}

module.exports = { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite };
