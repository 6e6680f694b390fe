/**
 * Both triggers in n8n's editor, driven with Debian's Chromium through playwright-core: the node
 * picker lists them, and each opens with its fields. Screenshots go to docs/screenshots/trigger-*.png.
 * Needs /usr/bin/chromium (apt-get install chromium) or CHROMIUM_PATH.
 */
import { randomUUID } from 'crypto';
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';

import { byName, createCredential, devEnv, e2e, rest, triggerWorkflow, uniqueName } from './support';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOTS = join(devEnv.ROOT, 'docs', 'screenshots');

describe('the triggers in n8n\'s editor (Chromium)', () => {
	let browser: Browser;
	let page: Page;
	let pollingWorkflow: string;
	let eventGridWorkflow: string;

	beforeAll(async () => {
		if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
		mkdirSync(SCREENSHOTS, { recursive: true });
		const credential = await createCredential('Azurite (local emulator, Shared Key)', 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(e2e().blobEndpoint));
		const polling = triggerWorkflow(uniqueName('New invoices'), {
			id: randomUUID(),
			name: 'New invoices',
			type: `${devEnv.PACKAGE_NAME}.azureBlobStorageTrigger`,
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				authentication: 'sharedKey',
				pollTimes: { item: [{ mode: 'everyMinute' }] },
				container: byName('invoices'),
				events: ['created', 'updated'],
				prefix: 'incoming/',
				options: { nameFilter: '*.pdf, *.csv', maxEvents: 100 },
			},
			credentials: { [credential.type]: { id: credential.id, name: credential.name } },
		});
		const eventGrid = triggerWorkflow(uniqueName('Blob events'), {
			id: randomUUID(),
			name: 'Blob events',
			type: `${devEnv.PACKAGE_NAME}.azureBlobStorageEventGridTrigger`,
			typeVersion: 1,
			position: [0, 0],
			parameters: { secret: 'replace-with-a-long-random-secret', eventTypes: ['BlobCreated', 'BlobDeleted'], container: 'invoices', authentication: 'sharedKey' },
			credentials: { [credential.type]: { id: credential.id, name: credential.name } },
		});
		(eventGrid.nodes[0] as unknown as Record<string, unknown>).webhookId = randomUUID();
		const save = async (workflow: typeof polling) => {
			const { id: _id, active: _active, ...body } = workflow;
			return (await rest<{ id: string }>('POST', '/rest/workflows', body)).id;
		};
		pollingWorkflow = await save(polling);
		eventGridWorkflow = await save(eventGrid);

		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { chromium } = require('playwright-core') as typeof import('playwright-core');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
		page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(60_000);
		await page.goto(`${e2e().baseUrl}/signin`);
		await page.locator('input[name=emailOrLdapLoginId]').fill(e2e().owner.email);
		await page.locator('input[name=password]').fill(e2e().owner.password);
		await page.locator('[data-test-id=form-submit-button]').click();
		await page.waitForURL((url) => !url.pathname.includes('signin'));
	});

	afterAll(async () => {
		await browser?.close();
	});

	it('the node picker offers both triggers as first steps', async () => {
		await page.goto(`${e2e().baseUrl}/workflow/new`);
		await page.locator('[data-test-id=canvas-add-button]').click();
		await page.locator('[data-test-id=node-creator]').waitFor();
		await page.keyboard.type('Azure Blob');
		// n8n lists a trigger named after its app ("X Trigger") under the app's name.
		const items = page.locator('[data-test-id=node-creator-item-name]');
		await items.filter({ hasText: /^Azure Blob Storage Event Grid Trigger$/ }).first().waitFor();
		await items.filter({ hasText: /^Azure Blob Storage$/ }).first().waitFor();
		await page.getByText('Starts the workflow when blobs are created, updated or deleted in a container, by polling').waitFor();
		await page.waitForTimeout(800);
		await page.screenshot({ path: join(SCREENSHOTS, 'trigger-picker.png') });
	});

	async function openNode(workflow: string, nodeName: string, fields: string[], screenshot: string, prepare?: () => Promise<void>) {
		await page.goto(`${e2e().baseUrl}/workflow/${workflow}`);
		const node = page.locator('[data-test-id=canvas-node]').filter({ hasText: nodeName });
		await node.waitFor();
		await node.dblclick();
		const panel = page.locator('[data-test-id=ndv]');
		await panel.waitFor();
		for (const field of fields) await panel.locator('[data-test-id=parameter-item]').filter({ hasText: field }).first().waitFor();
		await prepare?.();
		await page.waitForTimeout(800);
		await page.screenshot({ path: join(SCREENSHOTS, screenshot) });
		const toasts = await page.locator('.el-notification--error, [role=alert].el-notification').allInnerTexts();
		expect(toasts).toEqual([]);
	}

	it('the polling trigger opens with its poll times, container, events, folder and options', async () => {
		await openNode(pollingWorkflow, 'New invoices', ['Poll Times', 'Container', 'Events', 'Folder (Prefix)', 'File Name Filter'], 'trigger-polling.png');
	});

	it('the Event Grid trigger opens with its webhook URLs, secret, filters and the credential to download with', async () => {
		await openNode(eventGridWorkflow, 'Blob events', ['Shared Secret', 'Secret Location', 'Event Types', 'Container'], 'trigger-eventgrid.png', async () => {
			// Unfold the webhook URLs: the production URL is what the Event Grid subscription needs.
			const panel = page.locator('[data-test-id=ndv]');
			await panel.getByText('Webhook URLs').click();
			await panel.locator('[data-test-id=radio-button-production]').click();
			await panel.getByText(/\/webhook\/[0-9a-f-]+\/blob-events/).first().waitFor();
		});
		await expect(page.locator('[data-test-id=ndv] [data-test-id=node-credentials-select] input').first().inputValue()).resolves.toContain('Azurite');
	});
});
