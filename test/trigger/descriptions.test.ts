/** The triggers offer every way to sign in that the Azure Blob Storage node offers, and follow n8n's trigger conventions. */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { AzureBlobStorageEventGridTrigger } from '../../nodes/AzureBlobStorage/AzureBlobStorageEventGridTrigger.node';
import { AzureBlobStorageTrigger } from '../../nodes/AzureBlobStorage/AzureBlobStorageTrigger.node';
import { CREDENTIAL_TYPE } from '../../nodes/AzureBlobStorage/transport/client';

const main = new AzureBlobStorage().description;

function credentialChoices(description: INodeTypeDescription) {
	return (description.credentials ?? []).map((c) => ({ name: c.name, authentication: c.displayOptions?.show?.authentication })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The sign-in choices (the Event Grid trigger adds "None": events only, no download). */
function authenticationOptions(description: INodeTypeDescription) {
	const options = (description.properties.find((p) => p.name === 'authentication') as INodeProperties).options ?? [];
	return options.filter((option) => 'value' in option && option.value !== 'none');
}

describe.each([
	['polling trigger', new AzureBlobStorageTrigger().description],
	['Event Grid trigger', new AzureBlobStorageEventGridTrigger().description],
])('%s', (_label, description) => {
	it('offers the same credentials and Authentication choices as the Azure Blob Storage node', () => {
		expect(credentialChoices(description)).toEqual(credentialChoices(main));
		expect(authenticationOptions(description)).toEqual(authenticationOptions(main));
		expect(credentialChoices(description).map((c) => c.name).sort()).toEqual(Object.values(CREDENTIAL_TYPE).sort());
	});

	it('is a trigger: no inputs, one output, in the trigger group, not usable as a tool', () => {
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toHaveLength(1);
		expect(description.group).toEqual(['trigger']);
		expect(description.name.endsWith('Trigger')).toBe(true);
		expect(description.usableAsTool).toBeUndefined();
	});
});

it('the Event Grid trigger asks n8n for the raw body (so malformed JSON gets the node\'s own 400)', () => {
	const description = new AzureBlobStorageEventGridTrigger().description;
	expect(description.version).toBe(1);
	expect(description.properties.find((p) => p.name === 'options')).toMatchObject({ type: 'hidden', default: { binaryData: true } });
	expect((description.properties.find((p) => p.name === 'authentication') as INodeProperties).default).toBe('none');
	expect(description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'blob-events' }]);
});
