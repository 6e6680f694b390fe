/**
 * Blob > Set Tier, executed by n8n's engine against Azurite.
 * Azurite rehydrates from Archive at once (Azure takes hours), so leaving Archive is checked by
 * the tier requested, the priority sent and the blob being readable again, not by waiting.
 */
import { createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { putBlob, readBlob, run } from './support';

describe('Blob > Set Tier', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('tier');
	});
	const base = (blob: string) => ({ resource: 'blob', operation: 'setTier', container: byName(container), blob: byName(blob) });
	const tierOf = async (name: string) => (await sdk().getContainerClient(container).getBlobClient(name).getProperties()).accessTier;

	it.each(['Cool', 'Cold', 'Hot'])('moves a Hot blob to %s and outputs the old and new tier', async (tier) => {
		await putBlob(container, `to-${tier}.txt`, 'x');
		const { items, error } = await run({ ...base(`to-${tier}.txt`), tier });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ previousTier: 'Hot', requestedTier: tier, accessTier: tier });
		expect(await tierOf(`to-${tier}.txt`)).toBe(tier);
	});

	it('archives a blob, after which it cannot be downloaded, and brings it back with High priority', async () => {
		await putBlob(container, 'archived.txt', 'kept');
		const archived = await run({ ...base('archived.txt'), tier: 'Archive' });
		expect(archived.items[0].json).toMatchObject({ accessTier: 'Archive' });
		const download = await run({ resource: 'blob', operation: 'download', container: byName(container), blob: byName('archived.txt') });
		expect(download.error?.message).toContain('Archive tier');
		const back = await run({ ...base('archived.txt'), tier: 'Hot', options: { rehydratePriority: 'High' } });
		expect(back.error).toBeUndefined();
		expect(back.items[0].json).toMatchObject({ previousTier: 'Archive', requestedTier: 'Hot', rehydratePriority: 'High' });
		expect((await readBlob(container, 'archived.txt')).toString()).toBe('kept');
	});

	it('refuses a tier outside Hot, Cool, Cold and Archive before any request', async () => {
		await putBlob(container, 'a.txt', 'x');
		const { error } = await run({ ...base('a.txt'), tier: '={{ "Premium" }}' });
		expect(error?.message).toContain('Access Tier must be one of "Hot", "Cool", "Cold", "Archive"; got "Premium"');
		expect(await tierOf('a.txt')).toBe('Hot');
	});

	it('says an append blob cannot be tiered', async () => {
		await sdk().getContainerClient(container).getAppendBlobClient('log.txt').create();
		const { error } = await run({ ...base('log.txt'), tier: 'Cool' });
		expect(error?.message).toBe('Azure refused that access tier for blob "log.txt"');
		expect(error?.description).toContain('block blobs only');
	});

	it('says which blob does not exist', async () => {
		const { error } = await run({ ...base('nope.txt'), tier: 'Cool' });
		expect(error?.message).toContain('"nope.txt" does not exist');
	});
});
