/**
 * The node in n8n's editor, driven with Debian's Chromium through playwright-core: log in, find
 * the node in the node picker and add it to a new workflow through one of its actions, open the
 * example workflow, open the node's panel and its credential dialog. Screenshots go to docs/screenshots/ (shown in the README).
 * Needs /usr/bin/chromium (apt-get install chromium) or CHROMIUM_PATH.
 */
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';

import { createCredential, devEnv, e2e, rest, uniqueName } from './support';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOTS = join(devEnv.ROOT, 'docs', 'screenshots');

describe('the node in n8n\'s editor (Chromium)', () => {
	let browser: Browser;
	let page: Page;
	let workflowId: string;
	let credentialName: string;

	beforeAll(async () => {
		if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
		mkdirSync(SCREENSHOTS, { recursive: true });
		credentialName = 'Azurite (local emulator, Shared Key)';
		const credential = await createCredential(credentialName, 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(e2e().blobEndpoint));
		const example = devEnv.loadExampleWorkflow(devEnv.EXAMPLE_WORKFLOW_FILE, credential);
		example.name = uniqueName('Example');
		workflowId = (await devEnv.ensureWorkflow(runtimeSession(), example)).id;

		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { chromium } = require('playwright-core') as typeof import('playwright-core');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(60_000);
	});

	afterAll(async () => {
		await browser?.close();
	});

	function runtimeSession() {
		return { baseUrl: e2e().baseUrl, cookie: e2e().cookie };
	}

	it('the owner logs in to the editor with email and password', async () => {
		await page.goto(`${e2e().baseUrl}/signin`);
		await page.locator('input[name=emailOrLdapLoginId]').fill(e2e().owner.email);
		await page.locator('input[name=password]').fill(e2e().owner.password);
		await page.locator('[data-test-id=form-submit-button]').click();
		await page.waitForURL((url) => !url.pathname.includes('signin'));
		expect(new URL(page.url()).pathname).toMatch(/^\/home/);
	});

	it('the node picker finds "Azure Blob Storage" from this package', async () => {
		await page.goto(`${e2e().baseUrl}/workflow/new`);
		await page.locator('[data-test-id=canvas-add-button]').click();
		await page.locator('[data-test-id=node-creator]').waitFor();
		await page.keyboard.type('Azure Blob');
		// A new workflow opens the picker on triggers: n8n lists the node under its app name together
		// with the package's polling trigger ("X Trigger" goes under "X"), plus the Event Grid trigger.
		const items = page.locator('[data-test-id=node-creator-item-name]');
		await items.filter({ hasText: /^Azure Blob Storage$/ }).first().waitFor();
		await items.filter({ hasText: /^Azure Blob Storage Event Grid Trigger$/ }).first().waitFor();
		await page.screenshot({ path: join(SCREENSHOTS, 'node-picker.png') });
	});

	it('opening the node in the example workflow shows its fields and the selected credential', async () => {
		await page.goto(`${e2e().baseUrl}/workflow/${workflowId}`);
		const node = page.locator('[data-test-id=canvas-node]').filter({ hasText: 'Upload blob' });
		await node.waitFor();
		await node.dblclick();
		const panel = page.locator('[data-test-id=ndv]');
		await panel.waitFor();
		for (const field of ['Container', 'Blob Name', 'Input Data', 'If Blob Exists']) {
			await panel.locator('[data-test-id=parameter-item]').filter({ hasText: field }).first().waitFor();
		}
		await expect(panel.locator('[data-test-id=node-credentials-select] input').inputValue()).resolves.toBe(credentialName);
		await page.waitForTimeout(500); // let the panel's open animation finish
		await page.screenshot({ path: join(SCREENSHOTS, 'node-panel.png') });
	});

	it('the credential dialog opens from the panel, shows the Shared Key fields and n8n\'s connection test passes', async () => {
		await page.locator('[data-test-id=credential-edit-button]').click();
		const dialog = page.locator('[data-test-id=editCredential-modal]');
		await dialog.waitFor();
		await expect(dialog.locator('[data-test-id=parameter-input-accountName] input').inputValue()).resolves.toBe(devEnv.AZURITE_ACCOUNT);
		await dialog.locator('[data-test-id=parameter-input-accountKey]').waitFor();
		await expect(dialog.locator('[data-test-id=parameter-input-endpoint] input').inputValue()).resolves.toBe(e2e().blobEndpoint);
		await expect(dialog.locator('[data-test-id=credential-name]').first().innerText()).resolves.toContain(credentialName);
		// n8n runs the node's credential test against Azurite when the dialog opens.
		await dialog.getByText('Connection tested successfully').waitFor();
		await page.waitForTimeout(500);
		await page.screenshot({ path: join(SCREENSHOTS, 'credential-dialog.png') });
	});

	it('nothing the editor loaded for the node failed (no error toasts)', async () => {
		const toasts = await page.locator('.el-notification--error, [role=alert].el-notification').allInnerTexts();
		expect(toasts).toEqual([]);
		await rest('GET', '/rest/credentials'); // the session is still valid
	});
});
