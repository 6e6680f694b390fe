/**
 * Blob index tag filter expressions (Find by Tags), checked for the usual mistakes before they
 * are sent, since Azure answers all of them with the same "invalid query parameter" error.
 * Grammar: `"tag" op 'value'` joined by AND; op is =, >, >=, <, <=; `@container = 'name'` is
 * allowed across the account. Up to 10 conditions.
 */

const OPERATORS = ['>=', '<=', '=', '>', '<'];
const TAG_TEXT = /^[A-Za-z0-9 +\-./:=_]*$/;

/** A sentence describing the first mistake in the filter, or undefined when it looks valid. */
export function tagFilterProblem(filter: string, scope: 'account' | 'container'): string | undefined {
	if (filter.trim() === '') return 'is empty';
	let pos = 0;
	let conditions = 0;
	const seen = new Map<string, string[]>();
	let name = '';
	const at = () => `at character ${pos + 1}`;
	const skipSpaces = () => {
		while (pos < filter.length && /\s/.test(filter[pos])) pos++;
	};
	const rest = () => filter.slice(pos, pos + 20);
	for (;;) {
		skipSpaces();
		// The tag name (or @container).
		if (filter.startsWith('@container', pos)) {
			if (scope === 'container') return '@container can only be used when searching across the account; remove it (the container is already chosen)';
			pos += '@container'.length;
			name = '@container';
		} else if (filter[pos] === '"') {
			const end = filter.indexOf('"', pos + 1);
			if (end === -1) return `has a tag name without its closing double quote ${at()}`;
			name = filter.slice(pos + 1, end);
			if (name.length < 1 || name.length > 128) return `has a tag name of ${name.length} characters ${at()}; tag names have 1 to 128`;
			if (!TAG_TEXT.test(name)) return `has the tag name "${name}" with a character tags cannot hold; use letters, digits, spaces and + - . / : = _`;
			pos = end + 1;
		} else if (filter[pos] === "'") {
			return `puts the tag name in single quotes ${at()}; tag names go in double quotes and values in single quotes: "project" = 'alpha'`;
		} else if (pos >= filter.length) {
			return 'ends after AND; add a condition or remove the AND';
		} else {
			return `needs a tag name in double quotes ${at()} (found ${JSON.stringify(rest())}), e.g. "project" = 'alpha'`;
		}
		// The operator.
		skipSpaces();
		if (filter.startsWith('==', pos)) return `uses == ${at()}; write a single =`;
		if (filter.startsWith('!=', pos) || filter.startsWith('<>', pos)) return `uses "not equal" ${at()}, which Azure does not support; use =, >, >=, < or <=`;
		const operator = OPERATORS.find((op) => filter.startsWith(op, pos));
		if (!operator) return `needs an operator (=, >, >=, < or <=) ${at()} (found ${JSON.stringify(rest())})`;
		pos += operator.length;
		// Azure allows one condition per tag, or two that form a range (a lower and an upper bound).
		const ops = [...(seen.get(name) ?? []), operator];
		seen.set(name, ops);
		const isRange = ops.length === 2 && ops.some((op) => op.startsWith('>')) && ops.some((op) => op.startsWith('<'));
		if (ops.length > 1 && !isRange) {
			return `has more than one condition on ${name === '@container' ? '@container' : `the tag "${name}"`}; Azure allows one, or two that form a range (e.g. "stage" >= '2' AND "stage" < '5')`;
		}
		// The value, in single quotes.
		skipSpaces();
		if (filter[pos] === '"') return `puts a value in double quotes ${at()}; values go in single quotes: "project" = 'alpha'`;
		if (filter[pos] !== "'") return `needs a value in single quotes ${at()} (found ${JSON.stringify(rest())}), e.g. 'alpha'`;
		const end = filter.indexOf("'", pos + 1);
		if (end === -1) return `has a value without its closing single quote ${at()}`;
		const value = filter.slice(pos + 1, end);
		if (value.length > 256) return `has a value longer than 256 characters ${at()}`;
		pos = end + 1;
		conditions++;
		if (conditions > 10) return 'has more than 10 conditions; Azure allows at most 10';
		// AND, or the end.
		skipSpaces();
		if (pos >= filter.length) return undefined;
		const word = /^[A-Za-z]+/.exec(filter.slice(pos))?.[0] ?? '';
		if (word.toUpperCase() === 'OR') return `uses OR ${at()}; Azure supports only AND between conditions (run one search per alternative)`;
		if (word.toUpperCase() !== 'AND') return `needs AND between conditions ${at()} (found ${JSON.stringify(rest())})`;
		pos += word.length;
	}
}
