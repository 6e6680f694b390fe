/** Container > Set Metadata, and Create's Metadata option, executed by n8n's engine against Azurite. */
import { createContainer, sdk, uniqueContainerName } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { nameValues, run } from './support';

describe('Container > Set Metadata', () => {
	it('replaces all metadata of the container', async () => {
		const name = uniqueContainerName('cmeta');
		await sdk().getContainerClient(name).create({ metadata: { old: '1' } });
		const { items, error } = await run({ resource: 'container', operation: 'setMetadata', container: byName(name), metadata: nameValues({ team: 'ops', env: 'prod' }) });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name, metadata: { team: 'ops', env: 'prod' } });
		expect((await sdk().getContainerClient(name).getProperties()).metadata).toEqual({ team: 'ops', env: 'prod' });
	});

	it('an empty list removes all metadata', async () => {
		const name = uniqueContainerName('cmeta-empty');
		await sdk().getContainerClient(name).create({ metadata: { old: '1' } });
		const { error } = await run({ resource: 'container', operation: 'setMetadata', container: byName(name) });
		expect(error).toBeUndefined();
		expect((await sdk().getContainerClient(name).getProperties()).metadata).toEqual({});
	});

	it('refuses metadata names differing only by case, before any request', async () => {
		const name = await createContainer('cmeta-case');
		const { error } = await run({ resource: 'container', operation: 'setMetadata', container: byName(name), metadata: nameValues({ Team: 'a', team: 'b' }) });
		expect(error?.message).toContain('differ only by case');
	});

	it('says which container does not exist', async () => {
		const { error } = await run({ resource: 'container', operation: 'setMetadata', container: byName('no-such-container-y'), metadata: nameValues({ a: '1' }) });
		expect(error?.message).toContain('"no-such-container-y" does not exist');
	});
});

describe('Container > Create with Metadata', () => {
	it('stores the metadata with the new container', async () => {
		const name = uniqueContainerName('ccreate');
		const { error } = await run({ resource: 'container', operation: 'create', containerName: name, options: { metadata: nameValues({ owner: 'ana' }) } });
		expect(error).toBeUndefined();
		expect((await sdk().getContainerClient(name).getProperties()).metadata).toEqual({ owner: 'ana' });
	});

	it('refuses invalid metadata and creates nothing', async () => {
		const name = uniqueContainerName('ccreate-bad');
		const { error } = await run({ resource: 'container', operation: 'create', containerName: name, options: { metadata: nameValues({ 'a b': '1' }) } });
		expect(error?.message).toContain('not a valid metadata name');
		expect(await sdk().getContainerClient(name).exists()).toBe(false);
	});
});
