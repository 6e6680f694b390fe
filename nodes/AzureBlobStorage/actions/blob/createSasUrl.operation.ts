import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { getBlobTarget, getContainerName } from '../../helpers/locators';
import { booleanValue, dateValue, readChoice, readOptions, textValue } from '../../helpers/params';
import { headerValueProblem } from '../../helpers/validation';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { sasKindFor, signSas } from '../../transport/sasSigning';
import { blobLocator, containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

const PERMISSIONS = ['r', 'a', 'c', 'w', 'd', 'l', 't'] as const;

export const description: INodeProperties[] = forOperation('blob', 'createSasUrl', [
	{
		displayName: 'Link For',
		name: 'linkFor',
		type: 'options',
		default: 'blob',
		options: [
			{ name: 'Blob', value: 'blob', description: 'A link to one blob' },
			{ name: 'Container', value: 'container', description: 'A link to a whole container (e.g. to list or upload)' },
		],
		description: 'What the link opens',
	},
	containerLocator,
	{ ...blobLocator, displayOptions: { show: { linkFor: ['blob'] } } },
	{
		displayName: 'Permissions',
		name: 'permissions',
		type: 'multiOptions',
		default: ['r'],
		options: [
			{ name: 'Add', value: 'a', description: 'Append blocks to append blobs' },
			{ name: 'Create', value: 'c', description: 'Create new blobs, not overwrite' },
			{ name: 'Delete', value: 'd' },
			{ name: 'List', value: 'l', description: 'List blobs (container links only)' },
			{ name: 'Read', value: 'r', description: 'Download, read properties' },
			{ name: 'Tags', value: 't', description: 'Read and write index tags' },
			{ name: 'Write', value: 'w', description: 'Create or overwrite blobs' },
		],
		description: 'What the holder of the link may do. Grant the least that works.',
	},
	{
		displayName: 'Expiry',
		name: 'expiresOn',
		type: 'dateTime',
		default: '={{ $now.plus(1, "hour").toISO() }}',
		required: true,
		description: 'When the link stops working. Default: one hour from now. Entra ID credentials allow at most 7 days.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Content-Disposition Override',
				name: 'contentDisposition',
				type: 'string',
				default: '',
				placeholder: 'e.g. attachment; filename="report.pdf"',
				description: 'Blob links only: what browsers are told on download (e.g. save as a file with this name)',
			},
			{
				displayName: 'Content-Type Override',
				name: 'contentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. application/pdf',
				description: 'Blob links only: the content type served instead of the stored one',
			},
			{
				displayName: 'HTTPS Only',
				name: 'httpsOnly',
				type: 'boolean',
				default: true,
				description: 'Whether the link works over HTTPS only. Turn off only for a local emulator over HTTP.',
			},
			{
				displayName: 'IP Range',
				name: 'ipRange',
				type: 'string',
				default: '',
				placeholder: 'e.g. 203.0.113.0-203.0.113.255',
				description: 'IPv4 address or range (from-to) the link works from. Empty: any address.',
			},
			{
				displayName: 'Start',
				name: 'startsOn',
				type: 'dateTime',
				default: '',
				description: 'When the link starts working. Empty: at once (5 minutes back, to allow for clock differences).',
			},
			...requestOptionFields,
		],
	},
]);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function readIpRange(ctx: IExecuteFunctions, value: unknown, itemIndex: number): { start: string; end?: string } | undefined {
	const text = textValue(ctx, value, itemIndex, 'IP Range').trim();
	if (text === '') return undefined;
	const [start, end, ...rest] = text.split('-').map((part) => part.trim());
	if (!IPV4.test(start) || (end !== undefined && !IPV4.test(end)) || rest.length) {
		throw new NodeOperationError(ctx.getNode(), `IP Range "${text.slice(0, 40)}" is not an IPv4 address or range`, {
			itemIndex,
			description: 'Enter one address (203.0.113.7) or a range (203.0.113.0-203.0.113.255).',
		});
	}
	return end === undefined ? { start } : { start, end };
}

function readHeaderOverride(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field: string): string | undefined {
	const text = textValue(ctx, value, itemIndex, field);
	if (text === '') return undefined;
	const problem = headerValueProblem(text);
	if (problem) throw new NodeOperationError(ctx.getNode(), `${field} ${problem}`, { itemIndex });
	return text;
}

function readPermissions(ctx: IExecuteFunctions, itemIndex: number, linkFor: 'blob' | 'container'): string {
	const value = ctx.getNodeParameter('permissions', itemIndex, []) as unknown;
	const list = typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;
	if (!Array.isArray(list) || list.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Permissions is empty', { itemIndex, description: 'Pick at least one permission, e.g. Read.' });
	}
	const letters = list.map((entry) => textValue(ctx, entry, itemIndex, 'Permissions'));
	const unknown = letters.find((letter) => !(PERMISSIONS as readonly string[]).includes(letter));
	if (unknown !== undefined) {
		throw new NodeOperationError(ctx.getNode(), `Permissions has "${unknown.slice(0, 20)}", which is not one of ${PERMISSIONS.join(', ')}`, { itemIndex });
	}
	if (linkFor === 'blob' && letters.includes('l')) {
		throw new NodeOperationError(ctx.getNode(), 'Permissions has List, which only a container link can grant', {
			itemIndex,
			description: 'Remove List, or set Link For to Container.',
		});
	}
	return [...new Set(letters)].join('');
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	// A SAS credential cannot sign: say so before reading anything else.
	const kind = sasKindFor(connection);
	const linkFor = readChoice(this, 'linkFor', itemIndex, 'Link For', ['blob', 'container'], 'blob');
	const { container, blobName } =
		linkFor === 'blob' ? getBlobTarget(this, itemIndex, connection) : { container: getContainerName(this, itemIndex, connection), blobName: undefined };
	const permissions = readPermissions(this, itemIndex, linkFor);
	const expiresOn = dateValue(this, this.getNodeParameter('expiresOn', itemIndex, undefined), itemIndex, 'Expiry');
	if (!expiresOn) throw new NodeOperationError(this.getNode(), 'Expiry is empty', { itemIndex, description: 'Enter when the link stops working, e.g. {{ $now.plus(1, "hour").toISO() }}.' });
	const options = readOptions<{ startsOn?: unknown; ipRange?: unknown; httpsOnly?: unknown; contentDisposition?: unknown; contentType?: unknown }>(this, itemIndex);
	const startsOn = dateValue(this, options.startsOn, itemIndex, 'Start') ?? new Date(Date.now() - 5 * 60_000);
	if (expiresOn.getTime() <= Date.now()) {
		throw new NodeOperationError(this.getNode(), `Expiry ${expiresOn.toISOString()} is in the past`, { itemIndex, description: 'Pick a time in the future.' });
	}
	if (expiresOn.getTime() <= startsOn.getTime()) {
		throw new NodeOperationError(this.getNode(), `Expiry ${expiresOn.toISOString()} is not after Start ${startsOn.toISOString()}`, { itemIndex });
	}
	const httpsOnly = booleanValue(this, options.httpsOnly, itemIndex, 'HTTPS Only', true);
	const ipRange = readIpRange(this, options.ipRange, itemIndex);
	const contentDisposition = readHeaderOverride(this, options.contentDisposition, itemIndex, 'Content-Disposition Override');
	const contentType = readHeaderOverride(this, options.contentType, itemIndex, 'Content-Type Override');
	if (linkFor === 'container' && (contentDisposition || contentType)) {
		throw new NodeOperationError(this.getNode(), 'Content-Disposition and Content-Type overrides apply to blob links only', { itemIndex });
	}

	const client = containerClient(connection, container);
	const resourceUrl = publicUrl(blobName === undefined ? client.url : client.getBlobClient(blobName).url);
	const signed = await signSas(
		connection,
		{ container, blob: blobName, permissions, startsOn, expiresOn, ipRange, httpsOnly, contentDisposition, contentType },
		signal,
	);
	return compact({
		url: `${resourceUrl}?${signed.token}`,
		container,
		name: blobName,
		linkFor,
		sasType: kind === 'service' ? 'service' : 'user delegation',
		permissions,
		startsOn: startsOn.toISOString(),
		expiresOn: expiresOn.toISOString(),
		httpsOnly,
		ipRange: ipRange ? [ipRange.start, ipRange.end].filter(Boolean).join('-') : undefined,
	});
}
