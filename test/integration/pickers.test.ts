/**
 * The "From List" pickers of the Container and Blob fields, called through the context n8n gives
 * list-search methods in the editor: prefix filtering and paging with n8n's pagination token.
 */
import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { loadOptionsContext } from '../helpers/engine';
import { containerSasUrl, credentialCases, sdk, uniqueContainerName, using } from '../helpers/fixtures';
import { byList } from '../helpers/params';

const { searchContainers, searchBlobs, searchSourceBlobs } = new AzureBlobStorage().methods.listSearch;
const { credentials, authentication } = using(credentialCases()[0]);

describe('container and blob pickers', () => {
	const prefix = uniqueContainerName('pick');
	const containers = Array.from({ length: 3 }, (_, i) => `${prefix}-${i}`);

	beforeAll(async () => {
		await Promise.all(containers.map((name) => sdk().getContainerClient(name).create()));
		const first = sdk().getContainerClient(containers[0]);
		await Promise.all(
			Array.from({ length: 105 }, (_, i) =>
				first.getBlockBlobClient(`reports/${String(i).padStart(3, '0')}.csv`).uploadData(Buffer.from('x')),
			),
		);
		await first.getBlockBlobClient('readme.md').uploadData(Buffer.from('x'));
	});

	it('lists the containers whose names start with what the user typed', async () => {
		const context = loadOptionsContext({ credentials, parameters: { authentication, resource: 'blob', operation: 'getAll' } });
		const page = await searchContainers.call(context, prefix);
		expect(page.results).toEqual(containers.map((name) => ({ name, value: name })));
	});

	it('lists the blobs of the chosen container in pages of 100, following n8n\'s pagination token', async () => {
		const context = loadOptionsContext(
			{
				credentials,
				parameters: { authentication, resource: 'blob', operation: 'download', container: byList(containers[0]) },
			},
			'parameters.blob',
		);
		const first = await searchBlobs.call(context, 'reports/');
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toEqual(expect.any(String));
		const second = await searchBlobs.call(context, 'reports/', first.paginationToken as string);
		expect(second.results.map((r) => r.name)).toEqual(['reports/100.csv', 'reports/101.csv', 'reports/102.csv', 'reports/103.csv', 'reports/104.csv']);
		expect(second.paginationToken).toBeUndefined();
	});

	it('shows no blobs until a container is chosen', async () => {
		const context = loadOptionsContext(
			{ credentials, parameters: { authentication, resource: 'blob', operation: 'download', container: byList('') } },
			'parameters.blob',
		);
		expect(await searchBlobs.call(context)).toEqual({ results: [] });
	});

	it("Copy's Source Blob picker lists the Source Container's blobs, not the destination's", async () => {
		const context = loadOptionsContext(
			{
				credentials,
				parameters: {
					authentication,
					resource: 'blob',
					operation: 'copy',
					source: 'account',
					sourceContainer: byList(containers[0]),
					container: byList(containers[2]),
				},
			},
			'parameters.sourceBlob',
		);
		expect((await searchSourceBlobs.call(context, 'read')).results).toEqual([{ name: 'readme.md', value: 'readme.md' }]);
		const destination = loadOptionsContext(
			{ credentials, parameters: { authentication, resource: 'blob', operation: 'copy', sourceContainer: byList(containers[0]), container: byList(containers[2]) } },
			'parameters.blob',
		);
		expect((await searchBlobs.call(destination, 'read')).results).toEqual([]);
	});

	it('offers only its own container for a container SAS', async () => {
		const context = loadOptionsContext({
			credentials: { azureBlobStorageSasApi: { sasMode: 'sasUrl', sasUrl: containerSasUrl(containers[1]) } },
			parameters: { authentication: 'sas', resource: 'blob', operation: 'getAll' },
		});
		expect((await searchContainers.call(context)).results).toEqual([{ name: containers[1], value: containers[1] }]);
	});

	it('explains a failure in words, without the key', async () => {
		const context = loadOptionsContext({
			credentials: { [credentialCases()[0].type]: { ...credentialCases()[0].data, accountKey: Buffer.alloc(64, 3).toString('base64') } },
			parameters: { authentication, resource: 'blob', operation: 'getAll' },
		});
		await expect(searchContainers.call(context, prefix)).rejects.toThrow(
			'Azure rejected the credential: the signature or token is not valid',
		);
	});
});
