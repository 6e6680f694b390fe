/**
 * The Event Grid trigger's shared secret: Event Grid sends it back with every delivery, in the
 * query string of the endpoint URL or as a custom delivery property (a header).
 */
import { createHash, timingSafeEqual } from 'crypto';

/** At least this many characters, so the secret cannot be guessed by trying. */
export const MIN_SECRET_LENGTH = 16;

function digest(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares in constant time: both values are hashed first, so neither their content nor their
 * lengths change how long the comparison takes.
 */
export function secretMatches(given: unknown, expected: string): boolean {
	const candidate = Array.isArray(given) ? given[0] : given;
	if (typeof candidate !== 'string' || expected === '') return false;
	return timingSafeEqual(digest(candidate), digest(expected));
}

/** A sentence saying what is wrong with a configured secret, or undefined when it is usable. */
export function secretProblem(secret: string): string | undefined {
	if (secret.trim() === '') return 'is empty';
	if (secret.trim() !== secret) return 'starts or ends with a space, which is easy to lose when it is copied into Azure';
	if (secret.length < MIN_SECRET_LENGTH) return `has ${secret.length} characters; use at least ${MIN_SECRET_LENGTH} (e.g. a random password)`;
	if (!/^[A-Za-z0-9._~-]+$/.test(secret)) {
		return 'has characters other than letters, digits and - . _ ~; others would need encoding in the endpoint URL';
	}
	return undefined;
}
