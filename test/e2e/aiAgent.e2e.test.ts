/**
 * The node as a tool of n8n's AI Agent, in the real n8n 2.41. n8n offers every node with
 * `usableAsTool: true` as a generated tool node type named after it plus "Tool"
 * (`<package>.azureBlobStorageTool`, see n8n's tool-generation/ai-tools.js); its parameters take
 * `$fromAI(...)` expressions, which become the tool's arguments.
 *
 * The chat model is n8n's "OpenAI Chat Model" node whose credential's Base URL (the `url` field
 * of `openAiApi`) points at a loopback OpenAI-compatible server written here. It answers
 * /v1/chat/completions with a script: first a call of the "list blobs" tool, then (after seeing
 * the tool result) a call of the "get properties" tool for a blob named in that result, then a
 * final text built from the second tool result. The test checks that the tool results came back
 * into the conversation (the server saw tool messages with the blob names and properties) and
 * the workflow's final output. The workflow starts with a Webhook (published through the REST
 * API), so it runs inside the already running n8n instead of a new `n8n execute` process.
 */
import { randomUUID } from 'crypto';
import http from 'http';
import type { AddressInfo } from 'net';

import {
	azure,
	blobStorageNode,
	byName,
	createActiveWorkflow,
	createCredential,
	deactivateWorkflow,
	devEnv,
	e2e,
	executionItems,
	executionResultText,
	httpRequest,
	NODE_TYPE,
	uniqueName,
	waitForExecutions,
	workflowId,
} from './support';

interface ChatMessage {
	role: string;
	content?: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
	stream?: boolean;
}

function text(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

/** A loopback OpenAI-compatible chat server that answers with the test's script. */
async function startFakeOpenAi(script: (request: ChatRequest, turn: number) => ChatMessage) {
	const requests: ChatRequest[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: `not here: ${req.method} ${req.url}` } }));
				return;
			}
			const request = JSON.parse(body) as ChatRequest;
			requests.push(request);
			let message: ChatMessage;
			try {
				message = script(request, requests.length);
			} catch (error) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: String(error) } }));
				return;
			}
			const finish = message.tool_calls ? 'tool_calls' : 'stop';
			const id = `chatcmpl-${randomUUID()}`;
			const created = Math.floor(Date.now() / 1000);
			if (request.stream) {
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				const delta = message.tool_calls
					? { role: 'assistant', tool_calls: message.tool_calls.map((call, index) => ({ index, id: call.id, type: 'function', function: call.function })) }
					: { role: 'assistant', content: message.content };
				res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
				res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`);
				res.end('data: [DONE]\n\n');
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					id,
					object: 'chat.completion',
					created,
					model: request.model,
					choices: [{ index: 0, message: { role: 'assistant', content: message.content ?? null, tool_calls: message.tool_calls?.map((c) => ({ ...c, type: 'function' })) }, finish_reason: finish }],
					usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
				}),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return { url: `http://127.0.0.1:${port}/v1`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function toolNamed(request: ChatRequest, fragment: RegExp): string {
	const tool = request.tools?.find((t) => fragment.test(t.function.name));
	if (!tool) throw new Error(`no tool matching ${fragment} among ${JSON.stringify(request.tools?.map((t) => t.function.name))}`);
	return tool.function.name;
}

function toolResults(request: ChatRequest): string[] {
	return request.messages.filter((m) => m.role === 'tool').map((m) => text(m.content));
}

it('the AI Agent lists a container through the node, then reads a blob it found, and answers from the results', async () => {
	const storage = azure(e2e().blobEndpoint);
	const container = uniqueName('agent');
	await storage.getContainerClient(container).create();
	const blobs = { 'reports/q1-summary.csv': 'a,b\n1,2\n', 'reports/q2-summary.csv': 'a,b\n3,4\n5,6\n', 'other/skip.txt': 'x' };
	for (const [name, body] of Object.entries(blobs)) await storage.getContainerClient(container).getBlockBlobClient(name).uploadData(Buffer.from(body));

	let chosenBlob = '';
	const fake = await startFakeOpenAi((request, turn) => {
		if (turn === 1) {
			return { role: 'assistant', content: null, tool_calls: [{ id: 'call_list', function: { name: toolNamed(request, /list/i), arguments: JSON.stringify({ prefix: 'reports/' }) } }] };
		}
		if (turn === 2) {
			// Pick the blob from what the tool returned, as a model would.
			const listed = toolResults(request).join('\n');
			const match = /reports\/q2-summary\.csv/.exec(listed);
			if (!match) throw new Error(`the list tool result does not name the blob: ${listed.slice(0, 500)}`);
			chosenBlob = match[0];
			return { role: 'assistant', content: null, tool_calls: [{ id: 'call_props', function: { name: toolNamed(request, /propert/i), arguments: JSON.stringify({ blobName: chosenBlob }) } }] };
		}
		const properties = toolResults(request).slice(-1)[0] ?? '';
		const size = /"size"\s*:\s*(\d+)/.exec(properties)?.[1] ?? /\\"size\\"\s*:\s*(\d+)/.exec(properties)?.[1];
		return { role: 'assistant', content: `${chosenBlob} has ${size} bytes.` };
	});

	try {
		const blobCredential = await createCredential(uniqueName('Shared Key'), 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(e2e().blobEndpoint));
		const openAi = await createCredential(uniqueName('OpenAI loopback'), 'openAiApi', { apiKey: 'sk-test-loopback', url: fake.url, header: false });

		const listTool = {
			...blobStorageNode('List blobs', blobCredential, {
				resource: 'blob',
				operation: 'getAll',
				container: byName(container),
				prefix: "={{ $fromAI('prefix', 'Only blobs whose names start with this, e.g. reports/', 'string') }}",
				returnAll: true,
			}),
			type: `${NODE_TYPE}Tool`,
			position: [200, 300] as [number, number],
		};
		const propertiesTool = {
			...blobStorageNode('Get blob properties', blobCredential, {
				resource: 'blob',
				operation: 'getProperties',
				container: byName(container),
				blob: { __rl: true, mode: 'name', value: "={{ $fromAI('blobName', 'The full name of the blob', 'string') }}" },
			}),
			type: `${NODE_TYPE}Tool`,
			position: [400, 300] as [number, number],
		};
		const hookPath = uniqueName('agent-hook');
		const workflow = {
			id: workflowId(),
			name: uniqueName('AI Agent with Azure Blob Storage tools'),
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: randomUUID(),
					name: 'Start',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: randomUUID(),
					parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'lastNode', options: {} },
				},
				{
					id: randomUUID(),
					name: 'AI Agent',
					type: '@n8n/n8n-nodes-langchain.agent',
					typeVersion: 3.1,
					position: [220, 0],
					parameters: { promptType: 'define', text: `Which report in container ${container} is larger, and how large is it?`, options: {} },
				},
				{
					id: randomUUID(),
					name: 'OpenAI Chat Model',
					type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
					typeVersion: 1.3,
					position: [0, 300],
					// Version 1.3 defaults to OpenAI's Responses API; this server speaks Chat Completions.
					parameters: { model: { __rl: true, mode: 'id', value: 'gpt-test' }, responsesApiEnabled: false, options: {} },
					credentials: { openAiApi: { id: openAi.id, name: openAi.name } },
				},
				listTool,
				propertiesTool,
			],
			connections: {
				Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
				'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
				'List blobs': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
				'Get blob properties': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			},
		};
		const created = await createActiveWorkflow(workflow as never);
		// n8n applies a published workflow's webhooks in the background: retry while it answers 404.
		let answer = await httpRequest('POST', `/webhook/${hookPath}`, { headers: { 'content-type': 'application/json' }, body: '{}' });
		for (let i = 0; i < 40 && answer.status === 404; i++) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			answer = await httpRequest('POST', `/webhook/${hookPath}`, { headers: { 'content-type': 'application/json' }, body: '{}' });
		}
		const [execution] = await waitForExecutions(created.id, 1, 60_000);
		await deactivateWorkflow(created.id);
		// On failure, say why: n8n's error for the run.
		const why = execution.status === 'success' ? '' : (await executionResultText(execution.id)).slice(0, 3000);
		expect({ status: execution.status, requests: fake.requests.length, answer: answer.status, why }).toEqual({ status: 'success', requests: 3, answer: 200, why: '' });

		// The model was called three times; the tool results came back into the conversation.
		expect(fake.requests).toHaveLength(3);
		const toolNames = fake.requests[0].tools?.map((t) => t.function.name) ?? [];
		expect(toolNames).toHaveLength(2);
		const firstResult = toolResults(fake.requests[1]).join('\n');
		expect(firstResult).toContain('reports/q1-summary.csv');
		expect(firstResult).toContain('reports/q2-summary.csv');
		expect(firstResult).not.toContain('other/skip.txt');
		const secondResult = toolResults(fake.requests[2]).slice(-1)[0];
		expect(secondResult).toContain('reports/q2-summary.csv');
		expect(secondResult).toMatch(/size\\?"\s*:\s*12/);

		const output = await executionItems(execution.id, 'AI Agent');
		expect(output).toHaveLength(1);
		expect(output[0].json.output).toBe('reports/q2-summary.csv has 12 bytes.');
		expect(answer.json()).toMatchObject({ output: 'reports/q2-summary.csv has 12 bytes.' });
	} finally {
		await fake.close();
	}
}, 150_000);
