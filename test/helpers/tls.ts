/**
 * A self-signed certificate for 127.0.0.1 made with openssl at test time, and trust in it for
 * this test process only. NODE_EXTRA_CA_CERTS would do the same but Node reads it only at start,
 * before the test could have made the certificate; so every TLS connection this process opens
 * (the Azure SDK's and n8n's own request helper alike) gets the system roots plus this
 * certificate as its CA list. Production code is untouched: a user with a private CA sets
 * NODE_EXTRA_CA_CERTS for n8n, which has exactly this effect.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type * as TLS from 'tls';

// The module object itself (not an import namespace), so its `connect` can be replaced.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tls = require('tls') as typeof TLS;

export interface TestCertificate {
	certFile: string;
	keyFile: string;
	pem: string;
	remove(): void;
}

export function generateCertificate(): TestCertificate {
	const dir = mkdtempSync(join(tmpdir(), 'azurite-tls-'));
	const certFile = join(dir, 'cert.pem');
	const keyFile = join(dir, 'key.pem');
	execFileSync(
		'openssl',
		[
			'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
			'-keyout', keyFile, '-out', certFile,
			'-subj', '/CN=127.0.0.1',
			'-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
		],
		{ stdio: 'ignore' },
	);
	return { certFile, keyFile, pem: readFileSync(certFile, 'utf8'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type Connect = typeof TLS.connect;

/** Adds `pem` to the trusted CAs of every TLS connection this process opens; returns an undo. */
export function trustCertificateInThisProcess(pem: string): () => void {
	const original: Connect = tls.connect;
	const ca = [...tls.rootCertificates, pem];
	const patched = function (this: unknown, ...args: unknown[]) {
		const options = args.find((a): a is TLS.ConnectionOptions => typeof a === 'object' && a !== null);
		if (options && options.ca === undefined && options.secureContext === undefined) options.ca = ca;
		return (original as (...a: unknown[]) => TLS.TLSSocket).apply(this, args);
	} as Connect;
	(tls as { connect: Connect }).connect = patched;
	return () => {
		(tls as { connect: Connect }).connect = original;
	};
}
