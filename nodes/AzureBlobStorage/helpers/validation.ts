/**
 * Checks on user input that run before any request, so a typo is reported with the field to fix
 * instead of as an Azure error (or, worse, a request to a different blob than meant).
 * Each function returns a sentence describing the problem, or undefined when the value is fine.
 *
 * Blob names: Azure stores any Unicode text of 1 to 1,024 characters, but a name travels in a
 * URL, and some names do not survive that trip: "." and ".." path segments are resolved by
 * every URL parser (the SDK's, Azure's front end) into another blob, even in another container;
 * a backslash is turned into "/"; a trailing dot is dropped. Those names are refused, never
 * rewritten, so the blob acted on is always exactly the blob named.
 */

const CONTAINER_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;
const SPECIAL_CONTAINERS = new Set(['$root', '$logs', '$web']);
const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TAG_TEXT = /^[A-Za-z0-9 +\-./:=_]*$/;

export const MAX_BLOB_NAME_LENGTH = 1024;
export const MAX_BLOB_PATH_SEGMENTS = 254;
/** Azure's limit for all metadata of a blob or container: names and values together. */
export const MAX_METADATA_BYTES = 8 * 1024;

function show(value: string, max = 80): string {
	return JSON.stringify(value.length > max ? `${value.slice(0, max)}...` : value);
}

function codePoint(char: string): string {
	return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function containerNameProblem(name: string): string | undefined {
	if (name === '') return 'is empty';
	if (SPECIAL_CONTAINERS.has(name)) return undefined;
	if (name.trim() !== name) return `${show(name)} starts or ends with a space; container names have none`;
	if (name.length < 3 || name.length > 63) {
		return `${show(name)} has ${name.length} characters; container names have 3 to 63`;
	}
	if (name !== name.toLowerCase()) {
		return `${show(name)} has upper-case letters; container names are lower case only`;
	}
	if (!CONTAINER_NAME.test(name)) {
		return `${show(name)} is not a valid container name: use lower-case letters, digits and single hyphens, starting and ending with a letter or digit`;
	}
	return undefined;
}

export function blobNameProblem(name: string): string | undefined {
	if (name === '') return 'is empty';
	if (LONE_SURROGATE.test(name)) return 'has a broken Unicode character (half of a surrogate pair)';
	if (name.length > MAX_BLOB_NAME_LENGTH) {
		return `has ${name.length} characters; blob names have at most ${MAX_BLOB_NAME_LENGTH}`;
	}
	if (name.trim() !== name) {
		return `${show(name)} starts or ends with a space or line break, which is easy to miss and would be part of the name; remove it (e.g. {{ $json.name.trim() }})`;
	}
	const control = CONTROL.exec(name);
	if (control) return `${show(name)} has a control character (${codePoint(control[0])}), which Azure does not accept in a name`;
	if (name.includes('\\')) {
		return `${show(name)} has a backslash (\\), which URLs turn into "/", so another blob would be used; write "/" for folders`;
	}
	if (name.startsWith('/')) return `${show(name)} starts with "/"; blob names do not (write "folder/file.txt")`;
	const segments = name.split('/');
	if (segments.some((s) => s === '.' || s === '..')) {
		return `${show(name)} has a "." or ".." path segment, which URLs resolve to another blob (even in another container); rename it`;
	}
	if (name.endsWith('.') || name.endsWith('/')) {
		return `${show(name)} ends with "${name.slice(-1)}", which Azure strips, so the blob would get another name`;
	}
	if (segments.some((s, i) => s === '' && i < segments.length - 1)) {
		return `${show(name)} has an empty path segment ("//"); remove the extra "/"`;
	}
	if (segments.some((s) => s.endsWith('.'))) {
		return `${show(name)} has a path segment ending with ".", which Azure strips, so the blob would get another name`;
	}
	if (segments.length > MAX_BLOB_PATH_SEGMENTS) {
		return `has ${segments.length} path segments; Azure allows at most ${MAX_BLOB_PATH_SEGMENTS}`;
	}
	return undefined;
}

export function metadataKeyProblem(key: string): string | undefined {
	if (key === '') return 'is empty';
	if (!METADATA_KEY.test(key)) {
		return `${show(key)} is not a valid metadata name: use letters, digits and underscores, not starting with a digit`;
	}
	return undefined;
}

/**
 * A value sent as an HTTP header (metadata values, content type, cache control...). HTTP headers
 * carry printable ASCII; line breaks would be dropped and surrounding spaces trimmed on the way,
 * so the stored value would differ from the one given.
 */
export function headerValueProblem(value: string): string | undefined {
	const control = CONTROL.exec(value);
	if (control) {
		const what = control[0] === '\n' || control[0] === '\r' ? 'a line break' : `a control character (${codePoint(control[0])})`;
		return `has ${what}, which HTTP headers cannot carry`;
	}
	const nonAscii = /[^\x20-\x7e\t]/u.exec(value);
	if (nonAscii) {
		return `has the character "${nonAscii[0]}" (${codePoint(nonAscii[0])}); Azure carries these values in HTTP headers, which allow ASCII only. Encode it, e.g. {{ encodeURIComponent($json.value) }}`;
	}
	if (value.trim() !== value) return 'starts or ends with a space, which HTTP would drop; remove it (e.g. {{ $json.value.trim() }})';
	return undefined;
}

/**
 * Metadata names and values. Names are case-insensitive in Azure (they are HTTP headers), so two
 * names differing only by case would silently keep one value.
 */
export function metadataProblem(metadata: Record<string, string>): string | undefined {
	const seen = new Map<string, string>();
	let bytes = 0;
	for (const [key, value] of Object.entries(metadata)) {
		const keyProblem = metadataKeyProblem(key);
		if (keyProblem) return `name ${keyProblem}`;
		const lower = key.toLowerCase();
		const earlier = seen.get(lower);
		if (earlier !== undefined) {
			return `names ${show(earlier)} and ${show(key)} differ only by case; Azure treats metadata names case-insensitively and would keep one value`;
		}
		seen.set(lower, key);
		const valueProblem = headerValueProblem(value);
		if (valueProblem) return `${show(key)} ${valueProblem}`;
		bytes += key.length + value.length;
	}
	if (bytes > MAX_METADATA_BYTES) return `is ${bytes} bytes; Azure allows at most ${MAX_METADATA_BYTES} bytes of metadata names and values`;
	return undefined;
}

/** Blob index tags: up to 10 per blob, keys 1-128 and values 0-256 characters from a small set. */
export function tagsProblem(tags: Record<string, string>): string | undefined {
	const keys = Object.keys(tags);
	if (keys.length > 10) return `has ${keys.length} tags; a blob can have at most 10`;
	const allowed = 'letters, digits, spaces and + - . / : = _';
	for (const key of keys) {
		if (key.length < 1 || key.length > 128) return `tag name ${show(key)} must have 1 to 128 characters`;
		if (!TAG_TEXT.test(key)) return `tag name ${show(key)} has a character Azure does not allow in tags; use ${allowed}`;
		const value = tags[key];
		if (value.length > 256) return `tag ${show(key)} has a value longer than 256 characters`;
		if (!TAG_TEXT.test(value)) return `tag ${show(key)} has the value ${show(value)} with a character Azure does not allow in tags; use ${allowed}`;
	}
	return undefined;
}
