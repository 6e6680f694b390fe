/**
 * Fields and hidden OAuth2 settings shared by the two Microsoft Entra ID credentials. The hidden
 * fields are n8n expressions over the visible ones (`$self`), resolved by n8n whenever it builds
 * the authorization URL or asks for a token, so the tenant and cloud choose the login host.
 */
import type { INodeProperties } from 'n8n-workflow';

/** The Entra ID authority: login host per cloud, or the URL typed in for a custom cloud. */
const AUTHORITY =
	'($self["cloud"] === "custom" ? String($self["loginAuthority"] || "https://login.microsoftonline.com").trim().replace(/\\/+$/, "")' +
	' : $self["cloud"] === "azureUsGovernment" ? "https://login.microsoftonline.us"' +
	' : $self["cloud"] === "azureChina" ? "https://login.chinacloudapi.cn"' +
	' : "https://login.microsoftonline.com")';

const TENANT = 'String($self["tenantId"] || "").trim()';

/** The storage resource the token is for: https://storage.azure.com in every Azure cloud. */
const STORAGE_RESOURCE =
	'($self["cloud"] === "custom" && $self["storageAudience"] ? String($self["storageAudience"]).trim().replace(/\\/+$/, "") : "https://storage.azure.com")';

export const authorizationUrlExpression = `={{ ${AUTHORITY} + "/" + ${TENANT} + "/oauth2/v2.0/authorize" }}`;
export const tokenUrlExpression = `={{ ${AUTHORITY} + "/" + ${TENANT} + "/oauth2/v2.0/token" }}`;
/** Delegated access to storage, plus offline_access so Microsoft issues a refresh token. */
export const delegatedScopeExpression = `={{ ${STORAGE_RESOURCE} + "/user_impersonation offline_access" }}`;
/** Application access: whatever storage roles the service principal holds. */
export const applicationScopeExpression = `={{ ${STORAGE_RESOURCE} + "/.default" }}`;
/** `prompt` for the sign-in page (none: Microsoft decides), and the code returned in the query. */
export const authQueryParametersExpression =
	'={{ ($self["consentPrompt"] && $self["consentPrompt"] !== "none" ? "prompt=" + $self["consentPrompt"] + "&" : "") + "response_mode=query" }}';

export function tenantField(description: string, placeholder: string): INodeProperties {
	return {
		displayName: 'Directory (Tenant) ID',
		name: 'tenantId',
		type: 'string',
		default: '',
		required: true,
		placeholder,
		description,
	};
}

export const clientIdField: INodeProperties = {
	displayName: 'Application (Client) ID',
	name: 'clientId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 11111111-2222-3333-4444-555555555555',
	description: 'The "Application (client) ID" on the Overview page of the app registration in Microsoft Entra ID',
};

export const clientSecretField: INodeProperties = {
	displayName: 'Client Secret',
	name: 'clientSecret',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	required: true,
	description:
		'The secret\'s "Value" from "Certificates & secrets" in the app registration (not the "Secret ID"). Azure shows it only once, right after it is created.',
};

export const entraCloudField: INodeProperties = {
	displayName: 'Cloud',
	name: 'cloud',
	type: 'options',
	default: 'azurePublic',
	options: [
		{
			name: 'Azure (Global)',
			value: 'azurePublic',
			description: 'Sign-in at login.microsoftonline.com, storage at <account>.blob.core.windows.net',
		},
		{
			name: 'Azure China (21Vianet)',
			value: 'azureChina',
			description: 'Sign-in at login.chinacloudapi.cn, storage at <account>.blob.core.chinacloudapi.cn',
		},
		{
			name: 'Azure US Government',
			value: 'azureUsGovernment',
			description: 'Sign-in at login.microsoftonline.us, storage at <account>.blob.core.usgovcloudapi.net',
		},
		{
			name: 'Custom',
			value: 'custom',
			description: 'Azure Stack, a private endpoint or custom domain: enter the sign-in authority and the blob endpoint',
		},
	],
};

export const entraAccountNameField: INodeProperties = {
	displayName: 'Storage Account Name',
	name: 'accountName',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. mycompanydata',
	description: 'The storage account name: the first part of https://<account>.blob.core.windows.net',
	displayOptions: { hide: { cloud: ['custom'] } },
};

export const entraEndpointField: INodeProperties = {
	displayName: 'Blob Endpoint',
	name: 'endpoint',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. https://myaccount.blob.local.azurestack.external',
	description: 'The blob service URL of the storage account. For IP-address endpoints include the account name in the path.',
	displayOptions: { show: { cloud: ['custom'] } },
};

export const loginAuthorityField: INodeProperties = {
	displayName: 'Sign-In Authority',
	name: 'loginAuthority',
	type: 'string',
	default: 'https://login.microsoftonline.com',
	required: true,
	placeholder: 'e.g. https://login.microsoftonline.com',
	description:
		'The Microsoft Entra ID host that issues tokens, without the tenant. The tenant and /oauth2/v2.0/... are appended.',
	displayOptions: { show: { cloud: ['custom'] } },
};

export const storageAudienceField: INodeProperties = {
	displayName: 'Storage Resource',
	name: 'storageAudience',
	type: 'string',
	default: 'https://storage.azure.com',
	description: 'The resource the token is requested for. Keep https://storage.azure.com unless your cloud documents another one.',
	displayOptions: { show: { cloud: ['custom'] } },
};

export function hidden(name: string, value: string): INodeProperties {
	return { displayName: name, name, type: 'hidden', default: value };
}
