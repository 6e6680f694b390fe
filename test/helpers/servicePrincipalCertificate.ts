/**
 * Certificates for a service principal made with openssl at test time: an RSA certificate and
 * its key (plain PKCS#8, or encrypted with a password), an EC one, and an expired one.
 */
import { execFileSync } from 'child_process';
import { createHash, X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface ServicePrincipalCertificate {
	certificatePem: string;
	keyPem: string;
	/** What a user pastes into the credential: certificate, then key. */
	pem: string;
	/** The certificate's DER in base64 (an x5c entry). */
	derBase64: string;
	/** base64url SHA-256 of the DER: the assertion's x5t#S256 header. */
	x5tS256: string;
}

export interface CertificateOptions {
	subject?: string;
	/** Encrypts the private key (PKCS#8, AES-256) with this password. */
	password?: string;
	keyType?: 'rsa' | 'ec';
	/** Makes a certificate that expired in 2020. */
	expired?: boolean;
}

function openssl(args: string[], cwd: string): void {
	execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

export function makeServicePrincipalCertificate(options: CertificateOptions = {}): ServicePrincipalCertificate {
	const dir = mkdtempSync(join(tmpdir(), 'sp-cert-'));
	try {
		const subject = `/CN=${options.subject ?? 'n8n-blob-storage'}`;
		if (options.keyType === 'ec') {
			openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'key.pem'], dir);
		} else {
			openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'key.pem'], dir);
		}
		if (options.expired) {
			writeFileSync(
				join(dir, 'ca.cnf'),
				'[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n',
			);
			writeFileSync(join(dir, 'index.txt'), '');
			writeFileSync(join(dir, 'serial'), '01\n');
			openssl(['req', '-new', '-key', 'key.pem', '-subj', subject, '-out', 'req.csr'], dir);
			openssl(
				['ca', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'key.pem', '-in', 'req.csr', '-out', 'cert.pem', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-batch', '-notext'],
				dir,
			);
		} else {
			openssl(['req', '-x509', '-new', '-key', 'key.pem', '-sha256', '-days', '2', '-subj', subject, '-out', 'cert.pem'], dir);
		}
		if (options.password) {
			openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'key.pem', '-out', 'key.enc.pem', '-passout', `pass:${options.password}`], dir);
		}
		const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
		const keyPem = readFileSync(join(dir, options.password ? 'key.enc.pem' : 'key.pem'), 'utf8');
		const der = new X509Certificate(certificatePem).raw;
		return {
			certificatePem,
			keyPem,
			pem: `${certificatePem}${keyPem}`,
			derBase64: der.toString('base64'),
			x5tS256: createHash('sha256').update(der).digest('base64url'),
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
