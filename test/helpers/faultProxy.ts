/**
 * A loopback HTTP proxy in front of Azurite that sees every request the node sends and can break
 * chosen ones the way a network or a server does: drop or reset the connection (while the request
 * or the answer is under way), stall (stop reading the request, hold the answer, or stop half-way
 * through the answer's body), answer with an error status (500, 503 or 429 with Retry-After), or
 * flip a byte of the request or the answer body on its way. Faults Azurite cannot produce come from
 * here, never from stubs of the SDK.
 *
 * Also here: a server that accepts TCP connections and never answers (`startSilentServer`), and a
 * port nothing listens on (`unusedPort`).
 */
import http from 'http';
import type { IncomingHttpHeaders } from 'http';
import net from 'net';
import type { AddressInfo } from 'net';
import { Transform } from 'stream';

/** What the proxy saw of one request. */
export interface SeenRequest {
	method: string;
	/** Path and query as sent, e.g. /devstoreaccount1/c/b?comp=block&blockid=... */
	url: string;
	/** 'block' for Put Block, 'blocklist' for Put Block List, '' for a plain request. */
	comp: string;
	/** The request's headers as they arrived. */
	headers: IncomingHttpHeaders;
	/** When the request arrived (Date.now()). */
	at: number;
	status?: number;
	/** The fault applied to it, if any. */
	fault?: Fault;
}

/**
 * How to break one request.
 * - 'drop': read a little of the request body, then close the connection.
 * - 'error500': answer 500 InternalError (the request is not forwarded).
 * - 'corrupt': flip one bit of the first request body chunk on its way to Azurite.
 * - resetRequest: forward nothing; reset the connection (TCP RST) once `afterBytes` of the
 *   request body arrived (default: the first chunk), or when the body ends if it is shorter.
 * - resetResponse: forward; pass the answer's headers and `afterBytes` of its body, then reset.
 * - stallRequest: stop reading the request (nothing is forwarded) for `ms` (default: for ever),
 *   then forward it as usual if the client is still there.
 * - stallAnswer: forward; hold Azurite's answer for `ms` (default: for ever), then pass it on.
 * - stallBody: forward; pass the headers and `afterBytes` of the body, then hold the rest for
 *   `ms` (default: for ever), then go on.
 * - status: answer `status` (the request is not forwarded), with a `Retry-After` header when
 *   given, the extra `headers`, and for an error code (`code`; default ServerBusy for 503,
 *   InternalError for 500) the `x-ms-error-code` header and Azure's XML error body; other
 *   statuses (e.g. a 202 for a copy that stays pending) get an empty body.
 * - corruptResponse: flip one bit of the answer body at byte `atByte` (default 0).
 * - slowRequest / slowBody: forward, but read the request body (or pass the answer body) at no
 *   more than `bytesPerSecond`: a slow link on which the transfer keeps moving.
 */
export type Fault =
	| 'drop'
	| 'error500'
	| 'corrupt'
	| { kind: 'resetRequest'; afterBytes?: number }
	| { kind: 'resetResponse'; afterBytes: number }
	| { kind: 'stallRequest'; ms?: number }
	| { kind: 'stallAnswer'; ms?: number }
	| { kind: 'stallBody'; afterBytes: number; ms?: number }
	| { kind: 'status'; status: number; retryAfter?: string; code?: string; headers?: Record<string, string | undefined> }
	| { kind: 'corruptResponse'; atByte?: number }
	| { kind: 'slowRequest'; bytesPerSecond: number }
	| { kind: 'slowBody'; bytesPerSecond: number };

/** Decides per request whether to break it; `index` counts requests with the same comp, from 1. */
export type FaultRule = (request: {
	method: string;
	comp: string;
	index: number;
	url: string;
	headers: IncomingHttpHeaders;
}) => Fault | undefined;

export interface FaultProxy {
	/** Account-level blob endpoint through the proxy: http://127.0.0.1:PORT/devstoreaccount1 */
	blobEndpoint: string;
	/** host:port of the proxy, as error messages name it. */
	host: string;
	seen: SeenRequest[];
	/** Replaces the rule deciding which requests break (default: none). */
	setRule(rule: FaultRule | undefined): void;
	/** Forgets what was seen, restarts the per-comp counters, removes the rule and the hook. */
	reset(): void;
	/** Called each time Azurite answered a Put Block with success. */
	onBlockStaged?: (stagedSoFar: number) => void;
	close(): Promise<void>;
}

const AZURE_ERROR_TEXT: Record<string, string> = {
	InternalError: 'Server encountered an internal error. Please try again after some time.',
	ServerBusy: 'The server is currently unable to receive requests. Please retry your request.',
	OperationTimedOut: 'The operation could not be completed within the permitted time.',
};

const AZURE_500 =
	'<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code>' +
	'<Message>Server encountered an internal error. Please try again after some time.</Message></Error>';

function azureErrorBody(code: string): string {
	const text = AZURE_ERROR_TEXT[code] ?? 'The request failed.';
	return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${text}</Message></Error>`;
}

/** A TCP reset where Node offers one (a closed connection otherwise). */
function resetSocket(socket: net.Socket): void {
	const withReset = socket as net.Socket & { resetAndDestroy?: () => void };
	if (typeof withReset.resetAndDestroy === 'function' && !socket.destroyed) withReset.resetAndDestroy();
	else socket.destroy();
}

/** A pass-through that lets bytes out at no more than `bytesPerSecond` (backpressure does the rest). */
function throttled(bytesPerSecond: number, later: (ms: number, action: () => void) => void): Transform {
	const started = Date.now();
	let passed = 0;
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			passed += chunk.length;
			const wait = started + (passed / bytesPerSecond) * 1000 - Date.now();
			if (wait > 0) later(wait, () => callback(null, chunk));
			else callback(null, chunk);
		},
	});
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
	const upstream = new URL(target);
	const account = upstream.pathname.replace(/\/$/, '');
	const seen: SeenRequest[] = [];
	const counters = new Map<string, number>();
	const timers = new Set<NodeJS.Timeout>();
	let rule: FaultRule | undefined;
	let staged = 0;

	const later = (ms: number, action: () => void) => {
		const timer = setTimeout(() => {
			timers.delete(timer);
			action();
		}, ms);
		timers.add(timer);
	};

	const server = http.createServer((req, res) => {
		const url = req.url ?? '/';
		const comp = new URL(url, 'http://x').searchParams.get('comp') ?? '';
		const method = req.method ?? 'GET';
		const key = `${method} ${comp}`;
		const index = (counters.get(key) ?? 0) + 1;
		counters.set(key, index);
		const record: SeenRequest = { method, url, comp, headers: req.headers, at: Date.now() };
		seen.push(record);
		const fault = rule?.({ method, comp, index, url, headers: req.headers });
		record.fault = fault;
		const socket = req.socket;

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
		if (fault && typeof fault === 'object' && fault.kind === 'resetRequest') {
			const afterBytes = fault.afterBytes ?? 1;
			let received = 0;
			req.on('data', (chunk: Buffer) => {
				received += chunk.length;
				if (received >= afterBytes) resetSocket(socket);
			});
			req.once('end', () => resetSocket(socket));
			return;
		}
		if (fault && typeof fault === 'object' && fault.kind === 'status') {
			const code = fault.code ?? (fault.status === 503 ? 'ServerBusy' : fault.status === 500 ? 'InternalError' : undefined);
			req.resume();
			req.once('end', () => {
				record.status = fault.status;
				const headers: Record<string, string> = { 'content-type': 'application/xml' };
				for (const [name, value] of Object.entries(fault.headers ?? {})) if (value !== undefined) headers[name] = value;
				if (code) headers['x-ms-error-code'] = code;
				if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
				res.writeHead(fault.status, headers);
				res.end(code ? azureErrorBody(code) : '');
			});
			return;
		}

		/** Sends the request on to Azurite and the answer back, with the answer-side faults. */
		const forwardRequest = () => {
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
					const passOn = () => {
						if (res.destroyed) return void answer.destroy();
						res.writeHead(answer.statusCode ?? 502, answer.headers);
						if (fault && typeof fault === 'object' && (fault.kind === 'resetResponse' || fault.kind === 'stallBody' || fault.kind === 'corruptResponse')) {
							passBodyWithFault(answer, fault);
						} else if (fault && typeof fault === 'object' && fault.kind === 'slowBody') {
							answer.pipe(throttled(fault.bytesPerSecond, later)).pipe(res);
						} else {
							answer.pipe(res);
						}
					};
					if (fault && typeof fault === 'object' && fault.kind === 'stallAnswer') {
						answer.pause();
						if (fault.ms !== undefined) later(fault.ms, passOn);
					} else {
						passOn();
					}
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
			} else if (fault && typeof fault === 'object' && fault.kind === 'slowRequest') {
				req.pipe(throttled(fault.bytesPerSecond, later)).pipe(forward);
			} else {
				req.pipe(forward);
			}
		};

		/** The answer body, broken as asked: reset or stalled after some bytes, or one bit flipped. */
		const passBodyWithFault = (
			answer: http.IncomingMessage,
			bodyFault: Extract<Fault, { kind: 'resetResponse' | 'stallBody' | 'corruptResponse' }>,
		) => {
			let passed = 0;
			let done = false;
			answer.on('data', (chunk: Buffer) => {
				if (done) return;
				if (bodyFault.kind === 'corruptResponse') {
					const at = (bodyFault.atByte ?? 0) - passed;
					if (at >= 0 && at < chunk.length) {
						chunk = Buffer.from(chunk);
						chunk[at] ^= 0x01;
					}
					passed += chunk.length;
					if (!res.write(chunk)) {
						answer.pause();
						res.once('drain', () => answer.resume());
					}
					return;
				}
				const room = bodyFault.afterBytes - passed;
				if (room >= chunk.length) {
					passed += chunk.length;
					if (!res.write(chunk)) {
						answer.pause();
						res.once('drain', () => answer.resume());
					}
					return;
				}
				done = true;
				const head = chunk.subarray(0, Math.max(0, room));
				const rest = chunk.subarray(Math.max(0, room));
				passed += head.length;
				answer.pause();
				if (bodyFault.kind === 'resetResponse') {
					// Let the bytes before the cut reach the client, then reset the connection.
					if (head.length > 0) res.write(head, () => resetSocket(socket));
					else {
						res.flushHeaders();
						setImmediate(() => resetSocket(socket));
					}
					answer.destroy();
					return;
				}
				res.write(head);
				if (bodyFault.ms !== undefined) {
					later(bodyFault.ms, () => {
						if (res.destroyed) return void answer.destroy();
						res.write(rest);
						answer.pipe(res);
						answer.resume();
					});
				}
			});
			answer.on('end', () => {
				if (!done) res.end();
			});
		};

		if (fault && typeof fault === 'object' && fault.kind === 'stallRequest') {
			// Stop reading: the client's writes back up once the socket buffers are full.
			req.pause();
			if (fault.ms !== undefined) {
				later(fault.ms, () => {
					if (socket.destroyed) return;
					forwardRequest();
					req.resume();
				});
			}
			return;
		}
		forwardRequest();
	});

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const proxy: FaultProxy = {
		blobEndpoint: `http://127.0.0.1:${port}${account}`,
		host: `127.0.0.1:${port}`,
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
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	return proxy;
}

/** A server that accepts TCP connections and never answers. */
export interface SilentServer {
	/** http://127.0.0.1:PORT/devstoreaccount1 */
	blobEndpoint: string;
	/** host:port, as error messages name it. */
	host: string;
	port: number;
	/** Connections accepted so far (each try of a request opens one: a timed-out try closes it). */
	connections: number;
	/** Bytes received on all connections (when reading). */
	bytesReceived: number;
	close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (a free port), accepts every connection and never sends a byte back.
 * By default it reads (and discards) what arrives, like a server stuck before answering; with
 * `read: false` it reads nothing, like one that stopped reading altogether.
 */
export async function startSilentServer(options: { read?: boolean } = {}): Promise<SilentServer> {
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		silent.connections += 1;
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
		if (options.read === false) socket.pause();
		else socket.on('data', (chunk: Buffer) => (silent.bytesReceived += chunk.length));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const silent: SilentServer = {
		blobEndpoint: `http://127.0.0.1:${port}/devstoreaccount1`,
		host: `127.0.0.1:${port}`,
		port,
		connections: 0,
		bytesReceived: 0,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	return silent;
}

/** A loopback port nothing listens on (it was free a moment ago): connections are refused. */
export async function unusedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}
