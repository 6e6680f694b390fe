/**
 * Checks on user input that run before any request, so a typo is reported with the field to fix
 * instead of as an Azure error (or, worse, a request to a different container than meant).
 * Each function returns a sentence describing the problem, or undefined when the value is fine.
 */

const CONTAINER_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;
const SPECIAL_CONTAINERS = new Set(['$root', '$logs', '$web']);
const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const MAX_BLOB_NAME_LENGTH = 1024;

export function containerNameProblem(name: string): string | undefined {
	if (name === '') return 'is empty';
	if (SPECIAL_CONTAINERS.has(name)) return undefined;
	if (name.length < 3 || name.length > 63) {
		return `"${name}" has ${name.length} characters; container names have 3 to 63`;
	}
	if (name !== name.toLowerCase()) {
		return `"${name}" has upper-case letters; container names are lower case only`;
	}
	if (!CONTAINER_NAME.test(name)) {
		return `"${name}" is not a valid container name: use lower-case letters, digits and single hyphens, starting and ending with a letter or digit`;
	}
	return undefined;
}

export function blobNameProblem(name: string): string | undefined {
	if (name === '') return 'is empty';
	if (name.length > MAX_BLOB_NAME_LENGTH) {
		return `has ${name.length} characters; blob names have at most ${MAX_BLOB_NAME_LENGTH}`;
	}
	if (name.endsWith('.') || name.endsWith('/')) {
		return `"${name}" ends with "${name.slice(-1)}", which Azure strips, so the blob would get another name`;
	}
	return undefined;
}

export function metadataKeyProblem(key: string): string | undefined {
	if (!METADATA_KEY.test(key)) {
		return `"${key}" is not a valid metadata name: use letters, digits and underscores, not starting with a digit`;
	}
	return undefined;
}

/** Blob index tags: up to 10 per blob, keys 1-128 and values 0-256 characters. */
export function tagsProblem(tags: Record<string, string>): string | undefined {
	const keys = Object.keys(tags);
	if (keys.length > 10) return `has ${keys.length} tags; a blob can have at most 10`;
	for (const key of keys) {
		if (key.length < 1 || key.length > 128) return `tag name "${key}" must have 1 to 128 characters`;
		if (tags[key].length > 256) return `tag "${key}" has a value longer than 256 characters`;
	}
	return undefined;
}
