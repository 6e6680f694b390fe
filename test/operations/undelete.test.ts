/**
 * Blob > Undelete. Azurite does not implement soft delete or Undelete Blob (it answers 501), so
 * a restore cannot be shown here. What is tested instead: the request is sent for the named blob
 * and Azure's "not supported" answer is reported clearly, with the code and status; the name
 * checks run before any request.
 */
import { createContainer } from '../helpers/fixtures';
import { byName } from '../helpers/params';
import { putBlob, run } from './support';

describe('Blob > Undelete (Azurite answers 501)', () => {
	let container: string;
	beforeAll(async () => {
		container = await createContainer('undelete');
		await putBlob(container, 'gone.txt', 'x');
	});

	it('sends the request and reports that the endpoint does not support it', async () => {
		const { error } = await run({ resource: 'blob', operation: 'undelete', container: byName(container), blob: byName('gone.txt') });
		expect(error?.message).toBe('This storage account or endpoint does not support this operation');
		expect(error?.description).toContain('soft delete');
		expect(error?.description).toContain('HTTP status: 501');
		expect(error?.httpCode).toBe('501');
	});

	it('with Continue On Fail, the failure is an output item paired with its input', async () => {
		const { items } = await run(
			{ resource: 'blob', operation: 'undelete', container: byName(container), blob: byName('gone.txt') },
			{ continueOnFail: true },
		);
		expect(items[0].json).toMatchObject({ httpCode: '501', error: 'This storage account or endpoint does not support this operation' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('refuses a blob name Azure would change, before any request', async () => {
		const { error } = await run({ resource: 'blob', operation: 'undelete', container: byName(container), blob: byName('a/../b.txt') });
		expect(error?.message).toContain('path segment');
	});
});
