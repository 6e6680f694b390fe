/**
 * Activating a workflow with the Event Grid trigger: n8n-core's HookContext runs the node's
 * webhook lifecycle, which refuses settings that cannot authenticate deliveries, naming the field
 * and never showing the secret.
 */
import type { IHookFunctions, INodeParameters } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { HookContext } from 'n8n-core';

import { AzureBlobStorageEventGridTrigger } from '../../nodes/AzureBlobStorage/AzureBlobStorageEventGridTrigger.node';
import { TestCredentialsHelper } from '../helpers/engine';
import { EVENT_GRID_TRIGGER_TYPE, triggerAdditionalData } from '../helpers/triggerEngine';

const node = new AzureBlobStorageEventGridTrigger();

function activation(parameters: INodeParameters): IHookFunctions {
	const workflow = new Workflow({
		id: 'eg-activation',
		nodes: [{ id: 'n1', name: 'Blob events', type: EVENT_GRID_TRIGGER_TYPE, typeVersion: 1, position: [0, 0], parameters, webhookId: 'a0b1c2d3' }],
		connections: {},
		active: true,
		nodeTypes: { getByName: () => node, getByNameAndVersion: () => node, getKnownTypes: () => ({}) },
	});
	return new HookContext(workflow, workflow.getNode('Blob events')!, triggerAdditionalData(new TestCredentialsHelper({})), 'trigger', 'activate');
}

async function activate(parameters: INodeParameters): Promise<boolean> {
	const hooks = node.webhookMethods.default;
	const ctx = activation(parameters);
	if (await hooks.checkExists.call(ctx)) return true;
	return await hooks.create.call(ctx);
}

describe('activating the Event Grid trigger', () => {
	it('succeeds with a usable secret', async () => {
		await expect(activate({ secret: 'a-long-enough-secret-0123' })).resolves.toBe(true);
		await expect(node.webhookMethods.default.delete.call(activation({}))).resolves.toBe(true);
	});

	it.each([
		[{ secret: '' }, 'Shared Secret is empty'],
		[{ secret: 'tiny-1' }, 'Shared Secret has 6 characters; use at least 16'],
		[{ secret: 'has&ampersand=12345' }, 'Shared Secret has characters other than letters, digits'],
		[{ secret: 'a-long-enough-secret-0123', container: 'Invoices' }, 'Container "Invoices" has upper-case letters'],
		[{ secret: 'a-long-enough-secret-0123', eventTypes: [] }, 'Event Types is empty'],
		[{ secret: 'a-long-enough-secret-0123', secretLocation: 'header', headerName: 'X Secret' }, 'Header Name must be letters, digits'],
		[{ secret: 'a-long-enough-secret-0123', eventOptions: { maxBodySize: 0 } }, 'Max Body Size (KiB) must be a whole number from 1 to 16,384; got 0'],
	])('refuses %j, naming the field', async (parameters, message) => {
		const error = await activate(parameters as INodeParameters).catch((e: Error & { description?: string }) => e);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toContain(message);
		const secret = (parameters as { secret: string }).secret;
		if (secret) expect(JSON.stringify([(error as Error).message, (error as { description?: string }).description])).not.toContain(secret);
	});
});
