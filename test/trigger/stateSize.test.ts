/**
 * The polling trigger's state for a 20,000-blob container, measured as n8n stores it (the JSON of
 * the workflow's static data for the node), against the bound the README documents:
 *
 * - Blob Created / Updated: 8 characters per watched blob (6-byte name fingerprints in base64),
 *   plus 12 per blob modified in the half minute before a poll (version fingerprints), plus
 *   under 200 characters of fixed fields.
 * - With Blob Deleted: the names instead of the name fingerprints, front-coded and compressed: at
 *   most 4/3 x (name bytes + 2 per name) + 1 KiB, in practice a few bytes per blob.
 */
import { randomUUID } from 'crypto';

import { CLOCK_MARGIN_SECONDS } from '../../nodes/AzureBlobStorage/trigger/changeDetector';
import { createContainer, credentialCases, sdk, using } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { PollHarness } from '../helpers/triggerEngine';

const BLOBS = 20_000;
const PARALLEL = 32;
const sharedKey = using(credentialCases()[0]);

function names(): string[] {
	return Array.from({ length: BLOBS }, (_, i) =>
		i % 2 === 0
			? `invoices/2026/${String((i % 12) + 1).padStart(2, '0')}/${String((i % 28) + 1).padStart(2, '0')}/INV-${String(i).padStart(7, '0')}.pdf`
			: `uploads/${randomUUID()}.csv`,
	);
}

function stateJsonBytes(staticData: unknown): number {
	return Buffer.byteLength(JSON.stringify(staticData), 'utf8');
}

const report: string[] = [];

describe(`polling trigger state for ${BLOBS.toLocaleString('en-US')} blobs`, () => {
	let container: string;
	let blobNames: string[];
	let lastWrite = 0;

	beforeAll(async () => {
		container = await createContainer('trig-size');
		blobNames = names();
		const client = sdk().getContainerClient(container);
		let next = 0;
		const started = Date.now();
		await Promise.all(
			Array.from({ length: PARALLEL }, async () => {
				while (next < blobNames.length) {
					const name = blobNames[next++];
					const response = await client.getBlockBlobClient(name).upload('', 0);
					lastWrite = Math.max(lastWrite, response.lastModified!.getTime());
				}
			}),
		);
		report.push(`created ${BLOBS} blobs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}, 300_000);

	afterAll(() => {
		process.stderr.write(`\n[state size]\n${report.join('\n')}\n`);
	});

	it('stays within the documented bound, with and without Blob Deleted, and a deletion among them is named', async () => {
		const parameters = { authentication: sharedKey.authentication, container: byName(container) };
		const createdUpdated = new PollHarness({ credentials: sharedKey.credentials, parameters: { ...parameters, events: ['created', 'updated'] } as never });
		const withDeletes = new PollHarness({ credentials: sharedKey.credentials, parameters: { ...parameters, events: ['created', 'updated', 'deleted'] } as never });

		let started = Date.now();
		expect((await createdUpdated.activate()).items).toBeUndefined();
		const activationSeconds = (Date.now() - started) / 1000;
		expect((await withDeletes.activate()).items).toBeUndefined();

		// Right after the upload burst every blob is also in the window (modified within the margin).
		const burstFingerprints = stateJsonBytes(createdUpdated.saved);
		const burstNames = stateJsonBytes(withDeletes.saved);
		expect(burstFingerprints).toBeLessThanOrEqual(BLOBS * (8 + 12) + 200);

		// Once the margin has passed, the window is empty again: the steady state.
		const wait = lastWrite + (CLOCK_MARGIN_SECONDS + 3) * 1000 - Date.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		started = Date.now();
		expect((await createdUpdated.tick()).items).toBeUndefined();
		const pollSeconds = (Date.now() - started) / 1000;
		expect((await withDeletes.tick()).items).toBeUndefined();
		const steadyFingerprints = stateJsonBytes(createdUpdated.nodeStaticData());
		const steadyNames = stateJsonBytes(withDeletes.nodeStaticData());

		expect(steadyFingerprints).toBeLessThanOrEqual(BLOBS * 8 + 200);
		const nameBytes = blobNames.reduce((sum, name) => sum + Buffer.byteLength(name) + 2, 0);
		expect(steadyNames).toBeLessThanOrEqual(Math.ceil((nameBytes * 4) / 3) + 1024);
		expect(burstNames).toBeLessThanOrEqual(Math.ceil((nameBytes * 4) / 3) + 1024 + BLOBS * 12);

		const perBlob = (bytes: number) => (bytes / BLOBS).toFixed(2);
		const at100k = (bytes: number) => `${Math.round((bytes / BLOBS) * 100_000).toLocaleString('en-US')} bytes`;
		report.push(
			`created/updated, steady: ${steadyFingerprints} bytes (${perBlob(steadyFingerprints)}/blob; 100,000 blobs: ${at100k(steadyFingerprints)})`,
			`created/updated, right after the burst: ${burstFingerprints} bytes (${perBlob(burstFingerprints)}/blob)`,
			`with deleted, steady: ${steadyNames} bytes (${perBlob(steadyNames)}/blob; 100,000 blobs: ${at100k(steadyNames)}; names average ${(nameBytes / BLOBS - 2).toFixed(1)} bytes)`,
			`with deleted, right after the burst: ${burstNames} bytes (${perBlob(burstNames)}/blob)`,
			`activation poll (listing ${BLOBS}): ${activationSeconds.toFixed(1)} s; a later poll: ${pollSeconds.toFixed(1)} s`,
		);

		// And a deletion among them is found and named.
		await sdk().getContainerClient(container).deleteBlob(blobNames[12_345]);
		const outcome = await withDeletes.tick();
		expect(outcome.items?.map((item) => `${item.json.event} ${item.json.name}`)).toEqual([`deleted ${blobNames[12_345]}`]);
	}, 300_000);

});
