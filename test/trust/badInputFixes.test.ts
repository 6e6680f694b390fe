/**
 * Bad-input cases found by the bad-input suite where the node once broke a Trust rule of issue 8
 * (each comment says what it did then): kept as regressions, with the rule and the expectation.
 */
import { AZURITE_KEY } from '../helpers/azurite';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { byName, fileItem } from '../helpers/params';
import {
	allCredentials,
	credentialDialog,
	expectFailure,
	expectNoSecrets,
	exposedTexts,
	runWith,
	sasCredential,
	sharedKeyCredential,
	silentServer,
	type Cred,
	type CredKey,
	type SilentServer,
} from './trustSupport';

const SECRET_WORDS = 'holds what looks like a secret (an account key, SAS signature or token)';

let container: string;
let creds: Record<CredKey, Cred>;
let silent: SilentServer;

beforeAll(async () => {
	[container, silent] = await Promise.all([createContainer('trust-fixes'), silentServer()]);
	creds = allCredentials();
	await sdk().getContainerClient(container).getBlockBlobClient('exists.txt').uploadData(Buffer.from('exists'));
}, 60_000);

afterAll(async () => {
	await silent?.close();
});

const upload = (p: Record<string, unknown> = {}) => ({
	resource: 'blob',
	operation: 'upload',
	container: byName(container),
	blobName: 'pending.txt',
	inputDataType: 'text',
	textContent: 'x',
	ifExists: 'overwrite',
	...p,
});
const download = (p: Record<string, unknown> = {}) => ({ resource: 'blob', operation: 'download', container: byName(container), blob: byName('exists.txt'), ...p });

describe('timeouts say "No answer from HOST within N s (Request Timeout)"', () => {
	it('node: a silent endpoint', async () => {
		const cred = sharedKeyCredential({ endpoint: `http://127.0.0.1:${silent.port}/devstoreaccount1` });
		const outcome = await runWith(cred, { resource: 'container', operation: 'getAll', returnAll: true, options: { requestTimeout: 1, maxRetries: 0 } });
		expectFailure(outcome, { kind: 'NodeOperationError', message: new RegExp(`^No answer from 127\\.0\\.0\\.1:${silent.port} within 1 s \\(Request Timeout\\)$`), maxMs: 3_000 }, cred.secrets);
	});

	it('credential Test dialog: a silent endpoint', async () => {
		const cred = sharedKeyCredential({ endpoint: `http://127.0.0.1:${silent.port}/devstoreaccount1` });
		const result = await credentialDialog(cred);
		expect(result.message).toMatch(new RegExp(`^No answer from 127\\.0\\.0\\.1:${silent.port} within 8 s \\(Request Timeout\\) \\(tried 2 times\\)`));
	}, 20_000);
});

describe('the node\'s own sentences are not mangled by secret redaction', () => {
	it('SAS URL without a signature', async () => {
		const cred = sasCredential('sv=2022-11-02&sp=rl', 'SAS URL');
		const { result } = await runWith(cred, { resource: 'container', operation: 'getAll', returnAll: true });
		expect(result.error?.message).toBe('SAS URL has no signature (no "sig" parameter): copy the whole "Blob SAS URL" from the portal');
	});

	it('SAS Token without a signature', async () => {
		const cred = sasCredential('sv=2022-11-02&sp=rl', 'endpoint + SAS token');
		const { result } = await runWith(cred, { resource: 'container', operation: 'getAll', returnAll: true });
		expect(result.error?.message).toBe('SAS Token has no signature (no "sig" parameter): paste the whole token, starting with sv=');
	});
});

describe('"Only If ETag Matches" is header-bound like the other header fields', () => {
	// Was: the value is trimmed and sent; Azure answers 412 ConditionNotMet (NodeApiError).
	it.each([' "0x8DC1"', '"0x8DC1" ', '"0x8DC1"\n'])('a value with surrounding whitespace (%j) is refused, not trimmed', async (value) => {
		const outcome = await runWith(creds.sharedKey, upload({ options: { ifMatch: value } }));
		expectFailure(outcome, { kind: 'NodeOperationError', message: /^Only If ETag Matches (starts or ends with a space|has a line break)/, maxMs: 2_000 }, creds.sharedKey.secrets);
	});

	// Was: no secret check; the key is sent to Azure as the If-Match header (412 ConditionNotMet).
	it('the account key as Only If ETag Matches is refused as a secret', async () => {
		const outcome = await runWith(creds.sharedKey, { resource: 'blob', operation: 'delete', container: byName(container), blob: byName('exists.txt'), options: { ifMatch: AZURITE_KEY } });
		expectFailure(outcome, { kind: 'NodeOperationError', message: /^Only If ETag Matches holds what looks like a secret/, maxMs: 2_000 }, creds.sharedKey.secrets);
	});
});

describe('no secret reaches an output item through a name field', () => {
	// Was: Download's "File Name" has no secret check; the value becomes the output binary's
	// fileName, so the credential's own (URL-encoded) SAS signature is in the output item.
	it('Download "File Name" holding the credential\'s SAS signature is refused and not in the output', async () => {
		const cred = creds.sasUrl;
		const sig = new URLSearchParams(String(cred.data.sasUrl).split('?')[1]).get('sig')!;
		const outcome = await runWith(cred, download({ options: { fileName: `sig=${encodeURIComponent(sig)}` } }));
		expectNoSecrets(exposedTexts(outcome.result), cred.secrets);
		expect(outcome.result.error?.message).toBe(`File Name ${SECRET_WORDS}`);
	});

	it('Download "File Name" shaped like an account key is refused', async () => {
		const keyLike = Buffer.alloc(64, 0x5a).toString('base64'); // no "/" so File Name's own check lets it through
		const outcome = await runWith(creds.sharedKey, download({ options: { fileName: keyLike } }));
		expect(outcome.result.error?.message).toBe(`File Name ${SECRET_WORDS}`);
		expect(JSON.stringify(outcome.result.items)).not.toContain(keyLike);
	});

	// Was: the input binary's MIME type is used as Content-Type when Content Type is empty, without
	// the secret check the Content Type field gets; the output item's contentType is the key.
	it('an input binary whose MIME type is the account key is not stored as Content-Type nor shown', async () => {
		const cred = creds.sharedKey;
		const { result } = await runWith(cred, upload({ blobName: 'pending/mime.txt', inputDataType: 'binary' }), {
			items: [fileItem(Buffer.from('abc'), 'm.txt', AZURITE_KEY)],
		});
		expectNoSecrets({ items: JSON.stringify(result.items) }, cred.secrets);
		const stored = await sdk().getContainerClient(container).getBlobClient('pending/mime.txt').getProperties().catch(() => undefined);
		expect(stored?.contentType).not.toBe(AZURITE_KEY);
	});
});

describe('text fields given null by an expression are refused, not read as empty', () => {
	// Rule: text fields given number/object/array/boolean/null -> "<Field> must be text, but the
	// expression returned ...". Was: textValue() turns null/undefined into '', so Upload's Blob
	// Name silently falls back to the input file's name (and Content Type / Text Content to empty).
	it('Upload: Blob Name = {{ null }} with a named input file does not upload under the file name', async () => {
		const outcome = await runWith(creds.sharedKey, upload({ blobName: '={{ null }}', inputDataType: 'binary' }), {
			items: [fileItem(Buffer.from('abc'), 'pending-from-file.txt', 'text/plain')],
		});
		expect(outcome.result.error?.message).toBe('Blob Name must be text, but the expression returned null');
		expect(await sdk().getContainerClient(container).getBlobClient('pending-from-file.txt').exists()).toBe(false);
	});

	it('Upload: Content Type = {{ null }} is refused naming the field', async () => {
		const outcome = await runWith(creds.sharedKey, upload({ options: { contentType: '={{ null }}' } }));
		expect(outcome.result.error?.message).toBe('Content Type must be text, but the expression returned null');
	});
});

describe('messages about a non-ASCII character name the whole character', () => {
	// Was: 'Content Type has the character "\uD83D" (U+D83D)' — half of the surrogate pair
	// (validation.ts matches /[^\x20-\x7e\t]/ without the u flag).
	it('an emoji in Content Type is named as U+1F600', async () => {
		const { result } = await runWith(creds.sharedKey, upload({ options: { contentType: 'text/plain 😀' } }));
		expect(result.error?.message).toMatch(/^Content Type has the character "😀" \(U\+1F600\)/);
	});
});

describe('robustness: the credential Test survives a stale pooled connection', () => {
	// The SDK keeps connections alive in a process-wide pool. When the other end dropped an idle
	// one (Azure's load balancer does after ~4 min idle; Azurite did under load during `npm test`)
	// and the next request picks it before the process noticed, that request gets a reset. The node
	// retries it (Max Retries); the credential Test makes a single try (TEST_LIMITS.maxRetries = 0)
	// and reports "Could not reach the blob endpoint ...: the connection was reset" for a credential
	// that works (the very next Test succeeds). Expected: OK (e.g. retry once on a reset of a reused
	// connection, or no keep-alive for the Test's client).
	it('a valid credential still tests OK when its pooled connection was reset while idle', async () => {
		const { default: net } = await import('net');
		const target = new URL(blobEndpoint());
		const clients = new Set<import('net').Socket>();
		const server = net.createServer((client) => {
			clients.add(client);
			const upstream = net.connect(Number(target.port), target.hostname);
			client.on('error', () => upstream.destroy());
			upstream.on('error', () => client.destroy());
			client.on('close', () => {
				clients.delete(client);
				upstream.destroy();
			});
			client.pipe(upstream).pipe(client);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const port = (server.address() as import('net').AddressInfo).port;
			const cred = sharedKeyCredential({ endpoint: `http://127.0.0.1:${port}/devstoreaccount1` });
			expect((await credentialDialog(cred)).status).toBe('OK');
			await new Promise((resolve) => setTimeout(resolve, 100));
			// Reset the idle pooled connection and test again before the event loop sees the reset.
			for (const socket of clients) (socket as import('net').Socket & { resetAndDestroy(): void }).resetAndDestroy();
			const again = await credentialDialog(cred);
			// On failure, the dialog's message too, so a failure says what the dialog reported.
			expect(again.status === 'OK' ? 'OK' : `${again.status}: ${again.message}`).toBe('OK');
		} finally {
			for (const socket of clients) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});
