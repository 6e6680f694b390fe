/**
 * What n8n's CredentialsHelper (packages/cli) does with an OAuth2 credential before anything
 * uses it, rebuilt from public n8n-workflow / n8n-core parts: merge the properties of the parent
 * types (`extends: ['oAuth2Api']`), fill in defaults, resolve the hidden expressions over `$self`,
 * and keep `oauthTokenData`. Plus n8n's own way of building the authorization URL from the
 * result (the oauth2-credential controller uses @n8n/client-oauth2 the same way).
 */
import { ClientOAuth2 } from '@n8n/client-oauth2';
import { getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	INode,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import * as qs from 'querystring';

/**
 * n8n's generic OAuth2 credential (n8n-nodes-base OAuth2Api.credentials.ts, which is not a
 * dependency here): only its fields that matter when a credential extends it.
 */
export class OAuth2ApiBase implements ICredentialType {
	name = 'oAuth2Api';

	displayName = 'OAuth2 API';

	genericAuth = true;

	properties: INodeProperties[] = [
		{ displayName: 'Use Dynamic Client Registration', name: 'useDynamicClientRegistration', type: 'hidden', default: false },
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{ name: 'Authorization Code', value: 'authorizationCode' },
				{ name: 'Client Credentials', value: 'clientCredentials' },
				{ name: 'PKCE', value: 'pkce' },
			],
			default: 'authorizationCode',
		},
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'string', default: '', required: true },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'string', default: '', required: true },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '', required: true },
		{ displayName: 'Client Secret', name: 'clientSecret', type: 'string', typeOptions: { password: true }, default: '', required: true },
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'string', default: '' },
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Body', value: 'body' },
				{ name: 'Header', value: 'header' },
			],
			default: 'header',
		},
		{ displayName: 'Send Additional Body Properties', name: 'sendAdditionalBodyProperties', type: 'boolean', default: false },
		{ displayName: 'Additional Body Properties', name: 'additionalBodyProperties', type: 'json', default: '' },
		{ displayName: 'Ignore SSL Issues (Insecure)', name: 'ignoreSSLIssues', type: 'boolean', default: false, doNotInherit: true },
	];
}

/** Properties of a credential type with those of its parents merged in, as n8n does. */
export function credentialProperties(types: Record<string, ICredentialType>, name: string): INodeProperties[] {
	const type = types[name];
	if (!type) throw new Error(`Unknown credential type ${name}`);
	if (!type.extends) return type.properties;
	const combined: INodeProperties[] = [];
	for (const parent of type.extends) {
		const inherited = credentialProperties(types, parent).filter((p) => !p.doNotInherit);
		NodeHelpers.mergeNodeProperties(combined, inherited);
	}
	NodeHelpers.mergeNodeProperties(combined, type.properties);
	return combined;
}

export function parentTypesOf(types: Record<string, ICredentialType>, name: string): string[] {
	const parents = types[name]?.extends ?? [];
	return parents.flatMap((parent) => [parent, ...parentTypesOf(types, parent)]);
}

const mockNode: INode = {
	id: 'mock',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

const mockNodeTypes: INodeTypes = {
	getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getKnownTypes: () => ({}),
};

/**
 * The credential data n8n hands to a node: stored data + defaults, hidden expressions resolved
 * over `$self`, `oauthTokenData` kept (CredentialsHelper.applyDefaultsAndOverwrites).
 */
export async function resolveCredentialData(
	types: Record<string, ICredentialType>,
	type: string,
	stored: ICredentialDataDecryptedObject,
	additionalData: IWorkflowExecuteAdditionalData,
): Promise<ICredentialDataDecryptedObject> {
	const properties = credentialProperties(types, type);
	const storedData = { ...stored };
	// n8n drops stored values of hidden OAuth fields so the type's own definition always wins.
	for (const field of ['authUrl', 'accessTokenUrl', 'scope', 'authQueryParameters', 'authentication', 'grantType']) {
		if (properties.some((p) => p.name === field && p.type === 'hidden')) delete storedData[field];
	}
	let data = NodeHelpers.getNodeParameters(properties, storedData as INodeParameters, true, false, null, null) as ICredentialDataDecryptedObject;
	if (stored.oauthTokenData !== undefined) data.oauthTokenData = stored.oauthTokenData;
	const additionalKeys = getAdditionalKeys(additionalData, 'internal', null, { isCredential: true });
	const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes: mockNodeTypes });
	await workflow.expression.acquireIsolate();
	try {
		data = workflow.expression.getComplexParameterValue(
			mockNode,
			data as INodeParameters,
			'internal',
			additionalKeys,
			undefined,
			undefined,
			data,
		) as ICredentialDataDecryptedObject;
	} finally {
		await workflow.expression.releaseIsolate();
	}
	return data;
}

/**
 * The URL n8n sends the browser to on "Connect my account", built the way n8n's
 * oauth2-credential controller builds it from the resolved credential.
 */
export function authorizationUri(resolved: ICredentialDataDecryptedObject, redirectUri: string, state = 'state-1'): URL {
	const scope = String(resolved.scope ?? 'openid');
	const client = new ClientOAuth2({
		clientId: String(resolved.clientId),
		clientSecret: String(resolved.clientSecret ?? ''),
		accessTokenUri: String(resolved.accessTokenUrl ?? ''),
		authorizationUri: String(resolved.authUrl ?? ''),
		authentication: (resolved.authentication as 'body' | 'header') ?? 'header',
		redirectUri,
		scopes: scope.split(','),
		scopesSeparator: scope.includes(',') ? ',' : ' ',
		state,
		...(resolved.authQueryParameters ? { query: qs.parse(String(resolved.authQueryParameters)) as Record<string, string> } : {}),
	});
	return new URL(client.code.getUri());
}
