/**
 * Create SAS URL with the account key (a service SAS): the link is checked by using it against
 * Azurite with plain HTTP requests. The user delegation SAS (Entra ID credentials) needs Azurite
 * over HTTPS with OAuth: see createSasUrl.entraId.test.ts.
 *
 * What Azurite cannot do, and what is tested instead: Azurite here speaks HTTP, so links are
 * made with "HTTPS Only" off for use; the default (HTTPS only) is checked in the link itself
 * (spr=https) and by Azurite refusing it over HTTP. Azurite ignores a SAS's IP range (sip): the
 * range is checked in the link, not enforced.
 */
import { runNode } from '../helpers/engine';
import { blobEndpoint, createContainer, credentialCases, using } from '../helpers/fixtures';
import { byName, byUrl } from '../helpers/params';
import { putBlob, run } from './support';

const sas = (parameters: Record<string, unknown>) => run({ resource: 'blob', operation: 'createSasUrl', ...parameters });
const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();

let container: string;
beforeAll(async () => {
	container = await createContainer('sas-links');
	await putBlob(container, 'docs/report.pdf', 'PDF bytes', { blobHTTPHeaders: { blobContentType: 'application/pdf' } });
});

describe('Create SAS URL with the account key (service SAS)', () => {
	it('makes a read link for a blob that downloads it, and refuses writes through it', async () => {
		const { items, error } = await sas({ container: byName(container), blob: byName('docs/report.pdf'), permissions: ['r'], expiresOn: inOneHour(), options: { httpsOnly: false } });
		expect(error).toBeUndefined();
		const json = items[0].json;
		expect(json).toMatchObject({ container, name: 'docs/report.pdf', linkFor: 'blob', sasType: 'service', permissions: 'r', httpsOnly: false });
		expect(items[0].pairedItem).toEqual({ item: 0 });
		const url = String(json.url);
		expect(url.startsWith(`${blobEndpoint()}/${container}/docs/report.pdf?`)).toBe(true);
		expect(new URL(url).searchParams.get('sig')).toBeTruthy();
		const download = await fetch(url);
		expect(download.status).toBe(200);
		expect(await download.text()).toBe('PDF bytes');
		const write = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'changed' });
		expect(write.status).toBe(403);
	});

	it('expires when told (default: one hour from now)', async () => {
		const { items } = await sas({ container: byName(container), blob: byName('docs/report.pdf'), options: { httpsOnly: false } });
		const expires = new Date(String(items[0].json.expiresOn)).getTime();
		expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(60_000);
		expect(new URL(String(items[0].json.url)).searchParams.get('se')).toBe(new Date(Math.floor(expires / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
	});

	it('makes a container link that lists and uploads', async () => {
		const { items, error } = await sas({ linkFor: 'container', container: byName(container), permissions: ['l', 'c', 'w'], expiresOn: inOneHour(), options: { httpsOnly: false } });
		expect(error).toBeUndefined();
		const url = new URL(String(items[0].json.url));
		expect(url.pathname.endsWith(`/${container}`)).toBe(true);
		const list = await fetch(`${url.toString()}&restype=container&comp=list`);
		expect(list.status).toBe(200);
		expect(await list.text()).toContain('docs/report.pdf');
		const put = await fetch(`${url.origin}${url.pathname}/uploaded.txt${url.search}`, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'hi' });
		expect(put.status).toBe(201);
	});

	it('serves the Content-Disposition and Content-Type given', async () => {
		const { items } = await sas({
			container: byName(container),
			blob: byUrl(`${blobEndpoint()}/${container}/docs/report.pdf`),
			expiresOn: inOneHour(),
			options: { httpsOnly: false, contentDisposition: 'attachment; filename="q1.pdf"', contentType: 'application/octet-stream' },
		});
		const download = await fetch(String(items[0].json.url));
		expect(download.headers.get('content-disposition')).toBe('attachment; filename="q1.pdf"');
		expect(download.headers.get('content-type')).toBe('application/octet-stream');
	});

	it('is HTTPS only by default, which Azurite over HTTP refuses', async () => {
		const { items } = await sas({ container: byName(container), blob: byName('docs/report.pdf'), expiresOn: inOneHour() });
		const url = String(items[0].json.url);
		expect(new URL(url).searchParams.get('spr')).toBe('https');
		expect((await fetch(url)).status).toBe(403);
	});

	it('limits the link to an IP range', async () => {
		const { items } = await sas({ container: byName(container), blob: byName('docs/report.pdf'), expiresOn: inOneHour(), options: { httpsOnly: false, ipRange: '203.0.113.0-203.0.113.255' } });
		expect(items[0].json.ipRange).toBe('203.0.113.0-203.0.113.255');
		expect(new URL(String(items[0].json.url)).searchParams.get('sip')).toBe('203.0.113.0-203.0.113.255');
		// Azurite does not enforce a SAS's IP range (it served this link to 127.0.0.1); Azure does.
	});

	it('with a key connection string, signs the same way', async () => {
		const { items, error } = await runNode({
			...using(credentialCases()[1]),
			parameters: { authentication: 'connectionString', resource: 'blob', operation: 'createSasUrl', container: byName(container), blob: byName('docs/report.pdf'), expiresOn: inOneHour(), options: { httpsOnly: false } } as never,
		});
		expect(error).toBeUndefined();
		expect(items[0].json.sasType).toBe('service');
		expect((await fetch(String(items[0].json.url))).status).toBe(200);
	});

	it('says clearly that a SAS credential cannot sign new links, without showing its SAS', async () => {
		const sasCase = credentialCases()[3];
		const { error } = await runNode({
			...using(sasCase),
			parameters: { authentication: 'sas', resource: 'blob', operation: 'createSasUrl', container: byName(container), blob: byName('docs/report.pdf'), expiresOn: inOneHour() } as never,
		});
		expect(error?.message).toBe('This credential cannot create SAS links: it is a SAS itself, and a SAS cannot sign new ones');
		const text = JSON.stringify([error?.message, error?.description, error?.stack]);
		for (const secret of sasCase.secrets) expect(text).not.toContain(secret);
	});

	it('checks the fields after expressions', async () => {
		const base = { container: byName(container), blob: byName('docs/report.pdf') };
		expect((await sas({ ...base, expiresOn: '2020-01-01T00:00:00Z' })).error?.message).toBe('Expiry 2020-01-01T00:00:00.000Z is in the past');
		expect((await sas({ ...base, expiresOn: '={{ 42 }}' })).error?.message).toBe('Expiry must be a date and time, but the expression returned a number (42)');
		expect((await sas({ ...base, expiresOn: 'next tuesday' })).error?.message).toBe('Expiry is not a date and time: "next tuesday"');
		expect((await sas({ ...base, expiresOn: inOneHour(), permissions: [] })).error?.message).toBe('Permissions is empty');
		expect((await sas({ ...base, expiresOn: inOneHour(), permissions: ['l'] })).error?.message).toBe('Permissions has List, which only a container link can grant');
		expect((await sas({ ...base, expiresOn: inOneHour(), permissions: '={{ ["r", "x"] }}' })).error?.message).toBe('Permissions has "x", which is not one of r, a, c, w, d, l, t');
		expect((await sas({ ...base, expiresOn: inOneHour(), options: { ipRange: '10.0.0.300' } })).error?.message).toBe('IP Range "10.0.0.300" is not an IPv4 address or range');
		expect((await sas({ ...base, expiresOn: inOneHour(), options: { startsOn: inOneHour(), httpsOnly: false } })).error?.message).toMatch(/^Expiry .* is not after Start /);
		expect((await sas({ ...base, expiresOn: inOneHour(), options: { contentType: 'a\nb' } })).error?.message).toBe(
			'Content-Type Override has a line break, which HTTP headers cannot carry',
		);
	});

	it('accepts a Luxon date from an expression', async () => {
		const { items, error } = await sas({ container: byName(container), blob: byName('docs/report.pdf'), expiresOn: '={{ $now.plus(2, "hours") }}', options: { httpsOnly: false } });
		expect(error).toBeUndefined();
		expect(new Date(String(items[0].json.expiresOn)).getTime()).toBeGreaterThan(Date.now() + 3600_000);
	});
});
