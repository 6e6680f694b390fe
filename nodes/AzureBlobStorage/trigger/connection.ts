/** The triggers' way to the package's one client factory (transport/client.ts). */
import type { IPollFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { AuthenticationMethod, BlobStorageConnection, CredentialContext } from '../transport/client';
import { connect } from '../transport/client';

/**
 * `connect` needs credentials, the node and n8n's request helpers (`httpRequestWithAuthentication`,
 * `refreshOAuth2Token`); poll and webhook contexts have all of them, but their `helpers` type is
 * not one of the two that `CredentialContext` names.
 */
export async function connectTrigger(ctx: IPollFunctions | IWebhookFunctions, method: AuthenticationMethod): Promise<BlobStorageConnection> {
	return await connect(ctx as unknown as CredentialContext, method);
}
