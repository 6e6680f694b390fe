/**
 * Starts the real Azurite blob service on 127.0.0.1 with a free port, persisting to a temp
 * folder (so large blobs do not sit in memory), and stops it again.
 */
import { spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
	/** Enables bearer tokens: HTTPS with this certificate and `--oauth basic`. */
	https?: { cert: string; key: string };
	/** Write Azurite's request log (with full headers) to this file. */
	debugLog?: string;
}

export interface RunningAzurite {
	process: ChildProcess;
	port: number;
	/** Account-level blob endpoint, path style: http://127.0.0.1:PORT/devstoreaccount1 */
	blobEndpoint: string;
	location: string;
	stop(): Promise<void>;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
	const location = mkdtempSync(join(tmpdir(), 'azurite-'));
	const bin = require.resolve('azurite/dist/src/blob/main.js');
	const args = [
		bin,
		'--blobHost', '127.0.0.1',
		'--blobPort', '0',
		'--location', location,
		'--disableTelemetry',
		'--skipApiVersionCheck',
		'--loose',
	];
	if (options.https) args.push('--cert', options.https.cert, '--key', options.https.key, '--oauth', 'basic');
	if (options.debugLog) args.push('--debug', options.debugLog);
	const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });

	const port = await new Promise<number>((resolve, reject) => {
		let output = '';
		const timer = setTimeout(() => reject(new Error(`Azurite did not start within 60 s:\n${output}`)), 60_000);
		const onData = (data: Buffer) => {
			output += data.toString();
			const match = /listens? on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(Number(match[1]));
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Azurite exited with ${code}:\n${output}`));
		});
	});
	child.stdout!.resume();
	child.stderr!.resume();
	const scheme = options.https ? 'https' : 'http';
	return {
		process: child,
		port,
		location,
		blobEndpoint: `${scheme}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
		async stop() {
			if (child.exitCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
				await exited;
				clearTimeout(timer);
			}
			rmSync(location, { recursive: true, force: true });
		},
	};
}
