import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { testBlobStorageCredential } from './methods/credentialTest';
import { downloadContent } from './trigger/blobContent';
import { connectTrigger } from './trigger/connection';
import { authenticationProperty } from './helpers/credentialChoices';
import { binaryPropertyOption } from './trigger/descriptions';
import type { StorageEvent } from './trigger/eventGridPayload';
import { abuseProtectionHeaders, eventItemJson, matchesFilter, parseDelivery, parseSubject } from './trigger/eventGridPayload';
import type { EventGridSettings } from './trigger/parameters';
import { readEventGridSettings } from './trigger/parameters';
import { readRequestBody } from './trigger/requestBody';
import { secretMatches } from './trigger/sharedSecret';
import type { BlobStorageConnection } from './transport/client';
import { containerClient } from './transport/client';
import { parseBlobUrl } from './transport/endpoints';
import { toNodeError } from './transport/errors';

/** How long a delivery's body may take to arrive. */
const BODY_TIMEOUT_MS = 30_000;

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Answers the request here (n8n sends nothing more) and starts no execution. */
function answer(res: Response, status: number, body: IDataObject, headers: Record<string, string> = {}): IWebhookResponseData {
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

function givenSecret(ctx: IWebhookFunctions, settings: EventGridSettings): unknown {
	if (settings.secretLocation === 'header') return ctx.getHeaderData()[settings.secretName];
	return (ctx.getQueryData() as Record<string, unknown>)[settings.secretName];
}

/** The blob of a BlobCreated event, downloaded with the node's credential, pinned to the event's ETag. */
async function attachBlob(
	ctx: IWebhookFunctions,
	connection: BlobStorageConnection,
	event: StorageEvent,
	item: INodeExecutionData,
	settings: EventGridSettings,
): Promise<void> {
	const { container, name } = parseSubject(event.subject);
	const url = typeof event.data.url === 'string' ? event.data.url : '';
	let account: string | undefined;
	try {
		account = parseBlobUrl(url).accountName;
	} catch {
		account = undefined;
	}
	if (!container || !name || !account) {
		item.json.downloadSkipped = 'The event names no blob that can be downloaded';
		return;
	}
	if (account !== connection.accountName) {
		item.json.downloadSkipped = `The event is about storage account "${account}", but the credential is for "${connection.accountName}"`;
		return;
	}
	const content = await downloadContent(ctx.helpers, {
		blobClient: containerClient(connection, container).getBlobClient(name),
		blobName: name,
		etag: typeof event.data.eTag === 'string' ? event.data.eTag : undefined,
		binaryPropertyName: settings.binaryPropertyName,
	});
	if (content.skipped) item.json.downloadSkipped = content.skipped;
	if (content.binary) item.binary = content.binary;
}

async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	// n8n 2.41 answers OPTIONS itself (204) before any node runs; should a version route it here,
	// this answers CloudEvents' abuse-protection handshake.
	if (req.method === 'OPTIONS') {
		const headers = abuseProtectionHeaders(req.headers);
		return answer(res, headers ? 200 : 400, headers ? {} : { error: 'Not a CloudEvents abuse-protection request' }, headers);
	}

	let settings: EventGridSettings;
	try {
		settings = readEventGridSettings(this);
	} catch {
		// Activation refuses such settings with the reason; a caller learns nothing about them.
		return answer(res, 500, { error: 'The trigger is not set up correctly' });
	}
	const given = givenSecret(this, settings);
	const authenticated = secretMatches(given, settings.secret);
	// A secret that is present but wrong is refused at once; the body is not read.
	if (!authenticated && (given !== undefined || settings.secretLocation === 'query')) {
		return answer(res, 401, { error: 'Unauthorized' }, { Connection: 'close' });
	}

	const read = await readRequestBody(req, settings.maxBodyBytes, BODY_TIMEOUT_MS);
	if (read.kind === 'tooLarge') {
		return answer(res, 400, { error: `The body is larger than ${settings.maxBodyBytes} bytes (Max Body Size)` }, { Connection: 'close' });
	}
	if (read.kind === 'unreadable') return answer(res, 400, { error: read.reason }, { Connection: 'close' });
	const delivery = parseDelivery(read.body.toString('utf8'));
	if (delivery.kind === 'invalid') return answer(res, 400, { error: delivery.reason });
	if (delivery.kind === 'validation') {
		// With the secret in a header (a delivery property) the handshake is answered without it:
		// it only echoes the code Event Grid sent, and Azure may send it without custom headers.
		return answer(res, 200, { validationResponse: delivery.validationCode });
	}
	if (!authenticated) return answer(res, 401, { error: 'Unauthorized' });

	const filter = {
		types: settings.eventTypes,
		container: settings.container || undefined,
		subjectBeginsWith: settings.subjectBeginsWith || undefined,
		subjectEndsWith: settings.subjectEndsWith || undefined,
	};
	const events = delivery.events.filter((event) => matchesFilter(event, filter));
	if (events.length === 0) return answer(res, 200, { received: delivery.events.length, started: false });

	const items: INodeExecutionData[] = events.map((event) => ({ json: eventItemJson(event) }));
	if (settings.authentication !== 'none' && events.some((event) => event.type === 'Microsoft.Storage.BlobCreated')) {
		const connection = await connectTrigger(this, settings.authentication);
		try {
			for (let i = 0; i < events.length; i++) {
				if (events[i].type === 'Microsoft.Storage.BlobCreated') await attachBlob(this, connection, events[i], items[i], settings);
			}
		} catch (error) {
			// n8n answers 500 and Event Grid delivers again later.
			throw toNodeError(this.getNode(), error, { secrets: connection.secrets, sas: connection.sas });
		}
	}
	return { workflowData: [items] };
}

export class AzureBlobStorageEventGridTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Azure Blob Storage Event Grid Trigger',
		name: 'azureBlobStorageEventGridTrigger',
		icon: { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["eventTypes"] || []).join(", ") }}',
		description: 'Starts the workflow the moment Azure Event Grid reports a blob created, deleted, renamed or re-tiered',
		defaults: { name: 'Azure Blob Storage Event Grid Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'azureBlobStorageSharedKeyApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['sharedKey'] } },
			},
			{
				name: 'azureBlobStorageConnectionStringApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['connectionString'] } },
			},
			{
				name: 'azureBlobStorageSasApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['sas'] } },
			},
			{
				name: 'azureBlobStorageOAuth2Api',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
			{
				name: 'azureBlobStorageClientCredentialsOAuth2Api',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['clientCredentials'] } },
			},
			{
				name: 'azureBlobStorageClientCertificateApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['clientCertificate'] } },
			},
			{
				name: 'azureBlobStorageManagedIdentityApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['managedIdentity'] } },
			},
			{
				name: 'azureBlobStorageWorkloadIdentityApi',
				required: true,
				testedBy: 'azureBlobStorageCredentialTest',
				displayOptions: { show: { authentication: ['workloadIdentity'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'blob-events',
			},
		],
		properties: [
			{
				displayName:
					'Create an Event Grid subscription on the storage account with this node\'s Production URL as a Web Hook endpoint, adding the secret to it (see the README). Use the Event Grid Schema: n8n answers the CloudEvents schema\'s OPTIONS handshake itself, so that handshake needs a proxy rule.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Shared Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				description:
					'A random value of 16 or more letters, digits, "-", "_", "." or "~" that Event Grid sends with every delivery. Deliveries without it are refused with 401 and start nothing.',
			},
			{
				displayName: 'Secret Location',
				name: 'secretLocation',
				type: 'options',
				default: 'query',
				options: [
					{
						name: 'Query Parameter',
						value: 'query',
						description: 'Part of the endpoint URL in the subscription, e.g. ...?code=SECRET',
					},
					{
						name: 'Header (Delivery Property)',
						value: 'header',
						description: 'A static delivery property of the subscription, marked as secret',
					},
				],
			},
			{
				displayName: 'Query Parameter Name',
				name: 'queryParameterName',
				type: 'string',
				default: 'code',
				displayOptions: { show: { secretLocation: ['query'] } },
			},
			{
				displayName: 'Header Name',
				name: 'headerName',
				type: 'string',
				default: 'X-Event-Secret',
				displayOptions: { show: { secretLocation: ['header'] } },
			},
			{
				displayName: 'Event Types',
				name: 'eventTypes',
				type: 'multiOptions',
				required: true,
				default: ['BlobCreated'],
				options: [
					{ name: 'Async Operation Initiated', value: 'AsyncOperationInitiated' },
					{ name: 'Blob Created', value: 'BlobCreated' },
					{ name: 'Blob Deleted', value: 'BlobDeleted' },
					{ name: 'Blob Renamed (Hierarchical Namespace)', value: 'BlobRenamed' },
					{ name: 'Blob Tier Changed', value: 'BlobTierChanged' },
					{ name: 'Directory Created (Hierarchical Namespace)', value: 'DirectoryCreated' },
					{ name: 'Directory Deleted (Hierarchical Namespace)', value: 'DirectoryDeleted' },
					{ name: 'Directory Renamed (Hierarchical Namespace)', value: 'DirectoryRenamed' },
				],
				description: 'Events that start the workflow; others are acknowledged and ignored. Filtering in the subscription as well saves deliveries.',
			},
			{
				displayName: 'Container',
				name: 'container',
				type: 'string',
				default: '',
				placeholder: 'e.g. invoices',
				description: 'Only events about blobs in this container. Empty: every container of the account.',
			},
			{
				...authenticationProperty,
				options: [{ name: 'None (Events Only, No Download)', value: 'none' }, ...(authenticationProperty.options ?? [])],
				default: 'none',
				description:
					'To output the blob of each Blob Created event as a file, pick how to sign in to the storage account (downloaded with that credential, exactly the version the event reports). Event Grid waits 30 s for an answer and delivers again after that: for large files, download in the workflow instead.',
			},
			{
				displayName: 'Options',
				name: 'eventOptions',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Max Body Size (KiB)',
						name: 'maxBodySize',
						type: 'number',
						default: 1024,
						typeOptions: { minValue: 1, maxValue: 16384 },
						description: 'Deliveries with a larger body are refused with 400. Event Grid sends at most 1 MiB per delivery.',
					},
					{
						...binaryPropertyOption,
						displayOptions: { hide: { '/authentication': ['none'] } },
					},
					{
						displayName: 'Subject Begins With',
						name: 'subjectBeginsWith',
						type: 'string',
						default: '',
						placeholder: 'e.g. /blobServices/default/containers/invoices/blobs/2024/',
						description: 'Only events whose subject starts with this text (any case), as in Event Grid\'s own subject filter',
					},
					{
						displayName: 'Subject Ends With',
						name: 'subjectEndsWith',
						type: 'string',
						default: '',
						placeholder: 'e.g. .csv',
						description: 'Only events whose subject ends with this text (any case)',
					},
				],
			},
			{
				// n8n parses a webhook's body before the node runs, and answers malformed JSON with
				// 422, unless a version-1 node's options.binaryData is set (n8n's
				// webhook-helpers.js, parseRequestBody). The node reads and checks the body itself,
				// so that a malformed or oversized delivery gets 400, which Event Grid does not retry.
				displayName: 'Raw Body',
				name: 'options',
				type: 'hidden',
				default: { binaryData: true },
			},
		],
	};

	methods = {
		credentialTest: { azureBlobStorageCredentialTest: testBlobStorageCredential },
	};

	/**
	 * The Event Grid subscription lives in Azure and is created there by the user (creating it
	 * needs Azure Resource Manager rights, which storage credentials do not grant). Activation
	 * checks that the node can authenticate deliveries; nothing is registered or removed remotely.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				readEventGridSettings(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}
}
