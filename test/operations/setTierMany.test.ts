/**
 * Set Tier Many through Blob Batch. Azurite accepts tier changes (and rehydrates from Archive
 * at once, where Azure takes hours): tested are the tiers Azurite then reports.
 */
import { createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { blobClient, putBlob, run } from './support';

const setTierMany = (parameters: Record<string, unknown>, extra = {}) => run({ resource: 'blob', operation: 'setTierMany', ...parameters }, extra);

async function tiers(container: string): Promise<Record<string, string | undefined>> {
	const found: Record<string, string | undefined> = {};
	for await (const blob of sdk().getContainerClient(container).listBlobsFlat()) found[blob.name] = blob.properties.accessTier;
	return found;
}

describe('Set Tier Many', () => {
	it('moves every blob under a prefix to the tier, one item per blob, and leaves the others', async () => {
		const container = await createContainer('stm-prefix');
		const names = Array.from({ length: 300 }, (_, i) => `logs/${String(i).padStart(3, '0')}.txt`);
		for (let i = 0; i < names.length; i += 32) await Promise.all(names.slice(i, i + 32).map((n) => putBlob(container, n, 'x')));
		await putBlob(container, 'live.txt', 'x');
		const { items, error } = await setTierMany({ container: byName(container), prefix: 'logs/', accessTier: 'Cool' });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(300);
		expect(items.every((i) => i.json.outcome === 'tier set' && i.json.accessTier === 'Cool')).toBe(true);
		const found = await tiers(container);
		expect(names.every((n) => found[n] === 'Cool')).toBe(true);
		expect(found['live.txt']).toBe('Hot');
	});

	it('sets the tier of the blobs named by the input items, and reports a missing one', async () => {
		const container = await createContainer('stm-items');
		await putBlob(container, 'a.txt', 'a');
		const { items } = await setTierMany(
			{ container: byName(container), selection: 'items', accessTier: 'Archive' },
			{ items: [{ json: { name: 'a.txt' } }, { json: { name: 'gone.txt' } }] },
		);
		expect(items.map((i) => [i.pairedItem, i.json.name, i.json.outcome])).toEqual([
			[{ item: 0 }, 'a.txt', 'tier set'],
			[{ item: 1 }, 'gone.txt', 'not found'],
		]);
		expect((await blobClient(container, 'a.txt').getProperties()).accessTier).toBe('Archive');
	});

	it('Dry Run changes nothing', async () => {
		const container = await createContainer('stm-dry');
		await putBlob(container, 'a.txt', 'a');
		const { items } = await setTierMany({ container: byName(container), prefix: '', accessTier: 'Cold', options: { dryRun: true } });
		expect(items[0].json).toEqual({ name: 'a.txt', container, outcome: 'would be set to Cold', dryRun: true });
		expect((await tiers(container))['a.txt']).toBe('Hot');
	});

	it('checks the tier and options after expressions', async () => {
		const container = await createContainer('stm-bad');
		expect((await setTierMany({ container: byName(container), accessTier: 'Frozen' })).error?.message).toBe(
			'Access Tier must be one of "Hot", "Cool", "Cold", "Archive"; got "Frozen"',
		);
		expect((await setTierMany({ container: byName(container), accessTier: 'Cool', options: { batchesInFlight: 99 } })).error?.message).toBe(
			'Batches in Flight must be a whole number from 1 to 16; got 99',
		);
	});
});
