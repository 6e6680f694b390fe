/**
 * One Azurite for the whole test run; workers find it through AZURITE_BLOB_ENDPOINT. Each test
 * file's n8n user folder (its binary data store) goes into one temp folder of the run, removed at
 * the end (globalTeardown).
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { startAzurite, type RunningAzurite } from './azurite';

declare global {
	var __AZURITE__: RunningAzurite | undefined;
	var __TEST_TMP__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
	globalThis.__TEST_TMP__ = mkdtempSync(join(tmpdir(), 'n8n-nodes-azure-blob-tests-'));
	process.env.N8N_TEST_TMP = globalThis.__TEST_TMP__;
	const azurite = await startAzurite();
	globalThis.__AZURITE__ = azurite;
	process.env.AZURITE_BLOB_ENDPOINT = azurite.blobEndpoint;
}
