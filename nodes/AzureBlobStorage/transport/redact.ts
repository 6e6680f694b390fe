/**
 * Removes secrets from any text that may reach a user, an output item or a log: account keys,
 * SAS signatures, bearer tokens, client secrets. Known secret values are replaced verbatim; the
 * patterns catch secrets that arrive embedded in URLs or connection strings.
 */
const PATTERNS: Array<[RegExp, string]> = [
	[/([?&]sig=)[^&\s"'<>]+/gi, '$1***'],
	[/(AccountKey=)[^;\s"']+/gi, '$1***'],
	[/(SharedAccessSignature=)[^;\s"']+/gi, '$1***'],
	[/(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g, '$1***'],
	[/(SharedKey\s+[^:\s]+:)[A-Za-z0-9+/=]+/g, '$1***'],
	[/("?(?:access_token|refresh_token|id_token|client_secret)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, '$1***'],
];

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
	let result = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 6) result = result.split(secret).join('***');
	}
	for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
	return result;
}
