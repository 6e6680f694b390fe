import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import {
	clientIdField,
	entraAccountNameField,
	entraCloudField,
	entraEndpointField,
	loginAuthorityField,
	storageAudienceField,
	tenantField,
} from './entraId';

/**
 * Access Azure Blob Storage as an application (service principal) that proves itself with a
 * certificate instead of a client secret: n8n signs a short assertion with the private key and
 * Microsoft Entra ID checks it against the certificate uploaded to the app registration.
 */
export class AzureBlobStorageClientCertificateApi implements ICredentialType {
	name = 'azureBlobStorageClientCertificateApi';

	displayName = 'Azure Blob Storage Client Certificate API';

	icon = { light: 'file:azureBlobStorage.svg', dark: 'file:azureBlobStorage.dark.svg' } as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials';

	properties: INodeProperties[] = [
		{
			displayName:
				'Upload the certificate\'s public part to the app registration ("Certificates & secrets" > "Certificates") and give the app\'s service principal the role "Storage Blob Data Contributor" (read and write) or "Storage Blob Data Reader" (read only) on the storage account or container.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		tenantField(
			'The directory (tenant) ID or a verified domain of the tenant the app registration lives in (its Overview page). "common" and "organizations" do not work for an application sign-in.',
			'e.g. 00000000-0000-0000-0000-000000000000 or contoso.onmicrosoft.com',
		),
		clientIdField,
		{
			displayName: 'Certificate (PEM, With Private Key)',
			name: 'certificate',
			type: 'string',
			typeOptions: { password: true, rows: 6 },
			default: '',
			required: true,
			placeholder: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----',
			description:
				'The certificate and its RSA private key in PEM form, the certificate first (a chain may follow it). A .pfx converts with: openssl pkcs12 -in cert.pfx -out cert.pem -nodes.',
		},
		{
			displayName: 'Certificate Password',
			name: 'certificatePassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for an encrypted private key (-----BEGIN ENCRYPTED PRIVATE KEY-----)',
		},
		{
			displayName: 'Send Certificate Chain (X5c)',
			name: 'sendX5c',
			type: 'boolean',
			default: false,
			description:
				'Whether to send the certificate chain with each sign-in (the x5c header), which subject name and issuer authentication needs: the app then trusts any certificate its CA issues for that subject, so renewed certificates work without uploading them.',
		},
		entraCloudField,
		entraAccountNameField,
		entraEndpointField,
		loginAuthorityField,
		storageAudienceField,
	];
}
