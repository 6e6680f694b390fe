/** Blob > Create Snapshot, executed by n8n's engine against Azurite. */
import { createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { nameValues, putBlob, run } from './support';

describe('Blob > Create Snapshot', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('snap');
	});
	const base = (blob: string) => ({ resource: 'blob', operation: 'createSnapshot', container: byName(container), blob: byName(blob) });

	it('outputs the snapshot ID, and the snapshot keeps the content after the blob changes', async () => {
		await putBlob(container, 'doc.txt', 'version 1');
		const { items, error } = await run(base('doc.txt'));
		expect(error).toBeUndefined();
		const snapshot = items[0].json.snapshot as string;
		expect(snapshot).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect(items[0].json.snapshotUrl).toContain(`snapshot=${encodeURIComponent(snapshot)}`);
		await putBlob(container, 'doc.txt', 'version 2');
		const old = await sdk().getContainerClient(container).getBlobClient('doc.txt').withSnapshot(snapshot).downloadToBuffer();
		expect(old.toString()).toBe('version 1');
	});

	it('gives the snapshot its own metadata when asked', async () => {
		await putBlob(container, 'meta.txt', 'x', { metadata: { original: 'yes' } });
		const { items } = await run({ ...base('meta.txt'), options: { metadata: nameValues({ reason: 'backup' }) } });
		const props = await sdk().getContainerClient(container).getBlobClient('meta.txt').withSnapshot(items[0].json.snapshot as string).getProperties();
		expect(props.metadata).toEqual({ reason: 'backup' });
	});

	it('says which blob does not exist', async () => {
		const { error } = await run(base('nope.txt'));
		expect(error?.message).toContain('"nope.txt" does not exist');
	});

	it('refuses invalid snapshot metadata before any request', async () => {
		await putBlob(container, 'bad.txt', 'x');
		const { error } = await run({ ...base('bad.txt'), options: { metadata: nameValues({ '1st': 'x' }) } });
		expect(error?.message).toContain('not a valid metadata name');
	});
});
