/**
 * Executes the node inside the real n8n engine (n8n-core's WorkflowExecute), the way n8n runs a
 * workflow: parameters are resolved by n8n, credentials come through a credentials helper, and
 * binary data goes through n8n's BinaryDataService (in memory, or on disk in filesystem mode).
 */
import { Container } from '@n8n/di';
import { mock } from 'jest-mock-extended';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, ICredentialsHelper, Workflow } from 'n8n-workflow';
import { BinaryDataService, Credentials, ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';

import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { AzureBlobStorageConnectionStringApi } from '../../credentials/AzureBlobStorageConnectionStringApi.credentials';
import { AzureBlobStorageSasApi } from '../../credentials/AzureBlobStorageSasApi.credentials';
import { AzureBlobStorageSharedKeyApi } from '../../credentials/AzureBlobStorageSharedKeyApi.credentials';
import { AzureBlobStorageClientCredentialsOAuth2Api } from '../../credentials/AzureBlobStorageClientCredentialsOAuth2Api.credentials';
import { AzureBlobStorageOAuth2Api } from '../../credentials/AzureBlobStorageOAuth2Api.credentials';
import { credentialProperties, OAuth2ApiBase, parentTypesOf, resolveCredentialData } from './oauthCredentials';

export const NODE_TYPE = 'n8n-nodes-azure-blob-storage.azureBlobStorage';
const NODE_NAME = 'Azure Blob Storage';

export const credentialTypes: Record<string, ICredentialType> = Object.fromEntries(
	[
		new AzureBlobStorageSharedKeyApi(),
		new AzureBlobStorageConnectionStringApi(),
		new AzureBlobStorageSasApi(),
		new AzureBlobStorageOAuth2Api(),
		new AzureBlobStorageClientCredentialsOAuth2Api(),
		new OAuth2ApiBase(),
	].map((type) => [type.name, type]),
);

/** What n8n would persist for a credential during a run (OAuth2 token refreshes). */
export interface PersistedUpdate {
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** Serves stored credential data to the engine and records what n8n persists back. */
export class TestCredentialsHelper extends ICredentialsHelper {
	readonly persisted: PersistedUpdate[] = [];

	constructor(
		private readonly store: Record<string, ICredentialDataDecryptedObject>,
		private readonly parentTypes: Record<string, string[]> = {},
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		return this.parentTypes[name] ?? parentTypesOf(credentialTypes, name);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestOptions: IHttpRequestOptions) {
		const authenticate = credentialTypes[typeName]?.authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string) {
		return new Credentials({ id: nodeCredentials.id, name: nodeCredentials.name }, type, '');
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		_details: INodeCredentialsDetails,
		type: string,
		_mode?: unknown,
		_executeData?: unknown,
		raw?: boolean,
	) {
		const data = this.store[type];
		if (!data) throw new Error(`No test credential of type ${type}`);
		// OAuth2 types: like n8n, add defaults and resolve the hidden expressions (token URL, scope).
		if (!raw && credentialTypes[type]?.extends) {
			return await resolveCredentialData(credentialTypes, type, structuredClone(data), additionalData);
		}
		return structuredClone(data);
	}

	async updateCredentials(_details: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.store[type] = structuredClone(data);
		this.persisted.push({ type, data: structuredClone(data) });
	}

	async updateCredentialsOauthTokenData(_details: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		// n8n saves only the token data here; the rest of the stored credential stays as it was.
		const oauthTokenData = structuredClone(data.oauthTokenData);
		this.store[type] = { ...this.store[type], oauthTokenData };
		this.persisted.push({ type, data: { oauthTokenData } });
	}

	getCredentialsProperties(type: string) {
		return credentialTypes[type] ? credentialProperties(credentialTypes, type) : [];
	}
}

class TestNodeTypes implements INodeTypes {
	private readonly node = new AzureBlobStorage();

	getByName(): INodeType {
		return this.node;
	}

	getByNameAndVersion(): INodeType {
		return this.node;
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

export type BinaryDataMode = 'default' | 'filesystem';

/**
 * Switches n8n's binary data store: 'default' keeps files inline as base64 (n8n 1.x's default),
 * 'filesystem' writes them under the user folder and hands out ids (n8n 2.x's default).
 */
export async function useBinaryDataMode(mode: BinaryDataMode): Promise<void> {
	const service = Container.get(BinaryDataService) as unknown as {
		config: { mode: string };
		init(): Promise<void>;
	};
	if (mode === 'filesystem') {
		service.config.mode = 'filesystem';
		await service.init();
	} else {
		(service as unknown as { mode: string }).mode = 'default';
	}
}

export interface RunOptions {
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	parentTypes?: Record<string, string[]>;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** Aborts the execution when this signal fires (like pressing "Stop" in the editor). */
	cancelAfter?: (cancel: () => void) => void;
	/**
	 * A credentials helper shared with other runs (one credential store, as n8n's database is
	 * shared by its processes); `credentials` then only names the types.
	 */
	credentialsHelper?: TestCredentialsHelper;
	/** The stored credential's id (n8n serialises token refreshes per id within one process). */
	credentialId?: string;
}

export interface RunResult {
	items: INodeExecutionData[];
	/** The error the node failed with, as n8n recorded it (undefined on success). */
	error?: { message: string; description?: string | null; httpCode?: string | null; [key: string]: unknown };
	run: IRun;
	credentialsHelper: TestCredentialsHelper;
}

interface NodeSetup {
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	parentTypes?: Record<string, string[]>;
	continueOnFail?: boolean;
	credentialId?: string;
}

/** A one-node workflow holding the node with these parameters and credentials. */
function buildWorkflow(options: NodeSetup): Workflow {
	const nodeCredentials = Object.fromEntries(
		Object.keys(options.credentials).map((type) => [type, { id: options.credentialId ?? `${type}-id`, name: `${type} test` }]),
	);
	return new Workflow({
		id: 'test-workflow',
		name: 'test',
		nodes: [
			{
				id: 'node-1',
				name: NODE_NAME,
				type: NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: options.parameters,
				credentials: nodeCredentials,
				onError: options.continueOnFail ? 'continueRegularOutput' : undefined,
			},
		],
		connections: {},
		active: false,
		nodeTypes: new TestNodeTypes(),
		settings: {},
	});
}

/** What n8n hands every execution context: URLs, hooks and the credentials helper. */
function buildAdditionalData(
	credentialsHelper: TestCredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
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
	// jest-mock-extended answers every unknown property with a mock function; n8n 2.x checks
	// these for presence and must see them as absent.
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
	]) {
		(additionalData as unknown as Record<string, unknown>)[key] = undefined;
	}
	additionalData.credentialsHelper = credentialsHelper;
	return additionalData;
}

export async function runNode(options: RunOptions): Promise<RunResult> {
	const credentialsHelper = options.credentialsHelper ?? new TestCredentialsHelper(structuredClone(options.credentials), options.parentTypes);
	const workflow = buildWorkflow(options);

	const hooks = new ExecutionLifecycleHooks('manual', `exec-${Date.now()}`, mock());
	let resolveFinished: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveFinished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveFinished(run));
	const additionalData = buildAdditionalData(credentialsHelper, hooks);

	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{
					node: workflow.getNode(NODE_NAME)!,
					data: { main: [options.items ?? [{ json: {} }]] },
					source: null,
				},
			],
		},
	});

	const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	let execution: ReturnType<WorkflowExecute['processRunExecutionData']>;
	try {
		execution = workflowExecute.processRunExecutionData(workflow);
	} catch (issues) {
		// n8n refuses to start a node whose parameters have issues (e.g. a failed field regex).
		return { items: [], error: issues as RunResult['error'], run: undefined as unknown as IRun, credentialsHelper };
	}
	options.cancelAfter?.(() => execution.cancel());
	const run = await finished;

	const nodeRun = run.data.resultData.runData[NODE_NAME]?.[0];
	const error = (nodeRun?.error ?? run.data.resultData.error) as RunResult['error'];
	return {
		items: nodeRun?.data?.main?.[0] ?? [],
		error,
		run,
		credentialsHelper,
	};
}

/**
 * The context n8n gives a node's list-search methods while someone edits the node: the
 * parameters as currently entered in the editor, and the node's credentials.
 */
export function loadOptionsContext(options: NodeSetup, path = 'parameters.container'): ILoadOptionsFunctions {
	const credentialsHelper = new TestCredentialsHelper(structuredClone(options.credentials), options.parentTypes);
	const workflow = buildWorkflow(options);
	const additionalData = buildAdditionalData(credentialsHelper);
	additionalData.currentNodeParameters = options.parameters;
	return new LoadOptionsContext(workflow, workflow.getNode(NODE_NAME)!, additionalData, path);
}
