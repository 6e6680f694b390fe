/** Blob > Lease, and the Lease ID option of the write operations, against Azurite. */
import { createContainer, sdk } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { guid, putBlob, readBlob, run } from './support';

describe('Blob > Lease', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('lease');
	});
	const base = (blob: string) => ({ resource: 'blob', operation: 'lease', container: byName(container), blob: byName(blob) });
	const props = (name: string) => sdk().getContainerClient(container).getBlobClient(name).getProperties();

	it('Acquire outputs a lease ID and the blob is leased for the duration', async () => {
		await putBlob(container, 'a.txt', 'x');
		const { items, error } = await run({ ...base('a.txt'), leaseAction: 'acquire', duration: 15 });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ action: 'acquire', leaseDuration: 15, leaseState: 'leased', leaseStatus: 'locked', leaseDurationType: 'fixed' });
		expect(items[0].json.leaseId).toMatch(/^[0-9a-f-]{36}$/);
		expect((await props('a.txt')).leaseState).toBe('leased');
	});

	it('Acquire with Infinite and a proposed ID uses that ID', async () => {
		await putBlob(container, 'b.txt', 'x');
		const proposed = guid();
		const { items } = await run({ ...base('b.txt'), leaseAction: 'acquire', infinite: true, options: { proposedLeaseId: proposed } });
		expect(items[0].json).toMatchObject({ leaseId: proposed, leaseDuration: 'infinite', leaseDurationType: 'infinite' });
	});

	it('Acquire on a leased blob says it is already leased', async () => {
		await putBlob(container, 'c.txt', 'x');
		await sdk().getContainerClient(container).getBlobClient('c.txt').getBlobLeaseClient().acquireLease(60);
		const { error } = await run({ ...base('c.txt'), leaseAction: 'acquire' });
		expect(error?.message).toContain('"c.txt" is already leased');
		expect(error?.description).toContain('LeaseAlreadyPresent');
	});

	it('Renew, Change and Release work on the lease they are given', async () => {
		await putBlob(container, 'd.txt', 'x');
		const acquired = await run({ ...base('d.txt'), leaseAction: 'acquire', duration: 20 });
		const leaseId = acquired.items[0].json.leaseId as string;
		const renewed = await run({ ...base('d.txt'), leaseAction: 'renew', leaseId });
		expect(renewed.items[0].json).toMatchObject({ leaseId, leaseState: 'leased' });
		const next = guid();
		const changed = await run({ ...base('d.txt'), leaseAction: 'change', leaseId, proposedLeaseId: next });
		expect(changed.items[0].json).toMatchObject({ previousLeaseId: leaseId, leaseId: next, leaseState: 'leased' });
		const released = await run({ ...base('d.txt'), leaseAction: 'release', leaseId: next });
		expect(released.error).toBeUndefined();
		expect(released.items[0].json).toMatchObject({ releasedLeaseId: next, leaseState: 'available' });
	});

	it('Break ends a lease nobody here holds the ID of', async () => {
		await putBlob(container, 'e.txt', 'x');
		await sdk().getContainerClient(container).getBlobClient('e.txt').getBlobLeaseClient().acquireLease(-1);
		const { items, error } = await run({ ...base('e.txt'), leaseAction: 'break', breakPeriod: 0 });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ secondsUntilBroken: 0, leaseState: 'broken' });
		const again = await run({ ...base('e.txt'), leaseAction: 'acquire' });
		expect(again.error).toBeUndefined();
	});

	it('Release with another lease ID says the ID does not match', async () => {
		await putBlob(container, 'f.txt', 'x');
		await sdk().getContainerClient(container).getBlobClient('f.txt').getBlobLeaseClient().acquireLease(60);
		const { error } = await run({ ...base('f.txt'), leaseAction: 'release', leaseId: guid() });
		expect(error?.message).toContain('lease ID does not match');
	});

	it('Renew of a blob without a lease says the ID does not match and to acquire a new one', async () => {
		await putBlob(container, 'g.txt', 'x');
		const { error } = await run({ ...base('g.txt'), leaseAction: 'renew', leaseId: guid() });
		expect(error?.message).toContain('lease ID does not match');
		expect(error?.description).toContain('acquire a new one');
	});

	it('Break of a blob without a lease says there is no active lease', async () => {
		await putBlob(container, 'g3.txt', 'x');
		const { error } = await run({ ...base('g3.txt'), leaseAction: 'break' });
		expect(error?.message).toBe('Blob "g3.txt" has no active lease');
	});

	it('a write with a Lease ID to a blob without a lease says there is no active lease', async () => {
		await putBlob(container, 'g2.txt', 'x');
		const { error } = await run({ resource: 'blob', operation: 'setMetadata', container: byName(container), blob: byName('g2.txt'), options: { leaseId: guid() } });
		expect(error?.message).toContain('no active lease');
	});

	it('checks the fields before any request: GUIDs, an empty Lease ID, the duration range', async () => {
		await putBlob(container, 'h.txt', 'x');
		const notGuid = await run({ ...base('h.txt'), leaseAction: 'renew', leaseId: 'abc' });
		expect(notGuid.error?.message).toContain('Lease ID "abc" is not a lease ID');
		const empty = await run({ ...base('h.txt'), leaseAction: 'release', leaseId: '={{ "" }}' });
		expect(empty.error?.message).toBe('Lease ID is empty');
		const tooLong = await run({ ...base('h.txt'), leaseAction: 'acquire', duration: '={{ 90 }}' });
		expect(tooLong.error?.message).toContain('Duration (Seconds) must be a whole number from 15 to 60');
		const same = guid();
		const unchanged = await run({ ...base('h.txt'), leaseAction: 'change', leaseId: same, proposedLeaseId: same });
		expect(unchanged.error?.message).toContain('same as Lease ID');
		expect((await props('h.txt')).leaseState).toBe('available');
	});
});

describe('Lease ID option of the write operations', () => {
	let container: string;
	let leaseId: string;
	beforeAll(async () => {
		container = await createContainer('leasewrite');
	});
	beforeEach(async () => {
		await putBlob(container, 'held.txt', 'original');
		leaseId = guid();
		await sdk().getContainerClient(container).getBlobClient('held.txt').getBlobLeaseClient(leaseId).acquireLease(60);
	});
	afterEach(async () => {
		await sdk().getContainerClient(container).getBlobClient('held.txt').getBlobLeaseClient(leaseId).releaseLease().catch(() => undefined);
	});
	const upload = (options: Record<string, unknown>, blockSizeMiB?: number) => ({
		resource: 'blob',
		operation: 'upload',
		container: byName(container),
		blobName: 'held.txt',
		inputDataType: 'text',
		textContent: 'replaced',
		ifExists: 'overwrite',
		options: { ...options, ...(blockSizeMiB ? { blockSizeMiB } : {}) },
	});

	it('Upload (Overwrite) to a leased blob fails without the lease ID and succeeds with it', async () => {
		const without = await run(upload({}));
		expect(without.error?.message).toContain('is leased');
		expect((await readBlob(container, 'held.txt')).toString()).toBe('original');
		const withLease = await run(upload({ leaseId }));
		expect(withLease.error).toBeUndefined();
		expect((await readBlob(container, 'held.txt')).toString()).toBe('replaced');
	});

	it('Upload in blocks to a leased blob carries the lease ID on every block and the commit', async () => {
		const big = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
		const { error, items } = await run(
			{ ...upload({ leaseId }, 1), inputDataType: 'binary' },
			{ items: [{ json: {}, binary: { data: { data: big.toString('base64'), fileName: 'held.txt', mimeType: 'application/octet-stream' } } }] },
		);
		expect(error).toBeUndefined();
		expect(items[0].json.blocks).toBe(4);
		expect((await readBlob(container, 'held.txt')).equals(big)).toBe(true);
	});

	it('Upload with a Lease ID needs If Blob Exists set to Overwrite', async () => {
		const { error } = await run({ ...upload({ leaseId }), ifExists: 'fail' });
		expect(error?.message).toBe('Lease ID needs "If Blob Exists" set to Overwrite');
	});

	it('Delete of a leased blob fails without the lease ID and succeeds with it', async () => {
		const params = { resource: 'blob', operation: 'delete', container: byName(container), blob: byName('held.txt') };
		const without = await run(params);
		expect(without.error?.message).toContain('is leased');
		const withLease = await run({ ...params, options: { leaseId } });
		expect(withLease.error).toBeUndefined();
		expect(await sdk().getContainerClient(container).getBlobClient('held.txt').exists()).toBe(false);
	});

	it('Set Tier of a leased blob works with the lease ID', async () => {
		const params = { resource: 'blob', operation: 'setTier', container: byName(container), blob: byName('held.txt'), tier: 'Cool' };
		const withLease = await run({ ...params, options: { leaseId } });
		expect(withLease.error).toBeUndefined();
		expect(withLease.items[0].json.accessTier).toBe('Cool');
	});
});
