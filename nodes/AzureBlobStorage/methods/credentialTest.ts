/**
 * "Test" in the credential dialog: builds the same client the node uses and makes one cheap
 * read (list one container, or one blob for a container SAS), so success means the node works.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { authenticationMethodOf, connectWithCredentials } from '../transport/client';
import { describeRestError, explainFailure } from '../transport/errors';
import { redactSecrets } from '../transport/redact';

export async function testBlobStorageCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const method = authenticationMethodOf(credential.type);
	if (!method) return { status: 'Error', message: `Unknown credential type ${credential.type}` };
	let secrets: string[] = [];
	try {
		const connection = connectWithCredentials(method, credential.data ?? {});
		secrets = connection.secrets;
		if (connection.scopedContainer) {
			await connection.service.getContainerClient(connection.scopedContainer).listBlobsFlat().byPage({ maxPageSize: 1 }).next();
			return { status: 'OK', message: `Connected: container "${connection.scopedContainer}" can be listed` };
		}
		await connection.service.listContainers().byPage({ maxPageSize: 1 }).next();
		return { status: 'OK', message: `Connected to storage account "${connection.accountName}"` };
	} catch (error) {
		const rest = error as { statusCode?: number; message?: string };
		let message: string;
		if (typeof rest.statusCode === 'number') {
			const failure = describeRestError(rest);
			const explained = explainFailure(failure);
			message = [explained.message, explained.hint, failure.code && `(${failure.code})`].filter(Boolean).join('. ');
		} else {
			message = rest.message ?? String(error);
		}
		return { status: 'Error', message: redactSecrets(message, secrets) };
	}
}
