/**
 * Bad input, every way a workflow can hand it over (typed, or from an expression returning any
 * JSON value), for every operation and credential type: the node refuses it with the right
 * error class and a message naming the field or the cause, quickly, before any request where
 * the problem is the input, and never shows a secret of the credential in use.
 *
 * Input cases run through a counting proxy in front of Azurite, so "before any request" is
 * checked by what reached the wire; a guard blocks (and records) any connection to a
 * non-loopback address.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { AZURITE_KEY } from '../helpers/azurite';
import { startFaultProxy, type FaultProxy } from '../helpers/faultProxy';
import { blobEndpoint, createContainer, sdk, uniqueContainerName } from '../helpers/fixtures';
import { byList, byName, byUrl, fileItem } from '../helpers/params';
import {
	accountSas,
	allCredentials,
	closedPort,
	CLIENT_SECRET,
	connectionStringCredential,
	containerSas,
	credentialDialog,
	CRED_KEYS,
	expectFailure,
	expectNoSecrets,
	exposedTexts,
	fakeJwt,
	installNetworkGuard,
	OTHER_KEY,
	runWith,
	SAS_FORMS,
	sasCredential,
	sharedKeyCredential,
	silentServer,
	takeBlockedConnections,
	tcpPassThrough,
	uninstallNetworkGuard,
	type Cred,
	type CredKey,
	type ErrorClass,
	type PassThrough,
	type SilentServer,
} from './trustSupport';

/* ------------------------------------------------------------------ shared state */

interface Ctx {
	/** Container holding exists.txt, for every case. */
	container: string;
	/** A second container (outside a container SAS; target of "../" names). */
	other: string;
	/** A container only "container delete" cases point at, so a missed check cannot delete the main one. */
	victim: string;
	/** Azurite itself, and the counting proxy in front of it. */
	azurite: string;
	endpoint: string;
	creds: Record<CredKey, Cred>;
	proxy: FaultProxy;
	closedPort: number;
	silent: SilentServer;
	azuritePort: string;
	/** A fresh pass-through to Azurite for the current credential-dialog case. */
	dialogEndpoint: string;
}

const t = {} as Ctx;

beforeAll(async () => {
	installNetworkGuard();
	const [proxy, container, other, victim, port, silent] = await Promise.all([
		startFaultProxy(blobEndpoint()),
		createContainer('trust-bad'),
		createContainer('trust-other'),
		createContainer('trust-victim'),
		closedPort(),
		silentServer(),
	]);
	Object.assign(t, {
		proxy,
		container,
		other,
		victim,
		closedPort: port,
		silent,
		azurite: blobEndpoint(),
		endpoint: proxy.blobEndpoint,
		creds: allCredentials(proxy.blobEndpoint),
		azuritePort: new URL(blobEndpoint()).port,
	});
	await Promise.all([
		sdk().getContainerClient(container).getBlockBlobClient('exists.txt').uploadData(Buffer.from('exists')),
		sdk().getContainerClient(other).getBlockBlobClient('x').uploadData(Buffer.from('other x')),
	]);
	// Warm up n8n's engine (first expression isolate, module loading) so durations measure the node.
	await runWith(t.creds.sharedKey, { resource: 'container', operation: 'getAll', returnAll: false, limit: 1 });
}, 60_000);

afterAll(async () => {
	uninstallNetworkGuard();
	await Promise.all([t.proxy?.close(), t.silent?.close()]);
});

beforeEach(() => {
	t.proxy?.reset();
	takeBlockedConnections();
});

afterEach(() => {
	// No case may ever connect to anything but loopback.
	expect(takeBlockedConnections()).toEqual([]);
});

/* ------------------------------------------------------------------ case tables */

type Params = Record<string, unknown>;

interface Case {
	title: string;
	cred: CredKey | ((t: Ctx) => Cred);
	params: (t: Ctx) => Params;
	items?: (t: Ctx) => INodeExecutionData[];
	kind: ErrorClass;
	/** Text the message starts with (escaped), or a pattern. */
	message: string | RegExp | ((t: Ctx) => string | RegExp);
	description?: RegExp;
	maxMs?: number;
	httpCode?: string;
	/** Values that must not be shown (e.g. the secret pasted into a field). */
	hidden?: string[];
	/** Fails before any request reaches the wire (default for NodeOperationError). */
	noRequest?: boolean;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const startsWith = (s: string) => new RegExp(`^${esc(s)}`);
const q = (s: string) => JSON.stringify(s);

const INPUT_MS = 2_000;

function credOf(c: Case): Cred {
	return typeof c.cred === 'function' ? c.cred(t) : t.creds[c.cred];
}

async function check(c: Case): Promise<void> {
	const cred = credOf(c);
	const outcome = await runWith(cred, c.params(t), { items: c.items?.(t) });
	const message = typeof c.message === 'function' ? c.message(t) : c.message;
	expectFailure(
		outcome,
		{
			kind: c.kind,
			message: typeof message === 'string' ? startsWith(message) : message,
			description: c.description,
			maxMs: c.maxMs ?? (c.kind === 'NodeOperationError' ? INPUT_MS : 5_000),
			httpCode: c.httpCode,
		},
		[...cred.secrets, ...(c.hidden ?? [])],
	);
	if (c.noRequest ?? c.kind === 'NodeOperationError') expect(t.proxy.seen.map((r) => `${r.method} ${r.url}`)).toEqual([]);
}

const rot = (i: number): CredKey => CRED_KEYS[i % CRED_KEYS.length];

/* operation parameter builders (valid except for what a case overrides) */
const upload = (p: Params = {}) => (x: Ctx): Params => ({
	resource: 'blob',
	operation: 'upload',
	container: byName(x.container),
	blobName: 'ok.txt',
	inputDataType: 'text',
	textContent: 'fine',
	ifExists: 'overwrite',
	...p,
});
const uploadFromUrl = (p: Params = {}) => (x: Ctx): Params => ({
	resource: 'blob',
	operation: 'uploadFromUrl',
	container: byName(x.container),
	blobName: 'copy.txt',
	sourceUrl: `${x.azurite}/${x.container}/exists.txt`,
	ifExists: 'overwrite',
	...p,
});
const download = (p: Params = {}) => (x: Ctx): Params => ({
	resource: 'blob',
	operation: 'download',
	container: byName(x.container),
	blob: byName('exists.txt'),
	...p,
});
const deleteBlob = (p: Params = {}) => (x: Ctx): Params => ({
	resource: 'blob',
	operation: 'delete',
	container: byName(x.container),
	blob: byName('never-deleted.txt'),
	...p,
});
const listBlobs = (p: Params = {}) => (x: Ctx): Params => ({ resource: 'blob', operation: 'getAll', container: byName(x.container), returnAll: true, ...p });
const createContainerOp = (p: Params = {}) => (): Params => ({ resource: 'container', operation: 'create', containerName: uniqueContainerName('trust-new'), ...p });
const listContainers = (p: Params = {}) => (): Params => ({ resource: 'container', operation: 'getAll', returnAll: true, ...p });
const deleteContainerOp = (p: Params = {}) => (x: Ctx): Params => ({ resource: 'container', operation: 'delete', container: byName(x.victim), ...p });

/** A parameter builder with the "container" field set from the context. */
const withParams = (build: (x: Ctx) => Params, more: (x: Ctx) => Params) => (x: Ctx): Params => ({ ...build(x), ...more(x) });

/* ------------------------------------------------------------------ 1. blob names */

const NAME_PROBLEMS: Array<[string, string, string]> = [
	// [what, name, message after the field and the quoted name]
	['a "." segment', 'a/./b', 'has a "." or ".." path segment'],
	['a ".." segment', 'a/../b', 'has a "." or ".." path segment'],
	['a leading ".." into another container', '../other-container/x', 'has a "." or ".." path segment'],
	['a backslash', 'a\\b', 'has a backslash'],
	['a leading space', ' a', 'starts or ends with a space'],
	['a trailing space', 'a ', 'starts or ends with a space'],
	['a trailing line break', 'a\n', 'starts or ends with a space or line break'],
	['a leading tab', '\ta', 'starts or ends with a space'],
	['a leading byte-order mark', '\uFEFFa', 'starts or ends with a space'],
	['a trailing no-break space', 'a\u00A0', 'starts or ends with a space'],
	['a control character', 'a\u0001b', 'has a control character (U+0001)'],
	['a DEL character', 'a\u007Fb', 'has a control character (U+007F)'],
	['a C1 control character', 'a\u0085b', 'has a control character (U+0085)'],
	['a leading "/"', '/a', 'starts with "/"'],
	['an empty segment', 'a//b', 'has an empty path segment'],
	['a trailing "."', 'a.', 'ends with "."'],
	['a trailing "/"', 'a/', 'ends with "/"'],
	['a segment ending in "."', 'a./b', 'has a path segment ending with "."'],
];

/** Fields that take a blob name, with the field name the message must start with. */
const NAME_FIELDS: Array<[string, string, (name: string) => (x: Ctx) => Params, ((name: string) => (x: Ctx) => INodeExecutionData[]) | undefined]> = [
	['Upload', 'Blob Name', (name) => upload({ blobName: `={{ ${q(name)} }}` }), undefined],
	['Upload From URL', 'Blob Name', (name) => uploadFromUrl({ blobName: `={{ ${q(name)} }}` }), undefined],
	['Download by name', 'Blob', (name) => download({ blob: byName(`={{ ${q(name)} }}`) }), undefined],
	['Delete by name', 'Blob', (name) => deleteBlob({ blob: byName(`={{ ${q(name)} }}`) }), undefined],
	[
		'Upload (file name of the input, Blob Name empty)',
		'Blob Name (empty, so the file name of the input binary was used)',
		() => upload({ blobName: '', inputDataType: 'binary' }),
		(name) => () => [fileItem(Buffer.from('payload'), name, 'text/plain')],
	],
];

const nameCases: Case[] = NAME_PROBLEMS.map(([what, name, problem], i): Case => {
	const [op, field, params, items] = NAME_FIELDS[i % NAME_FIELDS.length];
	return {
		title: `[${rot(i)}] ${op}: a name with ${what} (${q(name)}) is refused naming "${field}"`,
		cred: rot(i),
		params: params(name),
		items: items?.(name),
		kind: 'NodeOperationError',
		message: `${field} ${q(name)} ${problem}`,
	};
});

const longName = 'x'.repeat(1025);
const manySegments = Array.from({ length: 255 }, () => 's').join('/');
nameCases.push(
	{
		title: '[sasUrl] Upload: a 1,025-character Blob Name is refused',
		cred: 'sasUrl',
		params: upload({ blobName: `={{ "x".repeat(1025) }}` }),
		kind: 'NodeOperationError',
		message: 'Blob Name has 1025 characters; blob names have at most 1024',
	},
	{
		title: '[sasToken] Download: a name with 255 path segments is refused',
		cred: 'sasToken',
		params: download({ blob: byName(`={{ ${q(manySegments)} }}`) }),
		kind: 'NodeOperationError',
		message: 'Blob has 255 path segments; Azure allows at most 254',
	},
	{
		title: '[oAuth2] Delete: a name with a lone high surrogate is refused',
		cred: 'oAuth2',
		params: deleteBlob({ blob: byName('={{ "a" + String.fromCharCode(0xD800) + "b" }}') }),
		kind: 'NodeOperationError',
		message: 'Blob has a broken Unicode character (half of a surrogate pair)',
	},
	{
		title: '[clientCreds] Upload From URL: a name with a lone low surrogate is refused',
		cred: 'clientCreds',
		params: uploadFromUrl({ blobName: '={{ String.fromCharCode(0xDC00) + "b" }}' }),
		kind: 'NodeOperationError',
		message: 'Blob Name has a broken Unicode character',
	},
	{
		title: '[sharedKey] Download: an empty blob picker is refused naming "Blob"',
		cred: 'sharedKey',
		params: download({ blob: byName('={{ "" }}') }),
		kind: 'NodeOperationError',
		message: 'Blob is empty',
	},
	{
		title: '[connString] Upload From URL: an empty Blob Name is refused',
		cred: 'connString',
		params: uploadFromUrl({ blobName: '={{ "" }}' }),
		kind: 'NodeOperationError',
		message: 'Blob Name is empty',
	},
	{
		title: '[sasConnString] Upload: empty Blob Name and a file without a name is refused',
		cred: 'sasConnString',
		params: upload({ blobName: '', inputDataType: 'binary' }),
		items: () => [{ json: {}, binary: { data: { data: Buffer.from('x').toString('base64'), mimeType: 'text/plain' } } }],
		kind: 'NodeOperationError',
		message: 'Blob Name is empty and the input binary has no file name',
	},
	{
		title: '[sharedKey] Download: a 1,025-character name from the list picker is refused',
		cred: 'sharedKey',
		params: download({ blob: byList(longName) }),
		kind: 'NodeOperationError',
		message: 'Blob has 1025 characters',
	},
);

/** "By URL": the name is read from the path as written, percent-escapes decoded per segment. */
const URL_CASES: Array<[string, (x: Ctx) => string, string | ((x: Ctx) => string)]> = [
	['a ".." segment', (x) => `${x.endpoint}/${x.container}/a/../b`, 'Blob name in the Blob URL "a/../b" has a "." or ".." path segment'],
	['a percent-encoded "%2e%2e" segment', (x) => `${x.endpoint}/${x.container}/%2e%2e/${x.other}/x`, (x) => `Blob name in the Blob URL "../${x.other}/x" has a "." or ".." path segment`],
	['an upper-case "%2E%2E" segment', (x) => `${x.endpoint}/${x.container}/a/%2E%2E/b`, 'Blob name in the Blob URL "a/../b" has a "." or ".." path segment'],
	['a "..%2F" escape hiding a segment', (x) => `${x.endpoint}/${x.container}/..%2F${x.other}%2Fx`, (x) => `Blob name in the Blob URL "../${x.other}/x" has a "." or ".." path segment`],
	['a "." segment', (x) => `${x.endpoint}/${x.container}/a/./b`, 'Blob name in the Blob URL "a/./b" has a "." or ".." path segment'],
	['an encoded backslash (%5C)', (x) => `${x.endpoint}/${x.container}/a%5Cb`, 'Blob name in the Blob URL "a\\\\b" has a backslash'],
	['a raw backslash', (x) => `${x.endpoint}/${x.container}/a\\b`, 'Blob URL has a backslash (\\) in its path'],
	['an encoded leading space', (x) => `${x.endpoint}/${x.container}/%20a`, 'Blob name in the Blob URL " a" starts or ends with a space'],
	['an encoded NUL', (x) => `${x.endpoint}/${x.container}/a%00b`, 'Blob name in the Blob URL "a\\u0000b" has a control character (U+0000)'],
	['an encoded "//"', (x) => `${x.endpoint}/${x.container}/a%2F%2Fb`, 'Blob name in the Blob URL "a//b" has an empty path segment'],
	['a trailing "/"', (x) => `${x.endpoint}/${x.container}/folder/`, 'Blob name in the Blob URL "folder/" ends with "/"'],
	['a broken %-escape', (x) => `${x.endpoint}/${x.container}/a%ZZ`, 'Blob URL has a broken %-escape'],
	['a ".." container segment', (x) => `${x.endpoint}/../${x.container}/x`, 'Container in the Blob URL: ".." has 2 characters'],
	['no blob name', (x) => `${x.endpoint}/${x.container}/`, /^Blob URL ".*" has no container and blob name in its path/.source],
	['another storage account', (x) => `https://otheraccount.blob.core.windows.net/${x.container}/x`, 'Blob URL points at storage account "otheraccount" but the credential is for "devstoreaccount1"'],
];

const urlCases: Case[] = URL_CASES.map(([what, url, message], i): Case => {
	const key = rot(i + 3);
	const op = i % 2 === 0 ? 'Download' : 'Delete';
	return {
		title: `[${key}] ${op} By URL: a URL with ${what} is refused`,
		cred: key,
		params: op === 'Download' ? (x) => download({ blob: byUrl(url(x)) })(x) : (x) => deleteBlob({ blob: byUrl(url(x)) })(x),
		kind: 'NodeOperationError',
		message: (x) => {
			const m = typeof message === 'function' ? message(x) : message;
			return m.startsWith('^') ? new RegExp(m) : m;
		},
	};
});

/* ------------------------------------------------------------------ 2. container names */

const containerNameCases: Case[] = [
	['upper case', '={{ "Bad_Name" }}', 'Container "Bad_Name" has upper-case letters'],
	['a leading space', '={{ " abc" }}', 'Container " abc" starts or ends with a space'],
	['a double hyphen', '={{ "a--b" }}', 'Container "a--b" is not a valid container name'],
	['a leading hyphen', '={{ "-abc" }}', 'Container "-abc" is not a valid container name'],
	['64 characters', '={{ "c".repeat(64) }}', 'Container "cccc'],
	['2 characters', '={{ "ab" }}', 'Container "ab" has 2 characters'],
	['a dot', '={{ "my.container" }}', 'Container "my.container" is not a valid container name'],
].map(([what, value, message], i): Case => {
	const builders = [listBlobs, upload, download, deleteBlob, deleteContainerOp, uploadFromUrl, listBlobs];
	const build = builders[i];
	return {
		title: `[${rot(i + 1)}] a container picker value with ${what} is refused naming "Container"`,
		cred: rot(i + 1),
		params: withParams(build(), () => ({ container: i === 6 ? byList(value) : byName(value) })),
		kind: 'NodeOperationError',
		message,
	};
});
containerNameCases.push(
	{
		title: '[sharedKey] Container > Create: a trailing space is refused naming "Container Name"',
		cred: 'sharedKey',
		params: createContainerOp({ containerName: '={{ "abc " }}' }),
		kind: 'NodeOperationError',
		message: 'Container Name "abc " starts or ends with a space',
	},
	{
		title: '[sasUrl] Container > Create: upper case is refused naming "Container Name"',
		cred: 'sasUrl',
		params: createContainerOp({ containerName: '={{ "UPPER" }}' }),
		kind: 'NodeOperationError',
		message: 'Container Name "UPPER" has upper-case letters',
	},
);

/* ------------------------------------------------------------------ 3. expressions returning other JSON types */

const typeCases: Case[] = [
	['Upload', 'Blob Name', upload({ blobName: '={{ 42 }}' }), 'a number (42)'],
	['Upload', 'Blob Name', upload({ blobName: '={{ 1e21 }}' }), 'a number (1e+21)'],
	['Upload', 'Blob Name', upload({ blobName: '={{ NaN }}' }), 'NaN (not a number)'],
	['Upload From URL', 'Blob Name', uploadFromUrl({ blobName: '={{ Infinity }}' }), 'a number (Infinity)'],
	['Download', 'Blob', download({ blob: byName('={{ 7 }}') }), 'a number (7)'],
	['Delete', 'Blob', deleteBlob({ blob: byName('={{ { name: "x" } }}') }), 'an object'],
	['Download By URL', 'Blob', download({ blob: byUrl('={{ true }}') }), 'a boolean (true)'],
	['Get Many blobs', 'Container', listBlobs({ container: byName('={{ ["a", "b"] }}') }), 'a list (array)'],
	['Container > Create', 'Container Name', createContainerOp({ containerName: '={{ 123 }}' }), 'a number (123)'],
	['Container > Create', 'Container Name', createContainerOp({ containerName: '={{ false }}' }), 'a boolean (false)'],
	['Container > Delete', 'Container', deleteContainerOp({ container: byName('={{ {} }}') }), 'an object'],
	['Get Many blobs', 'Prefix', listBlobs({ prefix: '={{ 42 }}' }), 'a number (42)'],
	['Get Many containers', 'Prefix', listContainers({ prefix: '={{ { p: 1 } }}' }), 'an object'],
	['Upload', 'Text Content', upload({ textContent: '={{ [1, 2] }}' }), 'a list (array)'],
	['Upload From URL', 'Source URL', uploadFromUrl({ sourceUrl: '={{ 42 }}' }), 'a number (42)'],
	['Download', 'File Name', download({ options: { fileName: '={{ {} }}' } }), 'an object'],
	['Upload', 'Content Type', upload({ options: { contentType: '={{ 42 }}' } }), 'a number (42)'],
	['Upload', 'Cache Control', upload({ options: { cacheControl: '={{ NaN }}' } }), 'NaN (not a number)'],
	['Upload', 'Content Disposition', upload({ options: { contentDisposition: '={{ true }}' } }), 'a boolean (true)'],
	['Delete', 'Only If ETag Matches', deleteBlob({ options: { ifMatch: '={{ [] }}' } }), 'a list (array)'],
	['Upload', 'Metadata value of "k"', upload({ options: { metadata: { entries: [{ name: 'k', value: '={{ { a: 1 } }}' }] } } }), 'an object'],
	['Upload', 'Metadata value of "k"', upload({ options: { metadata: { entries: [{ name: 'k', value: '={{ NaN }}' }] } } }), 'NaN (not a number)'],
	['Upload', 'Metadata name', upload({ options: { metadata: { entries: [{ name: '={{ 5 }}', value: 'v' }] } } }), 'a number (5)'],
	['Upload', 'Tags value of "k"', upload({ options: { tags: { entries: [{ name: 'k', value: '={{ true }}' }] } } }), 'a boolean (true)'],
	['Upload', 'Input Binary Field', upload({ inputDataType: 'binary', binaryPropertyName: '={{ 7 }}' }), 'a number (7)'],
	['Download', 'Put Output File in Field', download({ binaryPropertyName: '={{ { a: 1 } }}' }), 'an object'],
].map(([op, field, params, type], i): Case => ({
	title: `[${rot(i)}] ${op}: "${field}" given ${type} by an expression is refused naming the field`,
	cred: rot(i),
	params: params as (x: Ctx) => Params,
	kind: 'NodeOperationError',
	message: `${field as string} must be text, but the expression returned ${type as string}`,
}));

typeCases.push(
	...(
		[
			['Upload From URL', 'Source URL', uploadFromUrl({ sourceUrl: 'ftp://example.com/file' }), 'Source URL is not an http(s) URL'],
			['Download', 'File Name', download({ options: { fileName: 'a/b.txt' } }), 'File Name has a line break, control character, "/" or "\\"'],
			['Download', 'Blob', download({ blob: byName('={{ null }}') }), 'Blob must be text, but the expression returned null'],
			['Container > Create', 'Container Name', createContainerOp({ containerName: '={{ null }}' }), 'Container Name must be text, but the expression returned null'],
		] as Array<[string, string, (x: Ctx) => Params, string]>
	).map(([op, field, params, message], i): Case => ({
		title: `[${rot(i + 2)}] ${op}: "${field}" with the wrong shape is refused: ${message}`,
		cred: rot(i + 2),
		params,
		kind: 'NodeOperationError',
		message,
	})),
);

/* ------------------------------------------------------------------ 4. numbers */

const NUMBER_FIELDS: Record<string, { range: string; params: (v: unknown) => (x: Ctx) => Params }> = {
	Limit: { range: '1 to 1,000,000,000', params: (v) => listBlobs({ returnAll: false, limit: v }) },
	'Limit ': { range: '1 to 1,000,000,000', params: (v) => listContainers({ returnAll: false, limit: v }) },
	'Page Size': { range: '1 to 5,000', params: (v) => listBlobs({ options: { pageSize: v } }) },
	'Parallel Uploads': { range: '1 to 64', params: (v) => upload({ options: { parallelUploads: v } }) },
	'Block Size (MiB)': { range: '1 to 4,000', params: (v) => upload({ options: { blockSizeMiB: v } }) },
	'Range Start (Bytes)': { range: '0 to 9,007,199,254,740,991', params: (v) => download({ options: { rangeStart: v } }) },
	'Range Length (Bytes)': { range: '0 to 9,007,199,254,740,991', params: (v) => download({ options: { rangeLength: v } }) },
	'Request Timeout (Seconds)': { range: '1 to 3,600', params: (v) => deleteBlob({ options: { requestTimeout: v } }) },
	'Max Retries': { range: '0 to 10', params: (v) => createContainerOp({ options: { maxRetries: v } }) },
	'Operation Timeout (Seconds)': { range: '1 to 86,400', params: (v) => uploadFromUrl({ options: { operationTimeout: v } }) },
};

const NUMBER_CASES: Array<[string, unknown, string]> = [
	// [field, value, what the message says after "must be a whole number from A to B"]
	['Limit', 0, '; got 0'],
	['Limit', -1, '; got -1'],
	['Limit', '={{ 1.5 }}', '; got 1.5'],
	['Limit', '={{ 1e10 }}', '; got 10000000000'],
	['Limit', '={{ NaN }}', '; got NaN'],
	['Limit', '={{ Infinity }}', '; got Infinity'],
	['Limit', '={{ "abc" }}', ', but the expression returned text "abc"'],
	['Limit', '={{ { n: 1 } }}', ', but the expression returned an object'],
	['Limit ', '={{ -Infinity }}', '; got -Infinity'],
	['Limit ', '={{ [5] }}', ', but the expression returned a list (array)'],
	['Page Size', 0, '; got 0'],
	['Page Size', 5001, '; got 5001'],
	['Page Size', '={{ 2.5 }}', '; got 2.5'],
	['Page Size', '={{ "many" }}', ', but the expression returned text "many"'],
	['Parallel Uploads', 0, '; got 0'],
	['Parallel Uploads', 65, '; got 65'],
	['Parallel Uploads', '={{ NaN }}', '; got NaN'],
	['Parallel Uploads', '={{ true }}', ', but the expression returned a boolean (true)'],
	['Block Size (MiB)', 0, '; got 0'],
	['Block Size (MiB)', 4001, '; got 4001'],
	['Block Size (MiB)', '={{ 1e308 }}', '; got 1e+308'],
	['Block Size (MiB)', '={{ "8 MiB" }}', ', but the expression returned text "8 MiB"'],
	['Range Start (Bytes)', -1, '; got -1'],
	['Range Start (Bytes)', '={{ 0.5 }}', '; got 0.5'],
	['Range Start (Bytes)', '={{ 2 ** 53 + 2 }}', '; got 9007199254740994'],
	['Range Length (Bytes)', '={{ "x" }}', ', but the expression returned text "x"'],
	['Range Length (Bytes)', -5, '; got -5'],
	['Request Timeout (Seconds)', 0, '; got 0'],
	['Request Timeout (Seconds)', 3601, '; got 3601'],
	['Request Timeout (Seconds)', '={{ Infinity }}', '; got Infinity'],
	['Request Timeout (Seconds)', '={{ "30s" }}', ', but the expression returned text "30s"'],
	['Max Retries', 11, '; got 11'],
	['Max Retries', -1, '; got -1'],
	['Max Retries', '={{ 1.5 }}', '; got 1.5'],
	['Operation Timeout (Seconds)', 0, '; got 0'],
	['Operation Timeout (Seconds)', 86401, '; got 86401'],
];

const numberCases: Case[] = NUMBER_CASES.map(([field, value, rest], i): Case => {
	const spec = NUMBER_FIELDS[field];
	const name = field.trim();
	return {
		title: `[${rot(i)}] "${name}" = ${typeof value === 'string' ? value : String(value)} is refused naming the field`,
		cred: rot(i),
		params: spec.params(value),
		kind: 'NodeOperationError',
		message: `${name} must be a whole number from ${spec.range}${rest}`,
	};
});
numberCases.push(
	...(
		[
			['Limit', listBlobs({ returnAll: false, limit: '={{ null }}' })],
			['Limit', listContainers({ returnAll: false, limit: '={{ "" }}' })],
			['Operation Timeout (Seconds)', download({ options: { operationTimeout: '={{ null }}' } })],
			['Parallel Uploads', upload({ options: { parallelUploads: '={{ "" }}' } })],
		] as Array<[string, (x: Ctx) => Params]>
	).map(([field, params], i): Case => ({
		title: `[${rot(i + 4)}] an empty "${field}" is refused as empty`,
		cred: rot(i + 4),
		params,
		kind: 'NodeOperationError',
		message: `${field} is empty`,
	})),
);

/* ------------------------------------------------------------------ 5. booleans, choices, binary fields */

const choiceCases: Case[] = (
	[
		['Return All', listBlobs({ returnAll: '={{ "yes" }}' }), 'Return All must be true or false, but the expression returned text'],
		['Return All', listContainers({ returnAll: '={{ 1 }}' }), 'Return All must be true or false, but the expression returned a number (1)'],
		['Include Metadata', listBlobs({ options: { includeMetadata: '={{ null }}' } }), 'Include Metadata must be true or false, but the expression returned null'],
		['Include Tags', listBlobs({ options: { includeTags: '={{ [] }}' } }), 'Include Tags must be true or false, but the expression returned a list (array)'],
		['Delete Snapshots', deleteBlob({ options: { deleteSnapshots: '={{ "maybe" }}' } }), 'Delete Snapshots must be true or false'],
		['Succeed If Blob Does Not Exist', deleteBlob({ options: { ignoreMissing: '={{ {} }}' } }), 'Succeed If Blob Does Not Exist must be true or false, but the expression returned an object'],
		['Compute MD5', download({ options: { computeMd5: '={{ 0 }}' } }), 'Compute MD5 must be true or false, but the expression returned a number (0)'],
		['Wait for Completion', uploadFromUrl({ options: { waitForCompletion: '={{ "no" }}' } }), 'Wait for Completion must be true or false'],
		['Succeed If Container Does Not Exist', deleteContainerOp({ options: { ignoreMissing: '={{ "1" }}' } }), 'Succeed If Container Does Not Exist must be true or false'],
		['Include Metadata', listContainers({ options: { includeMetadata: '={{ "TRUE " }}x' } }), 'Include Metadata must be true or false'],
		['If Blob Exists', upload({ ifExists: '={{ "replace" }}' }), 'If Blob Exists must be one of "fail", "overwrite", "skip"; got "replace"'],
		['If Blob Exists', uploadFromUrl({ ifExists: '={{ 1 }}' }), 'If Blob Exists must be one of "fail", "overwrite", "skip"; got a number (1)'],
		['Input Data', upload({ inputDataType: '={{ "file" }}' }), 'Input Data must be one of "binary", "text"; got "file"'],
		['Access Tier', upload({ options: { accessTier: '={{ "hot" }}' } }), 'Access Tier must be one of "Hot", "Cool", "Cold", "Archive"; got "hot"'],
		['Access Tier', uploadFromUrl({ options: { accessTier: '={{ null }}' } }), 'Access Tier must be one of "Hot", "Cool", "Cold", "Archive"; got null'],
		['Public Access', createContainerOp({ options: { publicAccess: '={{ "public" }}' } }), 'Public Access must be one of "none", "blob", "container"; got "public"'],
		['If Container Exists', createContainerOp({ ifExists: '={{ "ignore" }}' }), 'If Container Exists must be one of "fail", "skip"; got "ignore"'],
		['Only If ETag Matches', upload({ ifExists: 'fail', options: { ifMatch: '"0x8DC"' } }), 'Only If ETag Matches needs "If Blob Exists" set to Overwrite'],
		['Input Binary Field', upload({ inputDataType: 'binary', binaryPropertyName: '={{ "" }}' }), 'Input Binary Field is empty'],
		['Input Binary Field', upload({ inputDataType: 'binary', binaryPropertyName: '__proto__' }), 'Input Binary Field "__proto__" is a reserved name'],
		['Put Output File in Field', download({ binaryPropertyName: '={{ "" }}' }), 'Put Output File in Field is empty'],
		['Put Output File in Field', download({ binaryPropertyName: '   ' }), 'Put Output File in Field is empty'],
		['Put Output File in Field', download({ binaryPropertyName: 'constructor' }), 'Put Output File in Field "constructor" is a reserved name'],
	] as Array<[string, (x: Ctx) => Params, string]>
).map(([field, params, message], i): Case => ({
	title: `[${rot(i + 5)}] "${field}": ${message}`,
	cred: rot(i + 5),
	params,
	kind: 'NodeOperationError',
	message,
}));

choiceCases.push(
	{
		title: '[sharedKey] Upload: a missing input binary field is refused, listing the fields the item has',
		cred: 'sharedKey',
		params: upload({ inputDataType: 'binary', binaryPropertyName: 'file' }),
		items: () => [
			{
				json: {},
				binary: {
					attachment_0: { data: 'aGk=', mimeType: 'text/plain', fileName: 'a.txt' },
					attachment_1: { data: 'aGk=', mimeType: 'text/plain', fileName: 'b.txt' },
				},
			},
		],
		kind: 'NodeOperationError',
		message: 'Input Binary Field "file" is not on the input item',
		description: /attachment_0, attachment_1/,
	},
	{
		title: '[sasUrl] Upload: an item without any binary data is refused, saying so',
		cred: 'sasUrl',
		params: upload({ inputDataType: 'binary', binaryPropertyName: 'data' }),
		items: () => [{ json: { a: 1 } }],
		kind: 'NodeOperationError',
		message: 'Input Binary Field "data" is not on the input item',
		description: /has no binary data/,
	},
);

/* ------------------------------------------------------------------ 6. header values, metadata, tags */

const meta = (entries: Array<{ name: unknown; value: unknown }>) => ({ metadata: { entries } });
const tags = (entries: Array<{ name: unknown; value: unknown }>) => ({ tags: { entries } });
const tagsAllowed = 'letters, digits, spaces and + - . / : = _';

const headerCases: Case[] = (
	[
		['Content Type', upload({ options: { contentType: '={{ "text/plain\\r\\nX-Injected: 1" }}' } }), 'Content Type has a line break, which HTTP headers cannot carry'],
		['Cache Control', upload({ options: { cacheControl: '={{ "no-cache" + String.fromCharCode(0) }}' } }), 'Cache Control has a control character (U+0000)'],
		['Content Disposition', upload({ options: { contentDisposition: 'attachment; filename="résumé.pdf"' } }), /^Content Disposition has the character "é" \(U\+00E9\).*encodeURIComponent/],
		['Content Type', upload({ options: { contentType: 'text/plain 😀' } }), /^Content Type has the character .*encodeURIComponent/],
		['Content Type', upload({ options: { contentType: ' text/plain' } }), 'Content Type starts or ends with a space'],
		['Cache Control', upload({ options: { cacheControl: 'max-age=60 ' } }), 'Cache Control starts or ends with a space'],
		['Only If ETag Matches', deleteBlob({ options: { ifMatch: '={{ "\\"0x1\\n2\\"" }}' } }), 'Only If ETag Matches has a line break'],
		['Only If ETag Matches', upload({ options: { ifMatch: '"0x1é"' } }), /^Only If ETag Matches has the character "é".*encodeURIComponent/],
		['Metadata', upload({ options: meta([{ name: 'note', value: '={{ "line1\\nline2" }}' }]) }), 'Metadata "note" has a line break'],
		['Metadata', upload({ options: meta([{ name: 'note', value: 'café' }]) }), /^Metadata "note" has the character "é".*encodeURIComponent/],
		['Metadata', upload({ options: meta([{ name: 'note', value: '🎉' }]) }), /^Metadata "note" has the character .*encodeURIComponent/],
		['Metadata', uploadFromUrl({ options: meta([{ name: 'note', value: ' padded' }]) }), 'Metadata "note" starts or ends with a space'],
		['Metadata', upload({ options: meta([{ name: 'note', value: 'tab\there' }]) }), 'Metadata "note" has a control character (U+0009)'],
		['Metadata', upload({ options: meta([{ name: 'Owner', value: 'a' }, { name: 'owner', value: 'b' }]) }), 'Metadata names "Owner" and "owner" differ only by case'],
		['Metadata', uploadFromUrl({ options: meta([{ name: 'owner', value: 'a' }, { name: 'owner', value: 'b' }]) }), 'Metadata: the name "owner" is given twice'],
		['Metadata', upload({ options: meta([{ name: 'bad-key', value: 'x' }]) }), 'Metadata name "bad-key" is not a valid metadata name'],
		['Metadata', upload({ options: meta([{ name: '1abc', value: 'x' }]) }), 'Metadata name "1abc" is not a valid metadata name'],
		['Metadata', upload({ options: meta([{ name: 'ключ', value: 'x' }]) }), 'Metadata name "ключ" is not a valid metadata name'],
		['Metadata', upload({ options: meta([{ name: '', value: 'x' }]) }), 'Metadata name is empty'],
		['Metadata', upload({ options: meta([{ name: 'big', value: '={{ "a".repeat(8190) }}' }]) }), 'Metadata is 8193 bytes; Azure allows at most 8192'],
		['Metadata', uploadFromUrl({ options: meta([{ name: 'a', value: '={{ "x".repeat(5000) }}' }, { name: 'b', value: '={{ "y".repeat(5000) }}' }]) }), 'Metadata is 10002 bytes'],
		['Tags', upload({ options: tags(Array.from({ length: 11 }, (_, i) => ({ name: `k${i}`, value: 'v' }))) }), 'Tags: the blob has 11 tags; a blob can have at most 10'],
		['Tags', upload({ options: tags([{ name: '={{ "k".repeat(129) }}', value: 'v' }]) }), /^Tags: the blob tag name "k+\.\.\."? must have 1 to 128 characters/],
		['Tags', upload({ options: tags([{ name: '', value: 'v' }]) }), 'Tags: the blob tag name "" must have 1 to 128 characters'],
		['Tags', upload({ options: tags([{ name: 'k', value: '={{ "v".repeat(257) }}' }]) }), 'Tags: the blob tag "k" has a value longer than 256 characters'],
		['Tags', upload({ options: tags([{ name: 'k', value: 'a#b' }]) }), `Tags: the blob tag "k" has the value "a#b" with a character Azure does not allow in tags; use ${tagsAllowed}`],
		['Tags', upload({ options: tags([{ name: 'na!me', value: 'v' }]) }), `Tags: the blob tag name "na!me" has a character Azure does not allow in tags; use ${tagsAllowed}`],
		['Tags', upload({ options: tags([{ name: 'clé', value: 'v' }]) }), 'Tags: the blob tag name "clé" has a character Azure does not allow'],
		['Tags', upload({ options: tags([{ name: 'k', value: 'a' }, { name: 'k', value: 'b' }]) }), 'Tags: the name "k" is given twice'],
	] as Array<[string, (x: Ctx) => Params, string | RegExp]>
).map(([field, params, message], i): Case => ({
	title: `[${rot(i + 6)}] ${field}: ${typeof message === 'string' ? message : message.source.replace(/\\/g, '')}`,
	cred: rot(i + 6),
	params,
	kind: 'NodeOperationError',
	message,
}));

/* ------------------------------------------------------------------ 7. secrets in the wrong field */

const SECRET_WORDS = 'holds what looks like a secret (an account key, SAS signature or token)';

function sigOf(cred: Cred): string {
	const text = Object.values(cred.data).find((v): v is string => typeof v === 'string' && v.includes('sig='))!;
	return decodeURIComponent(new URLSearchParams(text.slice(text.indexOf('?') + 1).replace(/^.*SharedAccessSignature=/, '')).get('sig')!);
}
function sasTokenOf(cred: Cred): string {
	const text = Object.values(cred.data).find((v): v is string => typeof v === 'string' && v.includes('sig='))!;
	return text.slice(text.indexOf('sv='));
}
const jwtOf = (cred: Cred) => String((cred.data.oauthTokenData as { access_token: string }).access_token);

interface SecretCase {
	title: string;
	cred: CredKey;
	field: string;
	/** The secret (from the credential) and where to put it. */
	secret: (cred: Cred) => string;
	params: (secret: string) => (x: Ctx) => Params;
}

const SECRET_CASES: SecretCase[] = [
	{ title: 'its own account key as Blob Name', cred: 'sharedKey', field: 'Blob Name', secret: () => AZURITE_KEY, params: (s) => upload({ blobName: s }) },
	{ title: 'its own account key as a metadata value', cred: 'connString', field: 'Metadata value of "k"', secret: () => AZURITE_KEY, params: (s) => upload({ options: meta([{ name: 'k', value: s }]) }) },
	{ title: 'a key-shaped value (not its own) in the blob picker', cred: 'sasUrl', field: 'Blob', secret: () => OTHER_KEY, params: (s) => download({ blob: byName(s) }) },
	{ title: 'its own SAS signature as a metadata value', cred: 'sasUrl', field: 'Metadata value of "k"', secret: sigOf, params: (s) => upload({ options: meta([{ name: 'k', value: s }]) }) },
	{ title: 'its whole SAS token as Blob Name', cred: 'sasToken', field: 'Blob Name', secret: sasTokenOf, params: (s) => uploadFromUrl({ blobName: s }) },
	{ title: 'its SAS signature ("sig=...") in the container picker', cred: 'sasConnString', field: 'Container', secret: (c) => `sig=${sigOf(c)}`, params: (s) => listBlobs({ container: byName(`={{ ${q(s)} }}`) }) },
	{ title: 'its access token as a tag value', cred: 'oAuth2', field: 'Tags value of "k"', secret: jwtOf, params: (s) => upload({ options: tags([{ name: 'k', value: s }]) }) },
	{ title: 'its client secret as Content Type', cred: 'clientCreds', field: 'Content Type', secret: () => CLIENT_SECRET, params: (s) => upload({ options: { contentType: s } }) },
	{ title: 'a bearer token as Cache Control', cred: 'sharedKey', field: 'Cache Control', secret: () => `Bearer ${fakeJwt('stray')}`, params: (s) => upload({ options: { cacheControl: s } }) },
	{ title: 'its connection string key as Content Disposition', cred: 'connString', field: 'Content Disposition', secret: () => `AccountKey=${AZURITE_KEY}`, params: (s) => upload({ options: { contentDisposition: s } }) },
	{ title: 'a JWT as a metadata name', cred: 'clientCreds', field: 'Metadata name', secret: () => fakeJwt('name'), params: (s) => upload({ options: meta([{ name: s, value: 'v' }]) }) },
	{ title: 'a SAS signature as a tag name', cred: 'sasToken', field: 'Tags name', secret: (c) => `sig=${sigOf(c)}`, params: (s) => upload({ options: tags([{ name: s, value: 'v' }]) }) },
	{ title: 'its SAS signature as Container Name', cred: 'sasUrl', field: 'Container Name', secret: (c) => `sig=${encodeURIComponent(sigOf(c))}`, params: (s) => createContainerOp({ containerName: s }) },
	{ title: 'its account key (URL-encoded) as the blob name in a Blob URL', cred: 'sharedKey', field: 'Blob name in the Blob URL', secret: () => AZURITE_KEY, params: (s) => (x) => download({ blob: byUrl(`${x.endpoint}/${x.container}/${encodeURIComponent(s)}`) })(x) },
	{ title: 'its account key in the Delete picker', cred: 'connString', field: 'Blob', secret: () => AZURITE_KEY, params: (s) => deleteBlob({ blob: byName(s) }) },
];

/** The input file's name is checked like a typed Blob Name when Blob Name is empty. */
const fileNameSecretCase: Case = {
	title: '[sharedKey] an input file named like its own account key (Blob Name empty) is refused and not shown',
	cred: 'sharedKey',
	params: upload({ blobName: '', inputDataType: 'binary' }),
	items: () => [fileItem(Buffer.from('x'), AZURITE_KEY, 'text/plain')],
	kind: 'NodeOperationError',
	message: `Blob Name (empty, so the file name of the input binary was used) ${SECRET_WORDS}`,
	hidden: [AZURITE_KEY, encodeURIComponent(AZURITE_KEY)],
};

const secretCases: Case[] = SECRET_CASES.map(
	(s): Case => ({
		title: `[${s.cred}] ${s.title} is refused ("${s.field} ${SECRET_WORDS}") and not shown`,
		cred: s.cred,
		params: (x) => s.params(s.secret(x.creds[s.cred]))(x),
		kind: 'NodeOperationError',
		message: `${s.field} ${SECRET_WORDS}`,
		description: /The value is not shown here/,
		// hidden is filled at run time below (the secret depends on the credential)
	}),
);

/* ------------------------------------------------------------------ 8. malformed credentials */

const typoKey = AZURITE_KEY.slice(0, 10) + (AZURITE_KEY[10] === 'A' ? 'B' : 'A') + AZURITE_KEY.slice(11);
const truncatedKey = AZURITE_KEY.slice(0, 40);

const malformedCases: Case[] = ([
	{
		title: '[SAS URL] the SAS token pasted into the SAS URL field is refused as "not a URL" without showing it',
		cred: (x) => ({ ...sasCredential(accountSas(), 'SAS URL', undefined, x.endpoint), data: { sasMode: 'sasUrl', sasUrl: accountSas() } }),
		message: /^SAS URL .* is not a URL/,
	},
	{
		title: '[SAS URL] a SAS URL field starting with "sig=" is refused without showing the signature',
		cred: () => {
			const token = accountSas();
			const sig = new URLSearchParams(token).get('sig')!;
			const reordered = `sig=${encodeURIComponent(sig)}&${token.replace(/&?sig=[^&]*/, '')}`;
			return { ...sasCredential(token, 'SAS URL'), data: { sasMode: 'sasUrl', sasUrl: reordered }, secrets: [token, sig, encodeURIComponent(sig), reordered] };
		},
		message: /^SAS URL .* is not a URL/,
	},
	{
		title: '[SAS URL] a SAS URL without a signature is refused',
		cred: (x) => ({ ...sasCredential('sv=2022-11-02&sp=rl', 'SAS URL', undefined, x.endpoint) }),
		// The exact sentence ("(sig=...): copy the whole ...") is in badInput.pending.ts: the redaction mangles it.
		message: 'SAS URL has no signature (no "sig" parameter)',
	},
	{
		title: '[SAS URL] a SAS URL pointing at a blob is refused',
		cred: (x) => {
			const token = accountSas();
			return { ...sasCredential(token, 'SAS URL', undefined, x.endpoint), data: { sasMode: 'sasUrl', sasUrl: `${x.endpoint}/${x.container}/exists.txt?${token}` } };
		},
		message: 'SAS URL points at a blob',
	},
	{
		title: '[SAS token] a SAS token without a signature is refused',
		cred: (x) => sasCredential('sv=2022-11-02&ss=b&srt=sco&sp=rl', 'endpoint + SAS token', undefined, x.endpoint),
		message: 'SAS Token has no signature (no "sig" parameter)',
	},
	{
		title: '[Shared Key] an account key with a character that is not base64 is refused without showing it',
		cred: () => sharedKeyCredential({ accountKey: `${AZURITE_KEY.slice(0, 30)}!${AZURITE_KEY.slice(31)}` }, [`${AZURITE_KEY.slice(0, 30)}!${AZURITE_KEY.slice(31)}`]),
		message: 'Account Key is not a valid storage account key',
	},
	{
		title: '[Shared Key] the SAS token pasted into Account Key is refused without showing it',
		cred: () => {
			const token = accountSas();
			return sharedKeyCredential({ accountKey: token }, [token, new URLSearchParams(token).get('sig')!]);
		},
		message: 'Account Key is not a valid storage account key',
	},
	{
		title: '[Shared Key] an invalid account name for Azure is refused',
		cred: () => sharedKeyCredential({ accountName: 'My_Account', cloud: 'azurePublic', endpoint: '' }),
		message: 'Account Name "My_Account" is not a storage account name',
	},
	{
		title: '[connection string] an AccountKey that is not base64 is refused without showing it',
		cred: (x) => connectionStringCredential(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY.slice(0, 20)}!!${AZURITE_KEY.slice(22)};BlobEndpoint=${x.endpoint};`, [`${AZURITE_KEY.slice(0, 20)}!!${AZURITE_KEY.slice(22)}`]),
		message: 'Connection String has an AccountKey that is not a valid storage account key',
	},
	{
		title: '[connection string] text that is not a connection string is refused',
		cred: () => connectionStringCredential('hello world'),
		message: 'Connection String has neither AccountKey nor SharedAccessSignature',
	},
	{
		title: '[connection string] DefaultEndpointsProtocol=http for an Azure account is refused before sending the key',
		cred: () => connectionStringCredential(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};EndpointSuffix=core.windows.net`),
		message: 'Connection String uses DefaultEndpointsProtocol=http for a storage account in Azure',
	},
	{
		title: '[Shared Key] an endpoint that is not a URL is refused',
		cred: () => sharedKeyCredential({ endpoint: 'not a url' }),
		message: 'Blob Endpoint "not a url" is not a URL',
	},
	{
		title: '[Shared Key] an ftp:// endpoint is refused',
		cred: () => sharedKeyCredential({ endpoint: 'ftp://127.0.0.1/devstoreaccount1' }),
		message: 'Blob Endpoint must start with https://',
	},
	{
		title: '[Shared Key] an endpoint with a user name and password is refused without showing the password',
		cred: (x) => sharedKeyCredential({ endpoint: x.endpoint.replace('http://', 'http://admin:Hunter2Password@') }, ['Hunter2Password']),
		message: 'Blob Endpoint must not contain a user name or password',
	},
] as Array<Pick<Case, 'title' | 'cred' | 'message'>>).map((c): Case => ({ ...c, params: listContainers(), kind: 'NodeOperationError' }));

malformedCases.push(
	{
		title: '[Shared Key] an account key with a one-character typo is an authentication refusal (403) that hides both keys',
		cred: (x) => sharedKeyCredential({ endpoint: x.endpoint, accountKey: typoKey }, [typoKey]),
		params: listContainers(),
		kind: 'NodeApiError',
		message: 'Azure rejected the credential: the signature or token is not valid',
	},
	{
		title: '[connection string] a truncated AccountKey is an authentication refusal that hides it',
		cred: (x) => connectionStringCredential(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${truncatedKey};BlobEndpoint=${x.endpoint};`, [truncatedKey]),
		params: listBlobs(),
		kind: 'NodeApiError',
		message: 'Azure rejected the credential',
	},
	{
		title: '[SAS token] a SAS token field holding only "sig=..." is refused as incomplete and the signature is not shown',
		cred: (x) => {
			const sig = new URLSearchParams(accountSas()).get('sig')!;
			return { ...sasCredential(`sig=${encodeURIComponent(sig)}`, 'endpoint + SAS token', undefined, x.endpoint), secrets: [sig, encodeURIComponent(sig), AZURITE_KEY] };
		},
		params: listContainers(),
		kind: 'NodeOperationError',
		message: /^SAS Token is incomplete: it has no version \(sv\) or permissions \(sp\)/,
	},
);

/* ------------------------------------------------------------------ 9. SAS that Azure refuses */

const HOUR = 3600_000;
const expired = () => accountSas({ startsOn: new Date(Date.now() - 2 * HOUR), expiresOn: new Date(Date.now() - HOUR) });
const notYet = () => accountSas({ startsOn: new Date(Date.now() + HOUR), expiresOn: new Date(Date.now() + 2 * HOUR) });

const sasCases: Case[] = [
	...SAS_FORMS.map(
		(form, i): Case => ({
			title: `[${form}] an expired SAS: "The SAS of the credential expired on ..."`,
			cred: (x) => sasCredential(expired(), form, undefined, x.endpoint),
			params: [listContainers(), listBlobs(), download()][i],
			kind: 'NodeApiError',
			message: /^The SAS of the credential expired on \d{4}-\d\d-\d\dT/,
			description: /later expiry/,
		}),
	),
	...SAS_FORMS.map(
		(form, i): Case => ({
			title: `[${form}] a SAS that starts in an hour: "is not valid yet"`,
			cred: (x) => sasCredential(notYet(), form, undefined, x.endpoint),
			params: [listBlobs(), listContainers(), upload()][i],
			kind: 'NodeApiError',
			message: /^The SAS of the credential is not valid yet: it starts on \d{4}-/,
		}),
	),
	...(
		[
			['SAS URL', 'rl', upload(), 'write (permission "w")'],
			['endpoint + SAS token', 'rl', deleteBlob({ blob: byName('exists.txt') }), 'delete (permission "d")'],
			['SAS connection string', 'l', download(), 'read (permission "r")'],
			['SAS URL', 'r', listBlobs(), 'list (permission "l")'],
			['endpoint + SAS token', 'rl', createContainerOp(), 'create (permission "c")'],
			['SAS connection string', 'rl', deleteContainerOp(), 'delete (permission "d")'],
		] as Array<[(typeof SAS_FORMS)[number], string, (x: Ctx) => Params, string]>
	).map(
		([form, permissions, params, needed]): Case => ({
			title: `[${form}] a SAS with only "${permissions}": "does not allow ${needed}"`,
			cred: (x) => sasCredential(accountSas({ permissions }), form, undefined, x.endpoint),
			params,
			kind: 'NodeApiError',
			message: `The SAS of the credential does not allow ${needed}, which this operation needs`,
			description: /The SAS allows: /,
		}),
	),
	{
		title: '[SAS URL] an account SAS without the "container" resource type cannot create a container',
		cred: (x) => sasCredential(accountSas({ resourceTypes: 'so' }), 'SAS URL', undefined, x.endpoint),
		params: createContainerOp(),
		kind: 'NodeApiError',
		message: 'The SAS of the credential does not cover the resource type "Container"',
	},
	{
		title: '[endpoint + SAS token] an account SAS without the "service" resource type cannot list containers',
		cred: (x) => sasCredential(accountSas({ resourceTypes: 'co' }), 'endpoint + SAS token', undefined, x.endpoint),
		params: listContainers(),
		kind: 'NodeApiError',
		message: 'The SAS of the credential does not cover the resource type "Service"',
	},
	{
		title: '[SAS connection string] a SAS signed with another key: "Azure did not accept the SAS signature"',
		cred: (x) => {
			const { StorageSharedKeyCredential } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
			return sasCredential(accountSas({ key: new StorageSharedKeyCredential('devstoreaccount1', OTHER_KEY) }), 'SAS connection string', undefined, x.endpoint);
		},
		params: listBlobs(),
		kind: 'NodeApiError',
		message: 'Azure did not accept the SAS signature of the credential',
	},
	{
		title: '[container SAS URL] an expired container SAS says it expired',
		cred: (x) => sasCredential(containerSas(x.container, { startsOn: new Date(Date.now() - 2 * HOUR), expiresOn: new Date(Date.now() - HOUR) }), 'SAS URL', x.container, x.endpoint),
		params: listBlobs(),
		kind: 'NodeApiError',
		message: /^The SAS of the credential expired on /,
	},
	{
		title: '[container SAS URL] a read/list container SAS cannot upload: "does not allow write"',
		cred: (x) => sasCredential(containerSas(x.container, { permissions: 'rl' }), 'SAS URL', x.container, x.endpoint),
		params: upload(),
		kind: 'NodeApiError',
		message: 'The SAS of the credential does not allow write (permission "w")',
	},
];

const scoped = (x: Ctx) => sasCredential(containerSas(x.container), 'SAS URL', x.container, x.endpoint);
const outside = (x: Ctx) => `Container "${x.other}" is outside the credential's SAS, which grants access to container "${x.container}" only`;
const scopedCases: Case[] = (
	[
		['Get Many blobs', (x: Ctx) => listBlobs({ container: byName(x.other) })(x)],
		['Upload', (x: Ctx) => upload({ container: byName(x.other) })(x)],
		['Upload From URL', (x: Ctx) => uploadFromUrl({ container: byName(x.other) })(x)],
		['Download', (x: Ctx) => download({ container: byName(x.other), blob: byName('x') })(x)],
		['Download By URL', (x: Ctx) => download({ blob: byUrl(`${x.endpoint}/${x.other}/x`) })(x)],
		['Delete', (x: Ctx) => deleteBlob({ container: byName(x.other), blob: byName('x') })(x)],
		['Container > Create', (x: Ctx) => createContainerOp({ containerName: x.other })()],
		['Container > Delete', (x: Ctx) => deleteContainerOp({ container: byName(x.other) })(x)],
	] as Array<[string, (x: Ctx) => Params]>
).map(
	([op, params]): Case => ({
		title: `[container SAS URL] ${op} in another container is refused before any request, naming both containers`,
		cred: scoped,
		params,
		kind: 'NodeOperationError',
		message: outside,
		description: /account SAS/,
	}),
);

/* ------------------------------------------------------------------ 10. endpoints */

const endpointCases: Case[] = [
	...(
		[
			['Shared Key', (x: Ctx) => sharedKeyCredential({ endpoint: `http://127.0.0.1:${x.closedPort}/devstoreaccount1` })],
			['connection string', (x: Ctx) => connectionStringCredential(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${x.closedPort}/devstoreaccount1;`)],
			['SAS URL', (x: Ctx) => sasCredential(accountSas(), 'SAS URL', undefined, `http://127.0.0.1:${x.closedPort}/devstoreaccount1`)],
			['endpoint + SAS token', (x: Ctx) => sasCredential(accountSas(), 'endpoint + SAS token', undefined, `http://localhost:${x.closedPort}/devstoreaccount1`)],
		] as Array<[string, (x: Ctx) => Cred]>
	).map(
		([label, cred], i): Case => ({
			title: `[${label}] a loopback port where nothing listens: "Could not reach ...: connection refused", at once`,
			cred,
			params: [listContainers(), listBlobs(), download(), upload()][i],
			kind: 'NodeOperationError',
			message: (x) => new RegExp(`^Could not reach the blob endpoint (127\\.0\\.0\\.1|localhost):${x.closedPort}: connection refused`),
			maxMs: 3_000,
			noRequest: false,
		}),
	),
	{
		title: '[Shared Key] an endpoint that accepts and never answers: "No answer from HOST within 1 s (Request Timeout)"',
		cred: (x) => sharedKeyCredential({ endpoint: `http://127.0.0.1:${x.silent.port}/devstoreaccount1` }),
		params: listContainers({ options: { requestTimeout: 1, maxRetries: 0 } }),
		kind: 'NodeOperationError',
		// The exact wording "No answer from" is checked in badInput.pending.ts (the node says "No an answer from").
		message: (x) => new RegExp(`^No (an )?answer from 127\\.0\\.0\\.1:${x.silent.port} within 1 s \\(Request Timeout\\)`),
		description: /did not answer, or the transfer stalled, for that long/,
		maxMs: 3_000,
		noRequest: false,
	},
	{
		title: '[SAS URL] a silent endpoint with one retry: the error says it tried twice',
		cred: (x) => sasCredential(accountSas(), 'SAS URL', undefined, `http://127.0.0.1:${x.silent.port}/devstoreaccount1`),
		params: download({ options: { requestTimeout: 1, maxRetries: 1 } }),
		kind: 'NodeOperationError',
		message: (x) => new RegExp(`^No (an )?answer from 127\\.0\\.0\\.1:${x.silent.port} within 1 s \\(Request Timeout\\) \\(tried 2 times\\)`),
		maxMs: 5_000,
		noRequest: false,
	},
	...(
		[
			['Shared Key', (x: Ctx) => sharedKeyCredential({ endpoint: `https://127.0.0.1:${x.azuritePort}/devstoreaccount1` })],
			['endpoint + SAS token', (x: Ctx) => sasCredential(accountSas(), 'endpoint + SAS token', undefined, `https://127.0.0.1:${x.azuritePort}/devstoreaccount1`)],
			['connection string', (x: Ctx) => connectionStringCredential(`DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=https://127.0.0.1:${x.azuritePort}/devstoreaccount1;`)],
		] as Array<[string, (x: Ctx) => Cred]>
	).map(
		([label, cred]): Case => ({
			title: `[${label}] https:// to Azurite's plain-HTTP port: "does not speak HTTPS on that port"`,
			cred,
			params: listContainers({ options: { requestTimeout: 3, maxRetries: 0 } }),
			kind: 'NodeOperationError',
			message: (x) => new RegExp(`blob endpoint 127\\.0\\.0\\.1:${x.azuritePort} does not speak HTTPS on that port`, 'i'),
			maxMs: 3_000,
			noRequest: false,
		}),
	),
	...(
		[
			['Shared Key', (x: Ctx) => sharedKeyCredential({ endpoint: `http://127.0.0.1:${x.azuritePort}` }), (x: Ctx) => `Blob Endpoint http://127.0.0.1:${x.azuritePort} has no account name in its path`],
			['SAS URL', (x: Ctx) => sasCredential(accountSas(), 'SAS URL', undefined, `http://127.0.0.1:${x.azuritePort}`), (x: Ctx) => `SAS URL http://127.0.0.1:${x.azuritePort} has no account name in its path`],
			['endpoint + SAS token', (x: Ctx) => sasCredential(accountSas(), 'endpoint + SAS token', undefined, `http://127.0.0.1:${x.azuritePort}/`), (x: Ctx) => `Blob Endpoint http://127.0.0.1:${x.azuritePort} has no account name in its path`],
			['connection string', (x: Ctx) => connectionStringCredential(`AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${x.azuritePort};`), (x: Ctx) => `BlobEndpoint in the Connection String http://127.0.0.1:${x.azuritePort} has no account name in its path`],
			['OAuth2', (x: Ctx) => ({ ...x.creds.oAuth2, data: { ...x.creds.oAuth2.data, endpoint: `http://localhost:${x.azuritePort}` } }), (x: Ctx) => `Blob Endpoint http://localhost:${x.azuritePort} has no account name in its path`],
		] as Array<[string, (x: Ctx) => Cred, (x: Ctx) => string]>
	).map(
		([label, cred, message]): Case => ({
			title: `[${label}] an IP or localhost endpoint without the account in its path is refused`,
			cred,
			params: listContainers(),
			kind: 'NodeOperationError',
			message,
			description: /names the account in the path/,
		}),
	),
	...(
		[
			['Shared Key', () => sharedKeyCredential({ endpoint: 'http://10.1.2.3/devstoreaccount1' }), 'Blob Endpoint uses http:// to 10.1.2.3;'],
			['Shared Key (a public name)', () => sharedKeyCredential({ endpoint: 'http://devstoreaccount1.blob.core.windows.net' }), 'Blob Endpoint uses http:// to devstoreaccount1.blob.core.windows.net;'],
			['connection string', () => connectionStringCredential(`AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://192.168.0.10:10000/devstoreaccount1;`), 'BlobEndpoint in the Connection String uses http:// to 192.168.0.10:10000;'],
			['SAS connection string', () => sasCredential(accountSas(), 'SAS connection string', undefined, 'http://storage.example.com'), 'BlobEndpoint in the Connection String uses http:// to storage.example.com;'],
			['SAS URL', () => sasCredential(accountSas(), 'SAS URL', 'data', 'http://172.16.5.4/devstoreaccount1'), 'SAS URL uses http:// to 172.16.5.4;'],
			['endpoint + SAS token', () => sasCredential(accountSas(), 'endpoint + SAS token', undefined, 'http://[fe80::1]:10000/devstoreaccount1'), 'Blob Endpoint uses http:// to [fe80::1]:10000;'],
			['endpoint + SAS token (127.0.0.1.nip.io)', () => sasCredential(accountSas(), 'endpoint + SAS token', undefined, 'http://127.0.0.1.nip.io/devstoreaccount1'), 'Blob Endpoint uses http:// to 127.0.0.1.nip.io;'],
			['OAuth2', (x: Ctx) => ({ ...x.creds.oAuth2, data: { ...x.creds.oAuth2.data, endpoint: 'http://10.0.0.7/devstoreaccount1' } }), 'Blob Endpoint uses http:// to 10.0.0.7;'],
			['client credentials', (x: Ctx) => ({ ...x.creds.clientCreds, data: { ...x.creds.clientCreds.data, endpoint: 'http://0.0.0.0:10000/devstoreaccount1' } }), 'Blob Endpoint uses http:// to 0.0.0.0:10000;'],
		] as Array<[string, (x: Ctx) => Cred, string]>
	).map(
		([label, cred, message], i): Case => ({
			title: `[${label}] http:// to a non-loopback host is refused before any connection`,
			cred,
			params: [listContainers(), listBlobs(), download(), upload(), deleteBlob(), createContainerOp(), deleteContainerOp(), listBlobs(), uploadFromUrl()][i],
			kind: 'NodeOperationError',
			message,
			description: /travel unencrypted/,
		}),
	),
	{
		title: '[Shared Key] an account name that does not match the endpoint\'s account is refused',
		cred: (x) => sharedKeyCredential({ accountName: 'otheraccount', endpoint: x.endpoint }),
		params: listContainers(),
		kind: 'NodeOperationError',
		message: /^Account Name "otheraccount" does not match the endpoint http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1, which is for account "devstoreaccount1"/,
	},
	{
		title: '[connection string] AccountName that does not match BlobEndpoint is refused',
		cred: (x) => connectionStringCredential(`AccountName=otheraccount;AccountKey=${AZURITE_KEY};BlobEndpoint=${x.endpoint};`),
		params: upload(),
		kind: 'NodeOperationError',
		message: 'Connection String: Account Name "otheraccount" does not match the endpoint',
	},
	{
		title: '[Shared Key] an Azure account name that does not match a custom *.blob.core.windows.net endpoint is refused',
		cred: () => sharedKeyCredential({ accountName: 'alpha', endpoint: 'https://beta.blob.core.windows.net' }),
		params: listContainers(),
		kind: 'NodeOperationError',
		message: 'Account Name "alpha" does not match the endpoint https://beta.blob.core.windows.net, which is for account "beta"',
	},
];

/* ------------------------------------------------------------------ the suites */

const inputCases: Array<[string, Case[]]> = [
	['blob names', [...nameCases, ...urlCases]],
	['container names', containerNameCases],
	['expressions returning other JSON types', typeCases],
	['numbers', numberCases],
	['booleans, choices and binary fields', choiceCases],
	['header values, metadata and tags', headerCases],
];

for (const [label, cases] of inputCases) {
	describe(`bad input (${label}) is refused before any request, naming the field`, () => {
		it.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
			await check(c);
		});
	});
}

describe('a secret typed into a name, metadata, tag or header field is refused and never shown', () => {
	it.each(SECRET_CASES.map((s, i) => [secretCases[i].title, i] as const))('%s', async (_title, i) => {
		const s = SECRET_CASES[i];
		const secret = s.secret(t.creds[s.cred]);
		await check({ ...secretCases[i], hidden: [secret, encodeURIComponent(secret)] });
	});
	it(fileNameSecretCase.title, async () => {
		await check(fileNameSecretCase);
	});
});

describe('every credential type refuses the same bad input the same way', () => {
	const SAME: Array<[string, (x: Ctx) => Params, string]> = [
		['a ".." Blob Name on Upload', upload({ blobName: '={{ "../escape.txt" }}' }), 'Blob Name "../escape.txt" has a "." or ".." path segment'],
		['a number as Blob in Download', download({ blob: byName('={{ 42 }}') }), 'Blob must be text, but the expression returned a number (42)'],
		['Limit = NaN on Get Many containers', listContainers({ returnAll: false, limit: '={{ NaN }}' }), 'Limit must be a whole number from 1 to 1,000,000,000; got NaN'],
		['an object as Container Name', createContainerOp({ containerName: '={{ { name: "c" } }}' }), 'Container Name must be text, but the expression returned an object'],
		['a line break in a metadata value', upload({ options: meta([{ name: 'k', value: '={{ "a\\r\\nb" }}' }]) }), 'Metadata "k" has a line break'],
		['Request Timeout 0 on Container Delete', deleteContainerOp({ options: { requestTimeout: 0 } }), 'Request Timeout (Seconds) must be a whole number from 1 to 3,600; got 0'],
	];
	const rows = SAME.flatMap(([what, params, message]) => CRED_KEYS.map((key) => [`[${key}] ${what}: ${message}`, key, params, message] as const));
	it.each(rows)('%s', async (_title, key, params, message) => {
		await check({ title: '', cred: key, params, kind: 'NodeOperationError', message });
	});
});

describe('malformed credentials are refused without showing what was typed', () => {
	it.each(malformedCases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
		await check(c);
	});
});

describe('a SAS that Azure refuses: the error says which limit of the SAS was hit', () => {
	it.each(sasCases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
		await check(c);
	});
	it.each(scopedCases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
		await check(c);
		expect(await sdk().getContainerClient(t.other).getBlobClient('x').exists()).toBe(true);
	});
});

describe('endpoints: refused, silent, wrong scheme, no account, not loopback, other account', () => {
	it.each(endpointCases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
		const accepted = t.silent.accepted();
		await check(c);
		if (/silent|never answers/.test(c.title)) expect(t.silent.accepted()).toBeGreaterThan(accepted);
	});
});

/* ------------------------------------------------------------------ credential Test dialog */

interface DialogCase {
	title: string;
	cred: (x: Ctx) => Cred;
	message: RegExp | ((x: Ctx) => RegExp);
	maxMs?: number;
}

const dialogCases: DialogCase[] = [
	{ title: '[Shared Key] http:// to a non-loopback host', cred: () => sharedKeyCredential({ endpoint: 'http://10.9.8.7/devstoreaccount1' }), message: /^Blob Endpoint uses http:\/\/ to 10\.9\.8\.7; only https:\/\//i },
	{ title: '[SAS URL] http:// to a non-loopback host', cred: () => sasCredential(accountSas(), 'SAS URL', undefined, 'http://storage.internal/devstoreaccount1'), message: /^SAS URL uses http:\/\/ to storage\.internal;/ },
	{ title: '[connection string] http:// BlobEndpoint to a non-loopback host', cred: () => connectionStringCredential(`AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://192.168.1.1/devstoreaccount1`), message: /^BlobEndpoint in the Connection String uses http:\/\/ to 192\.168\.1\.1;/ },
	{ title: '[endpoint + SAS token] http:// to a non-loopback host', cred: () => sasCredential(accountSas(), 'endpoint + SAS token', undefined, 'http://8.8.8.8/devstoreaccount1'), message: /^Blob Endpoint uses http:\/\/ to 8\.8\.8\.8;/ },
	{ title: '[Shared Key] an IP endpoint without the account', cred: (x) => sharedKeyCredential({ endpoint: `http://127.0.0.1:${x.azuritePort}` }), message: /has no account name in its path/ },
	{ title: '[Shared Key] account name and endpoint disagree', cred: () => sharedKeyCredential({ accountName: 'otheraccount' }), message: /^Account Name "otheraccount" does not match the endpoint/ },
	{ title: '[Shared Key] a key with a typo', cred: (x) => sharedKeyCredential({ accountKey: typoKey, endpoint: x.dialogEndpoint }, [typoKey]), message: /^Azure rejected the credential/ },
	{ title: '[Shared Key] a key that is not base64', cred: () => sharedKeyCredential({ accountKey: `${AZURITE_KEY.slice(0, 50)}#${AZURITE_KEY.slice(51)}` }, [`${AZURITE_KEY.slice(0, 50)}#${AZURITE_KEY.slice(51)}`]), message: /^Account Key is not a valid storage account key/ },
	{
		title: '[SAS URL] the SAS token pasted into the SAS URL field',
		cred: () => {
			const token = accountSas();
			return { ...sasCredential(token, 'SAS URL'), data: { sasMode: 'sasUrl', sasUrl: token } };
		},
		message: /^SAS URL .*is not a URL/,
	},
	{
		title: '[SAS URL] a SAS URL field starting with "sig="',
		cred: () => {
			const token = accountSas();
			const sig = new URLSearchParams(token).get('sig')!;
			return { ...sasCredential(token, 'SAS URL'), data: { sasMode: 'sasUrl', sasUrl: `sig=${encodeURIComponent(sig)}&sv=2022-11-02` } };
		},
		message: /^SAS URL .*is not a URL/,
	},
	{ title: '[connection string] an AccountKey that is not base64', cred: () => connectionStringCredential(`AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY.slice(0, 86)}%%;BlobEndpoint=${blobEndpoint()}`, [`${AZURITE_KEY.slice(0, 86)}%%`]), message: /^Connection String has an AccountKey that is not a valid storage account key/ },
	{ title: '[SAS URL] an expired SAS', cred: (x) => sasCredential(expired(), 'SAS URL', undefined, x.dialogEndpoint), message: /^The SAS of the credential expired on \d{4}-/ },
	{ title: '[endpoint + SAS token] a SAS that is not valid yet', cred: (x) => sasCredential(notYet(), 'endpoint + SAS token', undefined, x.dialogEndpoint), message: /^The SAS of the credential is not valid yet/ },
	{ title: '[SAS connection string] a SAS without list permission', cred: (x) => sasCredential(accountSas({ permissions: 'r' }), 'SAS connection string', undefined, x.dialogEndpoint), message: /^The SAS of the credential does not allow list \(permission "l"\)/ },
	{ title: '[container SAS URL] a container SAS without list permission', cred: (x) => sasCredential(containerSas(x.container, { permissions: 'r' }), 'SAS URL', x.container, x.dialogEndpoint), message: /^The SAS of the credential does not allow list \(permission "l"\)/ },
	{ title: '[Shared Key] https:// to Azurite\'s plain-HTTP port', cred: (x) => sharedKeyCredential({ endpoint: `https://127.0.0.1:${x.azuritePort}/devstoreaccount1` }), message: /does not speak HTTPS on that port/i },
	{ title: '[Shared Key] nothing listens on the port', cred: (x) => sharedKeyCredential({ endpoint: `http://127.0.0.1:${x.closedPort}/devstoreaccount1` }), message: (x) => new RegExp(`^Could not reach the blob endpoint 127\\.0\\.0\\.1:${x.closedPort}: connection refused`) },
	{
		title: '[SAS URL] an endpoint that never answers (the dialog tries twice for 8 s, within its 20 s)',
		cred: (x) => sasCredential(accountSas(), 'SAS URL', undefined, `http://127.0.0.1:${x.silent.port}/devstoreaccount1`),
		message: (x) => new RegExp(`^No answer from 127\\.0\\.0\\.1:${x.silent.port} within 8 s \\(Request Timeout\\) \\(tried 2 times\\)`),
		maxMs: 20_000,
	},
];

describe('credential Test dialog: says what is wrong with the credential and shows no secret', () => {
	// Each case gets a fresh loopback pass-through to Azurite, so it never inherits a pooled
	// keep-alive connection from earlier cases (the dialog retries once, for that case).
	let passThrough: PassThrough | undefined;
	beforeEach(async () => {
		passThrough = await tcpPassThrough(t.azurite);
		t.dialogEndpoint = passThrough.endpoint;
	});
	afterEach(async () => {
		await passThrough?.close();
	});

	it.each(dialogCases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
		const cred = c.cred(t);
		const result = await credentialDialog(cred);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(typeof c.message === 'function' ? c.message(t) : c.message);
		expect(result.ms).toBeLessThan(c.maxMs ?? 3_000);
		expectNoSecrets({ dialog: result.message }, cred.secrets);
	}, 20_000);
});

/* ------------------------------------------------------------------ Continue On Fail */

describe('Continue On Fail: the bad item carries its error, the others still run', () => {
	it('[SAS URL] upload of 3 items with a ".." name in the middle: items 1 and 3 are written, item 2 says why not', async () => {
		const cred = t.creds.sasUrl;
		const names = ['cof/first.txt', '../cof-escape.txt', 'cof/third.txt'];
		const started = Date.now();
		const { result } = await runWith(
			cred,
			{ ...upload({ blobName: '={{ $json.name }}', textContent: '={{ $json.name }}' })(t) },
			{ continueOnFail: true, items: names.map((name) => ({ json: { name } })) },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items[0].json).toMatchObject({ name: 'cof/first.txt', container: t.container });
		expect(result.items[1].json).toEqual({ error: expect.stringMatching(/^Blob Name "\.\.\/cof-escape\.txt" has a "\." or "\.\." path segment/), description: expect.stringMatching(/never changes a name/) });
		expect(result.items[2].json).toMatchObject({ name: 'cof/third.txt' });
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(Date.now() - started).toBeLessThan(5_000);
		expectNoSecrets(exposedTexts(result), cred.secrets);
		const c = sdk().getContainerClient(t.container);
		expect(await c.getBlobClient('cof/third.txt').exists()).toBe(true);
		expect(await sdk().getContainerClient(t.container).getBlobClient('cof-escape.txt').exists()).toBe(false);
	});

	it('[Shared Key] download of 3 items with a missing blob in the middle: the error item has code, httpCode and requestId', async () => {
		const cred = t.creds.sharedKey;
		const started = Date.now();
		const { result } = await runWith(cred, download({ blob: byName('={{ $json.name }}') })(t), {
			continueOnFail: true,
			items: [{ json: { name: 'exists.txt' } }, { json: { name: 'ghost.txt' } }, { json: { name: 'exists.txt' } }],
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(Buffer.from(result.items[0].binary!.data.data, 'base64').toString()).toBe('exists');
		expect(result.items[1].json).toEqual({
			error: `Blob "ghost.txt" does not exist in container "${t.container}"`,
			description: expect.stringContaining('Azure error code: BlobNotFound'),
			code: 'BlobNotFound',
			httpCode: '404',
			requestId: expect.any(String),
		});
		expect(Buffer.from(result.items[2].binary!.data.data, 'base64').toString()).toBe('exists');
		expect(Date.now() - started).toBeLessThan(5_000);
		expectNoSecrets(exposedTexts(result), cred.secrets);
	});

	it('[connection string] upload of 3 items whose middle metadata value is the account key: the key is in no item', async () => {
		const cred = t.creds.connString;
		const { result, ms } = await runWith(
			cred,
			upload({ blobName: '={{ $json.name }}', options: meta([{ name: 'k', value: '={{ $json.meta }}' }]) })(t),
			{
				continueOnFail: true,
				items: [
					{ json: { name: 'cof/m1.txt', meta: 'fine' } },
					{ json: { name: 'cof/m2.txt', meta: AZURITE_KEY } },
					{ json: { name: 'cof/m3.txt', meta: 'fine' } },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json.error ?? i.json.name)).toEqual(['cof/m1.txt', `Metadata value of "k" ${SECRET_WORDS}`, 'cof/m3.txt']);
		expect(ms).toBeLessThan(5_000);
		// The input item itself held the key (the user put it there); the node's output must not.
		expectNoSecrets({ items: JSON.stringify(result.items.map((i) => i.json)) }, cred.secrets);
		expect(await sdk().getContainerClient(t.container).getBlobClient('cof/m2.txt').exists()).toBe(false);
	});

	it('[SAS token] Get Many with 3 items, the middle one with Limit 0: its error names Limit, the others list', async () => {
		const cred = t.creds.sasToken;
		const { result, ms } = await runWith(cred, listBlobs({ returnAll: false, limit: '={{ $json.limit }}', prefix: 'exists' })(t), {
			continueOnFail: true,
			items: [{ json: { limit: 1 } }, { json: { limit: 0 } }, { json: { limit: '1' } }],
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => [i.json.name ?? i.json.error, i.pairedItem])).toEqual([
			['exists.txt', { item: 0 }],
			['Limit must be a whole number from 1 to 1,000,000,000; got 0', { item: 1 }],
			['exists.txt', { item: 2 }],
		]);
		expect(ms).toBeLessThan(5_000);
		expectNoSecrets(exposedTexts(result), cred.secrets);
	});
});

/* ------------------------------------------------------------------ accepted look-alikes (the checks are not too strict) */

describe('values that look odd but are valid are accepted', () => {
	it('numeric text ("2"), "true" text and a numeric metadata value are accepted where the rules allow them', async () => {
		const cred = t.creds.sharedKey;
		const list = await runWith(cred, listBlobs({ returnAll: '={{ "false" }}', limit: '={{ "1" }}', options: { pageSize: '={{ "8" }}', includeMetadata: '={{ "true" }}' } })(t));
		expect(list.result.error).toBeUndefined();
		expect(list.result.items).toHaveLength(1);
		const up = await runWith(cred, upload({ blobName: 'accepted/numeric-meta.txt', options: meta([{ name: 'count', value: '={{ 42 }}' }]) })(t));
		expect(up.result.error).toBeUndefined();
		expect((await sdk().getContainerClient(t.container).getBlobClient('accepted/numeric-meta.txt').getProperties()).metadata).toEqual({ count: '42' });
	});

	it('Upload From URL with a SAS in the Source URL copies the blob and the SAS is in no output', async () => {
		const cred = t.creds.sharedKey;
		const token = accountSas({ permissions: 'r' });
		const { result } = await runWith(cred, uploadFromUrl({ blobName: 'accepted/copied.txt', sourceUrl: `${t.azurite}/${t.container}/exists.txt?${token}` })(t));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ name: 'accepted/copied.txt', copyStatus: 'success', source: `${t.azurite}/${t.container}/exists.txt` });
		expectNoSecrets(exposedTexts(result), [...cred.secrets, token, new URLSearchParams(token).get('sig')!]);
	});

	it('a Blob URL that carries a SAS in its query works and the SAS is in no output', async () => {
		const cred = t.creds.sasUrl;
		const token = accountSas({ permissions: 'r' });
		const { result } = await runWith(cred, download({ blob: byUrl(`${t.endpoint}/${t.container}/exists.txt?${token}`) })(t));
		expect(result.error).toBeUndefined();
		expectNoSecrets(exposedTexts(result), [...cred.secrets, token, new URLSearchParams(token).get('sig')!]);
	});
});
