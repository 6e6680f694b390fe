/**
 * The polling trigger in an active workflow of real n8n 2.41.1: n8n polls on its own schedule
 * (n8n refuses intervals under a minute, so the poll time is a cron at a fixed second of every
 * minute, chosen to come soon after activation), a blob uploaded with the Azure SDK starts the
 * workflow within two poll intervals, exactly once, and an overwrite then starts it once more.
 */
import { randomUUID } from 'crypto';

import {
	azure,
	byName,
	createActiveWorkflow,
	createCredential,
	deactivateWorkflow,
	devEnv,
	e2e,
	executionItems,
	executionsOf,
	triggerWorkflow,
	uniqueName,
	waitForExecutions,
	waitForStaticData,
} from './support';

const POLL_TRIGGER = `${devEnv.PACKAGE_NAME}.azureBlobStorageTrigger`;
const NODE_NAME = 'New blobs';
const MINUTE = 60_000;

/** A cron (with seconds) that fires once a minute, `lead` seconds from now. */
function everyMinuteSoon(lead: number): string {
	return `${(new Date().getUTCSeconds() + lead) % 60} * * * * *`;
}

describe('polling trigger in real n8n', () => {
	let workflowId: string;

	afterAll(async () => {
		if (workflowId) await deactivateWorkflow(workflowId);
	});

	it('an uploaded blob starts the active workflow within two poll intervals, exactly once; an overwrite once more', async () => {
		const storage = azure(e2e().blobEndpoint);
		const container = uniqueName('poll-e2e').toLowerCase();
		await storage.createContainer(container);
		await storage.getContainerClient(container).getBlockBlobClient('before.txt').uploadData(Buffer.from('was there before'));
		const credential = await createCredential(uniqueName('Azurite for polling'), 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(e2e().blobEndpoint));
		const node = {
			id: randomUUID(),
			name: NODE_NAME,
			type: POLL_TRIGGER,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			parameters: {
				authentication: 'sharedKey',
				container: byName(container),
				events: ['created', 'updated'],
				pollTimes: { item: [{ mode: 'custom', cronExpression: everyMinuteSoon(20) }] },
			},
			credentials: { [credential.type]: { id: credential.id, name: credential.name } },
		};
		// Activation polls once at once: what exists (before.txt) is the starting point, and n8n
		// saves the trigger's state right after.
		workflowId = (await createActiveWorkflow(triggerWorkflow(uniqueName('Polling trigger'), node))).id;
		const state = await waitForStaticData(workflowId, NODE_NAME);
		expect(state.state).toMatchObject({ v: 1, count: 1 });
		const uploaded = Date.now();
		await storage.getContainerClient(container).getBlockBlobClient('incoming/new.csv').uploadData(Buffer.from('a,b\n1,2\n'));

		const [created] = await waitForExecutions(workflowId, 1, 2 * MINUTE + 15_000);
		process.stderr.write(`[e2e] the upload started the workflow after ${((Date.now() - uploaded) / 1000).toFixed(0)} s\n`);
		expect(created.status).toBe('success');
		const items = await executionItems(created.id, NODE_NAME);
		expect(items.map((item) => `${item.json.event} ${item.json.name}`)).toEqual(['created incoming/new.csv']);
		expect(items[0].json).toMatchObject({ container, size: 8, url: `${e2e().blobEndpoint}/${container}/incoming/new.csv` });

		// The next poll (one minute later) must not report it again, but reports the overwrite once.
		await storage.getContainerClient(container).getBlockBlobClient('incoming/new.csv').uploadData(Buffer.from('a,b\n1,2\n3,4\n'));
		const executions = await waitForExecutions(workflowId, 2, MINUTE + 15_000);
		expect(executions).toHaveLength(2);
		const updated = await executionItems(executions[0].id, NODE_NAME);
		expect(updated.map((item) => `${item.json.event} ${item.json.name}`)).toEqual(['updated incoming/new.csv']);
		expect((await executionsOf(workflowId)).length).toBe(2);
	}, 5 * MINUTE);
});
