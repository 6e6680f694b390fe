/**
 * Signs new SAS tokens with what the connection holds: the account key (a service SAS) or an
 * Entra ID token (a user delegation SAS, after asking Azure for a user delegation key). A SAS
 * credential cannot sign anything new. Used by "Create SAS URL" and by Copy (to let Azure read a
 * source blob of this account).
 */
import type { SASProtocol, UserDelegationKey } from '@azure/storage-blob';
import {
	BlobSASPermissions,
	ContainerSASPermissions,
	generateBlobSASQueryParameters,
	SASProtocol as SasProtocols,
	StorageSharedKeyCredential,
} from '@azure/storage-blob';

import type { BlobStorageConnection } from './client';
import { InputError } from './errors';

export type SasKind = 'service' | 'userDelegation';

export interface SasRequest {
	container: string;
	/** Absent: a container SAS. */
	blob?: string;
	/** Permission letters in any order, e.g. "rw"; checked against the resource kind. */
	permissions: string;
	startsOn?: Date;
	expiresOn: Date;
	ipRange?: { start: string; end?: string };
	httpsOnly?: boolean;
	contentDisposition?: string;
	contentType?: string;
}

export interface SignedSas {
	/** The query string (without "?"). */
	token: string;
	kind: SasKind;
	/** The signature, to redact from anything but the link itself. */
	signature: string;
}

/** The account key inside the connection, when it has one (Shared Key or a key connection string). */
function accountKeyCredential(connection: BlobStorageConnection): StorageSharedKeyCredential | undefined {
	const credential = (connection.service as { credential?: unknown }).credential;
	return credential instanceof StorageSharedKeyCredential ? credential : undefined;
}

/** Which kind of SAS the connection can sign, or why it cannot. */
export function sasKindFor(connection: BlobStorageConnection): SasKind {
	if (accountKeyCredential(connection)) return 'service';
	// Every Entra ID connection (OAuth2, client credentials, managed or workload identity, certificate).
	if (connection.tokenCredential) return 'userDelegation';
	throw new InputError(
		'This credential cannot create SAS links: it is a SAS itself, and a SAS cannot sign new ones',
		'Use a credential with the account key (Shared Key, or a connection string with AccountKey) for a service SAS, or an Entra ID credential (OAuth2 or Client Credentials) for a user delegation SAS.',
	);
}

/** A user delegation key is valid for at most 7 days from its start. */
const MAX_USER_DELEGATION_MS = 7 * 24 * 3600_000;

export async function signSas(connection: BlobStorageConnection, request: SasRequest, abortSignal: AbortSignal): Promise<SignedSas> {
	const kind = sasKindFor(connection);
	const permissions = request.blob
		? BlobSASPermissions.parse(request.permissions).toString()
		: ContainerSASPermissions.parse(request.permissions).toString();
	const values = {
		containerName: request.container,
		blobName: request.blob,
		permissions: request.blob ? BlobSASPermissions.parse(permissions) : ContainerSASPermissions.parse(permissions),
		startsOn: request.startsOn,
		expiresOn: request.expiresOn,
		ipRange: request.ipRange,
		protocol: (request.httpsOnly ? SasProtocols.Https : SasProtocols.HttpsAndHttp) as SASProtocol,
		contentDisposition: request.contentDisposition,
		contentType: request.contentType,
	};
	let token: string;
	if (kind === 'service') {
		token = generateBlobSASQueryParameters(values, accountKeyCredential(connection)!).toString();
	} else {
		const keyStart = request.startsOn ?? new Date(Date.now() - 5 * 60_000);
		if (request.expiresOn.getTime() - keyStart.getTime() > MAX_USER_DELEGATION_MS) {
			throw new InputError(
				'A user delegation SAS (Entra ID credential) can be valid for at most 7 days from its start',
				'Pick an expiry within 7 days of the start, or use a credential with the account key for a longer-lived service SAS.',
			);
		}
		const key: UserDelegationKey = await connection.service.getUserDelegationKey(keyStart, request.expiresOn, { abortSignal });
		token = generateBlobSASQueryParameters(values, key, connection.accountName).toString();
	}
	const signature = new URLSearchParams(token).get('sig') ?? '';
	return { token, kind, signature };
}

/** Every spelling of a signature that may show up in a URL or a message. */
export function signatureSpellings(signature: string): string[] {
	return signature ? [...new Set([signature, encodeURIComponent(signature)])] : [];
}
