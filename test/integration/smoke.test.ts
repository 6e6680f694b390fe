import { runNode } from '../helpers/engine';
import { createContainer, credentialCases, using } from '../helpers/fixtures';

test('smoke: upload text via shared key', async () => {
	const container = await createContainer('smoke');
	const c = credentialCases()[0];
	const { credentials, authentication } = using(c);
	const result = await runNode({
		credentials,
		parameters: {
			authentication,
			resource: 'blob',
			operation: 'upload',
			container: { __rl: true, mode: 'name', value: container },
			blobName: 'hello.txt',
			inputDataType: 'text',
			textContent: 'hello',
		},
	});
	console.log(JSON.stringify(result.items), result.error);
	expect(result.error).toBeUndefined();
});
