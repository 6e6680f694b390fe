/**
 * The "File Name Filter" of the polling trigger: one or more patterns separated by commas, any of
 * which may match (case-insensitive, as people type extensions in either case).
 *
 * - Text without wildcards matches the end of the name: `.csv`, `_final.xlsx`.
 * - A glob without "/" matches the file name (the part after the last "/"): `*.csv`, `report-??.pdf`.
 * - A glob with "/" matches the whole blob name: `in/*\/*.csv` (one folder level), `in/**\/*.csv` (any depth).
 * - `*` is any run of characters within one folder level, `**` any run across levels, `?` one
 *   character, `[abc]` / `[a-z]` / `[!abc]` one character of (or not of) a set.
 */

export type NameFilter = (name: string) => boolean;

const WILDCARD = /[*?[]/;

function escapeRegex(text: string): string {
	return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** A glob as an anchored regular expression source. */
function globSource(glob: string): string {
	let source = '';
	for (let i = 0; i < glob.length; i++) {
		const char = glob[i];
		if (char === '*') {
			if (glob[i + 1] === '*') {
				// "**/" also matches no folder at all ("a/**/b" matches "a/b").
				if (glob[i + 2] === '/') {
					source += '(?:.*/)?';
					i += 2;
				} else {
					source += '.*';
					i += 1;
				}
			} else {
				source += '[^/]*';
			}
		} else if (char === '?') {
			source += '[^/]';
		} else if (char === '[') {
			const end = glob.indexOf(']', i + 2);
			if (end === -1) {
				source += '\\[';
				continue;
			}
			let set = glob.slice(i + 1, end);
			const negated = set.startsWith('!') || set.startsWith('^');
			if (negated) set = set.slice(1);
			source += `[${negated ? '^/' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
			i = end;
		} else {
			source += escapeRegex(char);
		}
	}
	return `^${source}$`;
}

function patternMatcher(pattern: string): NameFilter {
	if (!WILDCARD.test(pattern)) {
		const suffix = pattern.toLowerCase();
		return (name) => name.toLowerCase().endsWith(suffix);
	}
	const regex = new RegExp(globSource(pattern), 'i');
	if (pattern.includes('/')) return (name) => regex.test(name);
	return (name) => regex.test(name.slice(name.lastIndexOf('/') + 1));
}

/** The patterns of a filter text, trimmed, empty ones dropped. */
export function filterPatterns(text: string): string[] {
	return text
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/** A matcher for a filter text; an empty text matches every name. */
export function compileNameFilter(text: string): NameFilter {
	const matchers = filterPatterns(text).map(patternMatcher);
	if (matchers.length === 0) return () => true;
	return (name) => matchers.some((matches) => matches(name));
}
