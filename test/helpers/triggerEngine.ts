/**
 * The package's triggers inside n8n-core's real machinery:
 *
 * - `PollHarness` runs the polling trigger the way an active workflow does in n8n 2.41: n8n-core's
 *   `PollTriggerExecutor` and `PollContext` (mode "trigger"), the activation poll first, then one
 *   `tick()` per cron firing. What n8n's database would hold is modelled after n8n's own code:
 *   static data is saved after the activation poll (active-workflow-manager.js, `add`) and when a
 *   poll emits (trigger-execution-context.factory.js, `__emit`), never after a poll that returns
 *   null; `restart()` builds a new workflow from what was saved, as n8n does when it starts.
 * - `fetchTestEvent()` is the editor's "Fetch Test Event": n8n-core's `WorkflowExecute` in manual
 *   mode, which gives the node a manual `PollContext`.
 */
import { Container } from '@n8n/di';
import { mock } from 'jest-mock-extended';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IPollFunctions,
	IRun,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, PollContext, PollTriggerExecutor, WorkflowExecute } from 'n8n-core';

import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { AzureBlobStorageEventGridTrigger } from '../../nodes/AzureBlobStorage/AzureBlobStorageEventGridTrigger.node';
import { AzureBlobStorageTrigger } from '../../nodes/AzureBlobStorage/AzureBlobStorageTrigger.node';
import { TestCredentialsHelper } from './engine';

export const POLL_TRIGGER_TYPE = 'n8n-nodes-azure-blob-storage.azureBlobStorageTrigger';
export const EVENT_GRID_TRIGGER_TYPE = 'n8n-nodes-azure-blob-storage.azureBlobStorageEventGridTrigger';
const TRIGGER_NAME = 'Blob Trigger';

class PackageNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = {
		'n8n-nodes-azure-blob-storage.azureBlobStorage': new AzureBlobStorage(),
		[POLL_TRIGGER_TYPE]: new AzureBlobStorageTrigger(),
		[EVENT_GRID_TRIGGER_TYPE]: new AzureBlobStorageEventGridTrigger(),
	};

	getByName(name: string): INodeType {
		return this.types[name];
	}

	getByNameAndVersion(name: string): INodeType {
		return this.types[name];
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/** What n8n hands a trigger: URLs, the credentials helper; unknown keys explicitly absent (n8n 2.x checks them). */
export function triggerAdditionalData(credentialsHelper: TestCredentialsHelper, hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
	const additionalData = mock<IWorkflowExecuteAdditionalData>();
	if (hooks) additionalData.hooks = hooks;
	additionalData.executionId = `exec-${Date.now()}`;
	additionalData.restApiUrl = 'http://127.0.0.1:5678/rest';
	additionalData.instanceBaseUrl = 'http://127.0.0.1:5678/';
	additionalData.webhookBaseUrl = 'http://127.0.0.1:5678/webhook';
	additionalData.webhookWaitingBaseUrl = 'http://127.0.0.1:5678/webhook-waiting';
	additionalData.webhookTestBaseUrl = 'http://127.0.0.1:5678/webhook-test';
	additionalData.formWaitingBaseUrl = 'http://127.0.0.1:5678/form-waiting';
	additionalData.variables = {};
	for (const key of [
		'currentNodeParameters',
		'encryptedRunnerIdentity',
		'evalLlmMockHandler',
		'otel',
		'ssrfBridge',
		'oauth-jwe',
		'dynamic-credentials',
		'executionContext',
		'parentExecution',
		'restartExecutionId',
		'executionTimeoutTimestamp',
		'httpRequest',
		'httpResponse',
	]) {
		(additionalData as unknown as Record<string, unknown>)[key] = undefined;
	}
	additionalData.credentialsHelper = credentialsHelper;
	return additionalData;
}

export interface TriggerSetup {
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	type?: string;
}

function triggerWorkflow(setup: TriggerSetup, staticData: IDataObject | undefined): Workflow {
	const credentials = Object.fromEntries(Object.keys(setup.credentials).map((type) => [type, { id: `${type}-id`, name: `${type} test` }]));
	return new Workflow({
		id: 'trigger-test-workflow',
		name: 'trigger test',
		nodes: [
			{
				id: 'trigger-node-1',
				name: TRIGGER_NAME,
				type: setup.type ?? POLL_TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: setup.parameters,
				credentials,
			},
		],
		connections: {},
		active: true,
		nodeTypes: new PackageNodeTypes(),
		staticData,
		settings: {},
	});
}

export interface PollOutcome {
	/** What the poll emitted (one execution's items), or undefined when it returned null. */
	items?: INodeExecutionData[];
	/** The error n8n recorded for the poll (a failed trigger execution), if any. */
	error?: Error & { description?: string | null };
}

/** An active workflow with the polling trigger, as n8n's main instance runs it. */
export class PollHarness {
	private workflow: Workflow;

	/** The workflow's static data as n8n's database would hold it (JSON). */
	saved: IDataObject | undefined;

	readonly credentialsHelper: TestCredentialsHelper;

	constructor(private readonly setup: TriggerSetup) {
		this.credentialsHelper = new TestCredentialsHelper(structuredClone(setup.credentials));
		this.workflow = triggerWorkflow(setup, undefined);
	}

	private get node(): INode {
		return this.workflow.getNode(TRIGGER_NAME)!;
	}

	/** WorkflowStaticDataService.saveStaticData: writes when something changed, then clears the flag. */
	private saveStaticData(): void {
		const staticData = this.workflow.staticData as IDataObject;
		if (staticData.__dataChanged === true) {
			this.saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			staticData.__dataChanged = false;
		}
	}

	/** The node's static data as the running workflow holds it in memory. */
	nodeStaticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node) as IDataObject;
	}

	private async runPoll(testingTrigger: boolean): Promise<PollOutcome> {
		const outcome: PollOutcome = {};
		const pollFunctions: IPollFunctions = new PollContext(
			this.workflow,
			this.node,
			triggerAdditionalData(this.credentialsHelper),
			'trigger',
			testingTrigger ? 'activate' : 'update',
			(data) => {
				outcome.items = data[0];
				this.saveStaticData();
			},
			(error) => {
				outcome.error = error as PollOutcome['error'];
			},
		);
		const executor = Container.get(PollTriggerExecutor).create(this.workflow, this.node, pollFunctions, () => true);
		try {
			await executor(testingTrigger);
		} catch (error) {
			// The activation poll's error fails the activation (n8n shows it in the editor).
			outcome.error = error as PollOutcome['error'];
		}
		return outcome;
	}

	/** Activating the workflow: n8n polls once at once, then saves the static data. */
	async activate(): Promise<PollOutcome> {
		const outcome = await this.runPoll(true);
		if (!outcome.error) this.saveStaticData();
		return outcome;
	}

	/** One scheduled poll. */
	async tick(): Promise<PollOutcome> {
		return await this.runPoll(false);
	}

	/** n8n stops and starts again: the workflow is rebuilt from the saved static data and activated. */
	async restart(): Promise<PollOutcome> {
		this.workflow = triggerWorkflow(this.setup, this.saved ? (JSON.parse(JSON.stringify(this.saved)) as IDataObject) : undefined);
		return await this.activate();
	}
}

export interface ManualResult {
	items: INodeExecutionData[];
	error?: { message: string; description?: string | null };
	staticData: IDataObject;
}

/** The editor's "Fetch Test Event": the trigger node run by WorkflowExecute in manual mode. */
export async function fetchTestEvent(setup: TriggerSetup): Promise<ManualResult> {
	const credentialsHelper = new TestCredentialsHelper(structuredClone(setup.credentials));
	const workflow = triggerWorkflow(setup, {});
	const hooks = new ExecutionLifecycleHooks('manual', `exec-${Date.now()}`, mock());
	let resolveFinished: (run: IRun) => void = () => undefined;
	const finished = new Promise<IRun>((resolve) => (resolveFinished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveFinished(run));
	const additionalData = triggerAdditionalData(credentialsHelper, hooks);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: workflow.getNode(TRIGGER_NAME)!, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});
	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	void execution.processRunExecutionData(workflow);
	const run = await finished;
	const nodeRun = run.data.resultData.runData[TRIGGER_NAME]?.[0];
	return {
		items: nodeRun?.data?.main?.[0] ?? [],
		error: (nodeRun?.error ?? run.data.resultData.error) as ManualResult['error'],
		staticData: workflow.staticData as IDataObject,
	};
}
