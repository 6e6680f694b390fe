/**
 * The real Azurite blob service for the tests, from the project's one launcher
 * (scripts/azurite.js): 127.0.0.1, a free port, data in a temp folder removed on stop.
 */
import type { ChildProcess } from 'child_process';

export interface AzuriteOptions {
	/** Enables bearer tokens: HTTPS with this certificate and `--oauth basic`. */
	https?: { cert: string; key: string };
	/** Write Azurite's request log (with full headers) to this file. */
	debugLog?: string;
	/** Data folder to use (and keep on stop); default: a new temp folder, removed on stop. */
	location?: string;
	/** Port to listen on; default 0 (any free one). */
	port?: number;
}

export interface RunningAzurite {
	process: ChildProcess;
	port: number;
	/** Account-level blob endpoint, path style: http://127.0.0.1:PORT/devstoreaccount1 */
	blobEndpoint: string;
	location: string;
	stop(): Promise<void>;
}

interface AzuriteLauncher {
	AZURITE_ACCOUNT: string;
	AZURITE_KEY: string;
	startAzurite(options: AzuriteOptions): Promise<RunningAzurite>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher = require('../../scripts/azurite') as AzuriteLauncher;

export const AZURITE_ACCOUNT = launcher.AZURITE_ACCOUNT;
export const AZURITE_KEY = launcher.AZURITE_KEY;

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
	return await launcher.startAzurite(options);
}
