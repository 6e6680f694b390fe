/** Small builders for node parameters as n8n stores them. */
import { createHash } from 'crypto';
import type { INodeExecutionData } from 'n8n-workflow';

export function byName(value: string) {
	return { __rl: true, mode: 'name', value };
}

export function byList(value: string) {
	return { __rl: true, mode: 'list', value };
}

export function byUrl(value: string) {
	return { __rl: true, mode: 'url', value };
}

export function sha256(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

/** An input item carrying a file inline, as n8n's in-memory binary mode does. */
export function fileItem(content: Buffer, fileName: string, mimeType: string, json = {}): INodeExecutionData {
	return {
		json,
		binary: { data: { data: content.toString('base64'), fileName, mimeType } },
	};
}
