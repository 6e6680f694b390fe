/**
 * Timeouts and retries for every request the Azure SDK sends for this package. They replace the
 * SDK's own retry policy in the client's pipeline (see `installPolicies`):
 *
 * - Request timeout: an idle timeout per try. The request fails when no byte has moved for
 *   that long (nothing sent, no answer, or a body that stalls half-way), so a silent endpoint
 *   fails in bounded time while a large block on a slow link is not cut off.
 * - Retries: only transient failures (connection reset, timeout, HTTP 408, 429, 500, 502, 503,
 *   504) are retried, with exponential back-off and jitter, honouring Retry-After. A refused
 *   connection, an unknown host, a certificate problem or a 4xx answer are reported at once.
 *   A request whose body is a stream is never re-sent (it cannot be read twice).
 * - Download bodies: a connection lost or stalled half-way surfaces as a resumable error, so the
 *   SDK resumes the download with a ranged request pinned to the blob's ETag, instead of
 *   starting over or treating it as a cancel.
 *
 * Per-item settings (from the node's options) travel with the item's abort signal, so every
 * request of an item gets them even where an operation does not pass them explicitly.
 */
import { Readable } from 'stream';

/** The limits that apply to one request. */
export interface RequestLimits {
	/** A try fails when no byte moved for this long. */
	requestTimeoutMs: number;
	/** Further tries after the first, for transient failures only. */
	maxRetries: number;
}

export const DEFAULT_LIMITS: RequestLimits = { requestTimeoutMs: 30_000, maxRetries: 3 };

const RETRY_BASE_DELAY_MS = 800;
const RETRY_MAX_DELAY_MS = 30_000;
/** A Retry-After longer than this is not waited for; the error says what Azure asked. */
export const MAX_RETRY_AFTER_MS = 60_000;
const UPLOAD_CHUNK = 256 * 1024;

const limitsBySignal = new WeakMap<AbortSignal, RequestLimits>();

/** Attaches limits to a signal; requests sent with that signal (or none) use them. */
export function attachLimits(signal: AbortSignal, limits: RequestLimits): void {
	limitsBySignal.set(signal, limits);
}

/** What happened to a request across its tries, for the error message. */
export interface RequestHistory {
	tries: number;
	/** Set when the last try timed out. */
	timedOutAfterMs?: number;
	/** Set when Azure asked to wait longer than we would. */
	retryAfterMs?: number;
	/**
	 * Set when an earlier try failed in a way that does not tell whether Azure applied it (a
	 * timeout, a reset, a 5xx): a later "already exists" or "not found" may be that try's effect.
	 */
	ambiguous?: boolean;
}

const historyByRequest = new WeakMap<object, RequestHistory>();

/** The last way a download body of an item broke off (the SDK's resume hides it). */
const bodyFailureBySignal = new WeakMap<AbortSignal, Error>();

export function lastBodyFailure(signal: AbortSignal | undefined): Error | undefined {
	return signal ? bodyFailureBySignal.get(signal) : undefined;
}

/**
 * Whether `error` (an answer with one of `statuses`) may be the effect of an earlier try of the
 * same request that Azure applied although its answer was lost: "already exists" after a create
 * that timed out, "not found" after a delete that was reset.
 */
export function mayBeOwnEarlierTry(error: unknown, ...statuses: number[]): boolean {
	const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
	return typeof status === 'number' && statuses.includes(status) && historyOf(error)?.ambiguous === true;
}

/** The tries made for the request an error (RestError, timeout) belongs to. */
export function historyOf(error: unknown): RequestHistory | undefined {
	const request = (error as { request?: object } | undefined)?.request;
	return request && typeof request === 'object' ? historyByRequest.get(request) : undefined;
}

/** A try that saw no byte move for the request timeout. Retried as a transient failure. */
export class RequestTimeoutError extends Error {
	readonly code = 'REQUEST_TIMEOUT';

	constructor(
		readonly host: string,
		readonly timeoutMs: number,
		readonly request?: object,
		phase = 'answer',
	) {
		super(`No ${phase} from ${host} within ${formatSeconds(timeoutMs)} (Request Timeout)`);
		this.name = 'RequestTimeoutError';
	}
}

/** A download body that broke off half-way; the SDK's resuming stream retries from where it stopped. */
export class InterruptedBodyError extends Error {
	constructor(readonly cause: unknown) {
		super(`The connection was lost during the download: ${(cause as Error | undefined)?.message ?? 'closed early'}`);
		this.name = 'InterruptedBodyError';
	}
}

export function formatSeconds(ms: number): string {
	const seconds = ms / 1000;
	return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/* Minimal shapes of @azure/core-rest-pipeline's request, response and policy (types only). */
interface Headers {
	get(name: string): string | undefined;
	set(name: string, value: string | number): void;
	has(name: string): boolean;
}
interface TransferProgress {
	loadedBytes: number;
}
interface PipelineRequest {
	url: string;
	method: string;
	headers: Headers;
	body?: unknown;
	abortSignal?: AbortSignal;
	streamResponseStatusCodes?: Set<number>;
	onUploadProgress?: (progress: TransferProgress) => void;
	onDownloadProgress?: (progress: TransferProgress) => void;
}
interface PipelineResponse {
	status: number;
	headers: Headers;
	request: PipelineRequest;
	readableStreamBody?: NodeJS.ReadableStream;
	bodyAsText?: string | null;
}
type SendRequest = (request: PipelineRequest) => Promise<PipelineResponse>;
export interface PipelinePolicy {
	name: string;
	sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse>;
}
interface CorePipeline {
	addPolicy(policy: PipelinePolicy, options?: { phase?: string; afterPhase?: string }): void;
	removePolicy(options: { name?: string; phase?: string }): PipelinePolicy[];
	getOrderedPolicies(): PipelinePolicy[];
}

function limitsFor(request: PipelineRequest, defaults: RequestLimits): RequestLimits {
	return (request.abortSignal && limitsBySignal.get(request.abortSignal)) ?? defaults;
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'the blob endpoint';
	}
}

function abortError(reason?: unknown): Error {
	if (reason instanceof Error && reason.name === 'AbortError') return reason;
	const error = new Error('The operation was aborted');
	error.name = 'AbortError';
	return error;
}

/** Whether a request body can be sent again: bytes, text, or a function that makes a new stream. */
export function isResendableBody(body: unknown): boolean {
	if (body === undefined || body === null || typeof body === 'string' || typeof body === 'function') return true;
	if (Buffer.isBuffer(body) || ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return true;
	if (typeof Blob !== 'undefined' && body instanceof Blob) return true;
	return false;
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'ECONNABORTED',
	'EAI_AGAIN',
	'ENETRESET',
	'UND_ERR_SOCKET',
	'REQUEST_TIMEOUT',
]);

function networkCode(error: unknown): string | undefined {
	const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
	const code = e?.code ?? e?.cause?.code;
	return typeof code === 'string' ? code : undefined;
}

/** How long Azure asked to wait (Retry-After in seconds or as a date, or x-ms-retry-after-ms). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
	const ms = headers?.get('x-ms-retry-after-ms') ?? headers?.get('retry-after-ms');
	if (ms !== undefined && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
	const value = headers?.get('retry-after');
	if (value === undefined || value.trim() === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim()) * 1000;
	const date = Date.parse(value);
	return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function backoffMs(retry: number): number {
	const ceiling = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (retry - 1));
	// "Equal jitter": at least half the exponential delay, plus a random part.
	return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortError(signal.reason));
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError(signal?.reason));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/** Drains an error response's body so its connection can be reused. */
function discard(response: PipelineResponse | undefined): void {
	const body = response?.readableStreamBody as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
	if (body) {
		body.on('error', () => undefined);
		body.resume();
	}
}

/** Retries transient failures with exponential back-off and jitter, honouring Retry-After. */
export function transientRetryPolicy(defaults: RequestLimits): PipelinePolicy {
	return {
		name: 'n8nAzureBlobRetryPolicy',
		async sendRequest(request, next) {
			const limits = limitsFor(request, defaults);
			const history: RequestHistory = { tries: 0 };
			historyByRequest.set(request, history);
			for (;;) {
				history.tries += 1;
				let response: PipelineResponse | undefined;
				let error: unknown;
				try {
					response = await next(request);
				} catch (thrown) {
					error = thrown;
				}
				const cancelled = request.abortSignal?.aborted === true;
				let transient: boolean;
				let wait: number | undefined;
				if (error !== undefined) {
					history.timedOutAfterMs = error instanceof RequestTimeoutError ? error.timeoutMs : undefined;
					transient = !cancelled && TRANSIENT_NETWORK_CODES.has(networkCode(error) ?? '');
				} else {
					transient = TRANSIENT_STATUS.has(response!.status);
					wait = transient ? retryAfterMs(response!.headers) : undefined;
				}
				const retriesLeft = history.tries <= limits.maxRetries;
				if (wait !== undefined && wait > MAX_RETRY_AFTER_MS) history.retryAfterMs = wait;
				const retry = transient && retriesLeft && isResendableBody(request.body) && !(wait !== undefined && wait > MAX_RETRY_AFTER_MS);
				if (!retry) {
					if (error !== undefined) throw error;
					return response!;
				}
				discard(response);
				history.ambiguous = true;
				await sleep(wait ?? backoffMs(history.tries), request.abortSignal);
			}
		},
	};
}

/**
 * Feeds a buffer to the socket in slices, so progress (and the idle timer) follows the upload.
 * `onSlice` gets how many bytes have been handed over, and the total.
 */
function slicedBody(data: Uint8Array, onSlice: (handed: number, total: number) => void): () => NodeJS.ReadableStream {
	return () => {
		let offset = 0;
		return new Readable({
			read() {
				if (offset >= data.length) return void this.push(null);
				const end = Math.min(offset + UPLOAD_CHUNK, data.length);
				this.push(Buffer.from(data.buffer, data.byteOffset + offset, end - offset));
				offset = end;
				onSlice(offset, data.length);
			},
		});
	};
}

/**
 * The operating system takes up to a few MiB of a request body at once and sends it on its own,
 * with no sign of progress to the process. Once the whole body has been handed over, the idle
 * timer allows that much to drain at a floor speed (at most four Request Timeouts more) before
 * it counts as silence, so a slow link that keeps moving is not cut; a dead connection still
 * fails, only later.
 */
const SOCKET_BUFFER_GUESS = 4 * 1024 * 1024;
const DRAIN_FLOOR_BYTES_PER_SECOND = 64 * 1024;

function drainAllowanceMs(bytes: number, requestTimeoutMs: number): number {
	return Math.min((Math.min(bytes, SOCKET_BUFFER_GUESS) / DRAIN_FLOOR_BYTES_PER_SECOND) * 1000, 4 * requestTimeoutMs);
}

/**
 * Size of the pieces a download body is handed on in. A body arrives in 16 KiB pieces (one per
 * TLS record); every stage after this one (the SDK's resuming stream, the integrity check, n8n's
 * store) does its per-piece work once per MiB instead of 64 times.
 */
export const BODY_PIECE = 1024 * 1024;

/**
 * A download body that fails after `idleMs` without a byte while its reader waits for one, and
 * turns a connection lost half-way into a resumable error (not an abort). Backpressure from a
 * slow reader does not count as idle. Hands the body on in pieces of `BODY_PIECE` (the last one
 * shorter) when its length is known, as they come otherwise.
 */
class GuardedBody extends Readable {
	private timer: NodeJS.Timeout | undefined;

	/** When a byte last moved while the timer ran (Date.now()). */
	private lastMove = 0;

	private finished = false;

	/** Bytes not yet received, when the length is known. */
	private remaining: number | undefined;

	/** The piece being filled, and how far. */
	private piece: Buffer | undefined;

	private filled = 0;

	constructor(
		private readonly source: NodeJS.ReadableStream & { destroy?: (error?: Error) => void },
		private readonly idleMs: number,
		private readonly host: string,
		private readonly cancelled: () => AbortSignal | undefined,
		private readonly release: () => void,
		length?: number,
	) {
		// Room for a piece beyond the one being read, so a reader's short pauses do not stop the socket.
		super({ highWaterMark: BODY_PIECE });
		this.remaining = length !== undefined && Number.isSafeInteger(length) && length > 0 ? length : undefined;
		source.on('data', this.onData);
		source.on('end', this.onEnd);
		source.on('error', this.onError);
		source.on('close', this.onClose);
		source.pause();
	}

	/**
	 * Starts the idle timer, or notes that a byte moved (one clock read per network piece rather
	 * than a new timer): when it fires early it is set again for what is left.
	 */
	private arm() {
		this.lastMove = Date.now();
		this.timer ??= setTimeout(this.check, this.idleMs);
	}

	private readonly check = () => {
		const idle = Date.now() - this.lastMove;
		if (idle < this.idleMs) {
			this.timer = setTimeout(this.check, this.idleMs - idle);
			return;
		}
		this.timer = undefined;
		this.fail(new RequestTimeoutError(this.host, this.idleMs, undefined, 'data'));
	};

	private disarm() {
		clearTimeout(this.timer);
		this.timer = undefined;
	}

	/** Hands a piece on; false (and the socket paused) when the reader has enough for now. */
	private hand(chunk: Buffer): boolean {
		if (this.push(chunk)) return true;
		this.disarm();
		this.source.pause();
		return false;
	}

	private readonly onData = (chunk: Buffer) => {
		if (this.remaining === undefined) {
			if (this.hand(chunk)) this.arm();
			return;
		}
		this.remaining -= chunk.length;
		let offset = 0;
		// Arriving on a piece boundary and long enough for the whole piece: on as it is.
		if (this.filled === 0 && chunk.length >= Math.min(BODY_PIECE, chunk.length + Math.max(0, this.remaining))) {
			if (this.hand(chunk)) this.arm();
			return;
		}
		let open = true;
		while (offset < chunk.length) {
			// A piece is as long as what is left of the body, at most BODY_PIECE (a small body gets a small buffer).
			this.piece ??= Buffer.allocUnsafeSlow(Math.min(BODY_PIECE, chunk.length - offset + Math.max(0, this.remaining)));
			const copied = chunk.copy(this.piece, this.filled, offset);
			this.filled += copied;
			offset += copied;
			if (this.filled === this.piece.length) {
				const full = this.piece;
				this.piece = undefined;
				this.filled = 0;
				open = this.hand(full) && open;
			}
		}
		if (open) this.arm();
	};

	private readonly onEnd = () => {
		this.finished = true;
		this.disarm();
		// A body shorter than announced: what came is handed on, the SDK's resuming stream asks for the rest.
		if (this.piece && this.filled > 0) this.push(this.piece.subarray(0, this.filled));
		this.piece = undefined;
		this.push(null);
		this.release();
	};

	private readonly onError = (error: Error) => this.fail(error);

	private readonly onClose = () => {
		if (!this.finished) this.fail(new Error('the connection closed before the whole body arrived'));
	};

	private fail(error: Error) {
		if (this.finished || this.destroyed) return;
		this.finished = true;
		const signal = this.cancelled();
		if (signal && !signal.aborted) bodyFailureBySignal.set(signal, error);
		// What arrived of the piece being filled is handed on before the error, so a resume starts
		// where the network stopped, not at the last piece boundary (up to 1 MiB earlier). A reader
		// that is not taking data right now never sees it, and the SDK's resuming stream counts only
		// what it was handed, so the resumed range is right either way.
		const partial = this.piece && this.filled > 0 && !signal?.aborted ? this.piece.subarray(0, this.filled) : undefined;
		this.piece = undefined;
		this.filled = 0;
		if (partial) this.push(partial);
		this.destroy(signal?.aborted ? abortError(signal.reason) : error instanceof RequestTimeoutError ? error : new InterruptedBodyError(error));
	}

	_read() {
		if (this.finished) return;
		this.arm();
		this.source.resume();
	}

	_destroy(error: Error | null, callback: (error?: Error | null) => void) {
		this.finished = true;
		this.disarm();
		this.piece = undefined;
		this.source.removeListener('data', this.onData);
		this.source.removeListener('end', this.onEnd);
		this.source.removeListener('close', this.onClose);
		// Keep an error listener: the source may still emit one while it is torn down.
		this.source.removeListener('error', this.onError);
		this.source.on('error', () => undefined);
		this.source.destroy?.();
		this.release();
		callback(error);
	}
}

/** The body length a response announces (Content-Length), when it is a plain count. */
function announcedLength(response: PipelineResponse): number | undefined {
	const value = response.headers.get('content-length');
	if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
	// A compressed body is decoded on the way: its length is not what the reader gets.
	const encoding = response.headers.get('content-encoding');
	if (encoding && encoding.trim().toLowerCase() !== 'identity') return undefined;
	return Number(value.trim());
}

function bodyLength(body: unknown): number {
	if (typeof body === 'string') return Buffer.byteLength(body);
	if (body instanceof Uint8Array) return body.length;
	return 0;
}

/** Per try: the idle timeout, a fresh abort controller linked to the item's signal. */
export function requestTimeoutPolicy(defaults: RequestLimits): PipelinePolicy {
	return {
		name: 'n8nAzureBlobTimeoutPolicy',
		async sendRequest(request, next) {
			const { requestTimeoutMs } = limitsFor(request, defaults);
			const outer = request.abortSignal;
			const host = hostOf(request.url);
			const controller = new AbortController();
			const onOuterAbort = () => controller.abort(outer?.reason);
			if (outer?.aborted) controller.abort(outer.reason);
			else outer?.addEventListener('abort', onOuterAbort);
			let released = false;
			const release = () => {
				if (released) return;
				released = true;
				outer?.removeEventListener('abort', onOuterAbort);
			};

			let timer: NodeJS.Timeout | undefined;
			let rejectTimeout: (error: Error) => void = () => undefined;
			const timedOut = new Promise<never>((_, reject) => (rejectTimeout = reject));
			timedOut.catch(() => undefined);
			const arm = (extraMs = 0) => {
				clearTimeout(timer);
				timer = setTimeout(() => {
					const error = new RequestTimeoutError(host, requestTimeoutMs, request);
					controller.abort(error);
					rejectTimeout(error);
				}, requestTimeoutMs + extraMs);
			};

			const { body, onUploadProgress, onDownloadProgress } = request;
			request.abortSignal = controller.signal;
			if ((Buffer.isBuffer(body) || body instanceof Uint8Array) && body.length > UPLOAD_CHUNK) {
				if (!request.headers.has('Content-Length')) request.headers.set('Content-Length', body.length);
				request.body = slicedBody(body, (handed, total) => arm(handed >= total ? drainAllowanceMs(total, requestTimeoutMs) : 0));
			}
			const streamed = (request.streamResponseStatusCodes?.size ?? 0) > 0;
			if (!streamed) {
				request.onDownloadProgress = (progress) => {
					arm();
					onDownloadProgress?.(progress);
				};
			}
			// A small body goes to the operating system at once: give it the same room to drain.
			arm(typeof request.body === 'function' ? 0 : drainAllowanceMs(bodyLength(body), requestTimeoutMs));
			try {
				const response = await Promise.race([next(request), timedOut]);
				clearTimeout(timer);
				if (response.readableStreamBody) {
					response.readableStreamBody = new GuardedBody(response.readableStreamBody, requestTimeoutMs, host, () => outer, release, announcedLength(response));
				} else release();
				return response;
			} catch (error) {
				clearTimeout(timer);
				release();
				// A try cut by the item's own signal is that cancel (or deadline), not a network error.
				if (outer?.aborted) throw abortError(outer.reason);
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a pipeline policy passes the SDK's error on; the router translates it
				throw error;
			} finally {
				request.abortSignal = outer;
				request.body = body;
				request.onUploadProgress = onUploadProgress;
				request.onDownloadProgress = onDownloadProgress;
			}
		},
	};
}

/**
 * Puts the package's retry and timeout policies into a client's pipeline in place of the SDK's
 * retry policy. The SDK builds one core pipeline per `Pipeline` object and shares it between the
 * service, container and blob clients made from it, so this is done once per connection.
 */
export function installPolicies(client: object, defaults: RequestLimits): void {
	const sdkPipeline = (client as { pipeline?: { _corePipeline?: CorePipeline } }).pipeline;
	const pipeline = sdkPipeline?._corePipeline;
	if (!pipeline || typeof pipeline.addPolicy !== 'function') {
		throw new Error('The Azure SDK pipeline has an unexpected shape; the package cannot install its timeouts');
	}
	if (pipeline.getOrderedPolicies().some((p) => p.name === 'n8nAzureBlobRetryPolicy')) return;
	pipeline.removePolicy({ phase: 'Retry' });
	pipeline.addPolicy(transientRetryPolicy(defaults), { phase: 'Retry' });
	pipeline.addPolicy(requestTimeoutPolicy(defaults), { afterPhase: 'Retry' });
	pipeline.addPolicy(rawTextPolicy(), { afterPhase: 'Deserialize' });
}

const rawTextRequests = new WeakSet<object>();
const rawTexts = new WeakMap<object, string>();

/**
 * Asks for the body of this request's answer as text, unparsed. The SDK's deserialization
 * policy parses every XML body into a generic tree, even for a request it did not build; for a
 * List Blobs page of 5,000 blobs that is most of the CPU, and the package reads the text itself.
 */
export function keepBodyAsText(request: object): void {
	rawTextRequests.add(request);
}

/** The text kept for a request by keepBodyAsText (undefined where the policy is not installed). */
export function keptBodyText(request: object): string | undefined {
	return rawTexts.get(request);
}

/**
 * Placed after the Deserialize phase (so it sees the answer first, after the retries): takes
 * the text of a marked request's answer out of the SDK's sight.
 */
function rawTextPolicy(): PipelinePolicy {
	return {
		name: 'n8nAzureBlobRawTextPolicy',
		async sendRequest(request, next) {
			const response = await next(request);
			if (rawTextRequests.has(request) && typeof response.bodyAsText === 'string') {
				rawTexts.set(request, response.bodyAsText);
				response.bodyAsText = undefined;
			}
			return response;
		},
	};
}
