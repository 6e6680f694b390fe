// Runs in every test worker before the test file: n8n-core reads its user folder (where the
// filesystem binary data store lives) when it is first loaded.
import 'reflect-metadata';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// Inside the run's temp folder (removed by globalTeardown) when jest's globalSetup made one.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(process.env.N8N_TEST_TMP ?? tmpdir(), 'n8n-user-'));
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
