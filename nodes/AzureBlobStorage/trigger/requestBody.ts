/**
 * Reads a webhook request's body with a size limit and a time limit, without n8n's parser (the
 * Event Grid trigger asks n8n not to parse it, so that a malformed or oversized body gets the
 * trigger's own 400 answer). A body announced or found larger than the limit is not read further.
 */
import type { IncomingMessage } from 'http';

export type BodyResult = { kind: 'body'; body: Buffer } | { kind: 'tooLarge' } | { kind: 'unreadable'; reason: string };

type WebhookRequest = IncomingMessage & { rawBody?: unknown; body?: unknown };

export async function readRequestBody(req: WebhookRequest, limitBytes: number, timeoutMs: number): Promise<BodyResult> {
	// n8n read (and maybe parsed) the body itself: use what it read.
	if (Buffer.isBuffer(req.rawBody)) return req.rawBody.length > limitBytes ? { kind: 'tooLarge' } : { kind: 'body', body: req.rawBody };
	if (req.readableEnded) {
		const parsed = req.body === undefined ? '' : JSON.stringify(req.body);
		const body = Buffer.from(parsed, 'utf8');
		return body.length > limitBytes ? { kind: 'tooLarge' } : { kind: 'body', body };
	}
	const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
	if (encoding !== 'identity') return { kind: 'unreadable', reason: `Content-Encoding "${encoding}" is not supported; Event Grid sends uncompressed bodies` };
	const announced = Number(req.headers['content-length']);
	if (Number.isFinite(announced) && announced > limitBytes) return { kind: 'tooLarge' };

	return await new Promise<BodyResult>((resolve) => {
		const chunks: Buffer[] = [];
		let length = 0;
		const finish = (result: BodyResult) => {
			clearTimeout(timer);
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('error', onError);
			if (result.kind !== 'body') req.pause();
			resolve(result);
		};
		const onData = (chunk: Buffer) => {
			length += chunk.length;
			if (length > limitBytes) finish({ kind: 'tooLarge' });
			else chunks.push(chunk);
		};
		const onEnd = () => finish({ kind: 'body', body: Buffer.concat(chunks, length) });
		const onError = (error: Error) => finish({ kind: 'unreadable', reason: `The body could not be read: ${error.message}` });
		const timer = setTimeout(() => finish({ kind: 'unreadable', reason: `The body did not arrive within ${timeoutMs / 1000} s` }), timeoutMs);
		req.on('data', onData);
		req.on('end', onEnd);
		req.on('error', onError);
	});
}
