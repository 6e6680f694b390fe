/**
 * Removes secrets from any text that may reach a user, an output item or a log: account keys,
 * SAS signatures, bearer tokens, client secrets. Known secret values are replaced verbatim; the
 * patterns catch secrets that arrive embedded in URLs or connection strings.
 */
const PATTERNS: Array<[RegExp, string]> = [
	// A SAS signature anywhere: in a URL, or a token pasted on its own ("sig=..." first).
	[/(\bsig=)[A-Za-z0-9%+/=_-]+/gi, '$1***'],
	[/(\bsig%3D)[A-Za-z0-9%+/_-]+/gi, '$1***'],
	// Anything shaped like a storage account key (64 bytes in base64), wherever it was typed.
	[/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==/g, '***'],
	// JSON Web Tokens (Entra ID access and id tokens).
	[/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '***'],
	// Entra ID client secrets ("abc8Q~...").
	[/(?<![A-Za-z0-9_.~-])[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_.~-]{31,37}/g, '***'],
	[/(AccountKey=)[^;\s"']+/gi, '$1***'],
	[/(SharedAccessSignature=)[^;\s"']+/gi, '$1***'],
	[/(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g, '$1***'],
	[/(SharedKey\s+[^:\s]+:)[A-Za-z0-9+/=]+/g, '$1***'],
	[/("?(?:access_token|refresh_token|id_token|client_secret)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, '$1***'],
];

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
	let result = text;
	for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
		if (secret && secret.length >= 6) result = result.split(secret).join('***');
	}
	for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
	return result;
}
