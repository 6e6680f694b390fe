/**
 * A loopback HTTP proxy in front of Azurite that sees every request the node sends and can break
 * chosen ones the way a network or a server does: drop the connection, answer 500, or flip a
 * byte of the body on its way. Faults Azurite cannot produce come from here, never from stubs
 * of the SDK.
 */
import http from 'http';
import type { AddressInfo } from 'net';

/** What the proxy saw of one request. */
export interface SeenRequest {
	method: string;
	/** Path and query as sent, e.g. /devstoreaccount1/c/b?comp=block&blockid=... */
	url: string;
	/** 'block' for Put Block, 'blocklist' for Put Block List, '' for a plain request. */
	comp: string;
	status?: number;
	/** The fault applied to it, if any. */
	fault?: Fault;
}

export type Fault = 'drop' | 'error500' | 'corrupt';

/** Decides per request whether to break it; `index` counts requests with the same comp, from 1. */
export type FaultRule = (request: { method: string; comp: string; index: number; url: string }) => Fault | undefined;

export interface FaultProxy {
	/** Account-level blob endpoint through the proxy: http://127.0.0.1:PORT/devstoreaccount1 */
	blobEndpoint: string;
	seen: SeenRequest[];
	/** Replaces the rule deciding which requests break (default: none). */
	setRule(rule: FaultRule | undefined): void;
	/** Forgets what was seen, restarts the per-comp counters, removes the rule and the hook. */
	reset(): void;
	/** Called each time Azurite answered a Put Block with success. */
	onBlockStaged?: (stagedSoFar: number) => void;
	close(): Promise<void>;
}

const AZURE_500 =
	'<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code>' +
	'<Message>Server encountered an internal error. Please try again after some time.</Message></Error>';

export async function startFaultProxy(target: string): Promise<FaultProxy> {
	const upstream = new URL(target);
	const account = upstream.pathname.replace(/\/$/, '');
	const seen: SeenRequest[] = [];
	const counters = new Map<string, number>();
	let rule: FaultRule | undefined;
	let staged = 0;

	const server = http.createServer((req, res) => {
		const url = req.url ?? '/';
		const comp = new URL(url, 'http://x').searchParams.get('comp') ?? '';
		const method = req.method ?? 'GET';
		const key = `${method} ${comp}`;
		const index = (counters.get(key) ?? 0) + 1;
		counters.set(key, index);
		const record: SeenRequest = { method, url, comp };
		seen.push(record);
		const fault = rule?.({ method, comp, index, url });
		record.fault = fault;

		if (fault === 'drop') {
			// Read a little of the body first so the client is mid-request, then cut the line.
			req.once('data', () => req.socket.destroy());
			req.once('end', () => req.socket.destroy());
			return;
		}
		if (fault === 'error500') {
			req.resume();
			req.once('end', () => {
				record.status = 500;
				res.writeHead(500, { 'content-type': 'application/xml', 'x-ms-error-code': 'InternalError' });
				res.end(AZURE_500);
			});
			return;
		}

		const forward = http.request(
			{
				host: upstream.hostname,
				port: upstream.port,
				method,
				path: url,
				headers: { ...req.headers, host: upstream.host },
			},
			(answer) => {
				record.status = answer.statusCode;
				if (method === 'PUT' && comp === 'block' && answer.statusCode === 201) {
					staged += 1;
					proxy.onBlockStaged?.(staged);
				}
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		forward.on('error', () => res.destroy());
		res.on('close', () => {
			if (!res.writableFinished) forward.destroy();
		});
		if (fault === 'corrupt') {
			// Flip one bit of the first body chunk; the length stays right, the content does not.
			let flipped = false;
			req.on('data', (chunk: Buffer) => {
				if (!flipped && chunk.length > 0) {
					chunk = Buffer.from(chunk);
					chunk[0] ^= 0x01;
					flipped = true;
				}
				forward.write(chunk);
			});
			req.on('end', () => forward.end());
		} else {
			req.pipe(forward);
		}
	});

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const proxy: FaultProxy = {
		blobEndpoint: `http://127.0.0.1:${port}${account}`,
		seen,
		setRule(next) {
			rule = next;
		},
		reset() {
			seen.length = 0;
			counters.clear();
			rule = undefined;
			staged = 0;
			proxy.onBlockStaged = undefined;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	return proxy;
}
