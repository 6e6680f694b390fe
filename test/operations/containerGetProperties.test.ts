/** Container > Get Properties, executed by n8n's engine against Azurite. */
import { blobEndpoint, createContainer, sdk, uniqueContainerName } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { run } from './support';

describe('Container > Get Properties', () => {
	it('returns metadata, public access, lease, last modified, ETag and the hold flags', async () => {
		const name = uniqueContainerName('cprops');
		await sdk().getContainerClient(name).create({ metadata: { team: 'finance' }, access: 'blob' });
		const { items, error } = await run({ resource: 'container', operation: 'getProperties', container: byName(name) });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			name,
			url: `${blobEndpoint()}/${name}`,
			publicAccess: 'blob',
			leaseState: 'available',
			leaseStatus: 'unlocked',
			hasImmutabilityPolicy: false,
			hasLegalHold: false,
			metadata: { team: 'finance' },
		});
		expect(items[0].json.etag).toEqual(expect.any(String));
		expect(items[0].json.lastModified).toEqual(expect.stringMatching(/^\d{4}-/));
	});

	it('shows a private container as publicAccess "none" and a leased one as leased', async () => {
		const name = await createContainer('cprops-lease');
		await sdk().getContainerClient(name).getBlobLeaseClient().acquireLease(-1);
		const { items } = await run({ resource: 'container', operation: 'getProperties', container: byName(name) });
		expect(items[0].json).toMatchObject({ publicAccess: 'none', leaseState: 'leased', leaseDuration: 'infinite', metadata: {} });
	});

	it('says which container does not exist', async () => {
		const { error } = await run({ resource: 'container', operation: 'getProperties', container: byName('no-such-container-x') });
		expect(error?.message).toMatch(/"no-such-container-x"/);
	});

	it('refuses an invalid container name before any request', async () => {
		const { error } = await run({ resource: 'container', operation: 'getProperties', container: '={{ "Bad_Name" }}' });
		expect(error?.message).toContain('Container');
	});
});
