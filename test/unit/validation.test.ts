import {
	blobNameProblem,
	containerNameProblem,
	headerValueProblem,
	metadataKeyProblem,
	metadataProblem,
	tagsProblem,
} from '../../nodes/AzureBlobStorage/helpers/validation';

describe('container names', () => {
	it.each(['abc', 'my-container', 'a1-b2-c3', 'x'.repeat(63), '$root', '$logs', '$web'])('accepts %s', (name) => {
		expect(containerNameProblem(name)).toBeUndefined();
	});

	it.each([
		['', 'is empty'],
		['ab', 'has 2 characters'],
		['x'.repeat(64), 'has 64 characters'],
		['MyContainer', 'upper-case'],
		['my--container', 'single hyphens'],
		['-leading', 'single hyphens'],
		['trailing-', 'single hyphens'],
		['under_score', 'single hyphens'],
		['dots.not.allowed', 'single hyphens'],
	])('rejects %j and says why (%s)', (name, why) => {
		expect(containerNameProblem(name)).toContain(why);
	});
});

describe('blob names', () => {
	it('accepts names with folders, spaces and unicode up to 1024 characters', () => {
		expect(blobNameProblem('reports/2024/jan report ü.csv')).toBeUndefined();
		expect(blobNameProblem('a'.repeat(1024))).toBeUndefined();
	});

	it('rejects empty names, names over 1024 characters and names Azure would silently rename', () => {
		expect(blobNameProblem('')).toBe('is empty');
		expect(blobNameProblem('a'.repeat(1025))).toContain('1025 characters');
		expect(blobNameProblem('folder/')).toContain('ends with "/"');
		expect(blobNameProblem('name.')).toContain('ends with "."');
	});
});

describe('metadata and tags', () => {
	it('accepts C#-identifier metadata names and rejects others', () => {
		expect(metadataKeyProblem('invoice_id')).toBeUndefined();
		expect(metadataKeyProblem('_x1')).toBeUndefined();
		expect(metadataKeyProblem('1abc')).toContain('not a valid metadata name');
		expect(metadataKeyProblem('with-dash')).toContain('not a valid metadata name');
	});

	it('limits tags to 10 with bounded key and value lengths', () => {
		const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
		expect(tagsProblem(eleven)).toContain('at most 10');
		expect(tagsProblem({ ['k'.repeat(129)]: 'v' })).toContain('1 to 128');
		expect(tagsProblem({ k: 'v'.repeat(257) })).toContain('longer than 256');
		expect(tagsProblem({ project: 'x', stage: 'prod' })).toBeUndefined();
	});
});

describe('blob names that would reach another blob are refused, never rewritten', () => {
	it.each([
		['../other-container/x', '".." path segment'],
		['a/../b', '".." path segment'],
		['./a', '"." or ".."'],
		['a/./b', '"." or ".."'],
		['..', '"." or ".."'],
		['a\\b', 'backslash'],
		[' a', 'starts or ends with a space'],
		['a ', 'starts or ends with a space'],
		['a\n', 'starts or ends with a space'],
		['a\tb', 'control character (U+0009)'],
		['a\u0000b', 'control character (U+0000)'],
		['a\u007fb', 'control character (U+007F)'],
		['/a', 'starts with "/"'],
		['a//b', 'empty path segment'],
		['dir./file', 'path segment ending with "."'],
		['bad\ud800name', 'broken Unicode'],
		[Array.from({ length: 255 }, () => 'a').join('/'), '255 path segments'],
	])('%j: %s', (name, why) => {
		expect(blobNameProblem(name)).toContain(why);
	});

	it.each([
		'report 2024 final.pdf',
		'#hash?query%percent&amp+plus=eq;semi@at',
		'quotes \'single\' "double" <angle> *star* |pipe| :colon: ~tilde~ !bang! $dollar, [brackets] {braces} ^caret^ `tick`',
		'ünïcödé/日本語/😀 emoji/e\u0301 combining/עברית',
		'.hidden',
		'a..b',
		'x.y/z.w',
		'...x',
		'%2e%2e',
	])('accepts %j', (name) => {
		expect(blobNameProblem(name)).toBeUndefined();
	});
});

describe('header-bound values', () => {
	it('refuses line breaks, control characters, non-ASCII and surrounding spaces, saying which', () => {
		expect(headerValueProblem('a\r\nb')).toContain('a line break');
		expect(headerValueProblem('a\u0001')).toContain('control character (U+0001)');
		expect(headerValueProblem('café')).toContain('"é" (U+00E9)');
		expect(headerValueProblem('café')).toContain('encodeURIComponent');
		expect(headerValueProblem(' x')).toContain('starts or ends with a space');
		expect(headerValueProblem('text/csv; charset=utf-8')).toBeUndefined();
	});

	it('refuses metadata names that differ only by case, bad values and oversize metadata', () => {
		expect(metadataProblem({ Invoice: '1', invoice: '2' })).toContain('"Invoice" and "invoice" differ only by case');
		expect(metadataProblem({ note: 'line1\nline2' })).toContain('"note" has a line break');
		expect(metadataProblem({ name: 'Zoë' })).toContain('"name" has the character "ë"');
		expect(metadataProblem({ big: 'x'.repeat(9000) })).toContain('at most 8192 bytes');
		expect(metadataProblem({ 'bad-name': 'x' })).toContain('not a valid metadata name');
		expect(metadataProblem({ project: 'alpha', stage_2: 'prod ready' })).toBeUndefined();
	});

	it('names the tag and the allowed characters for a forbidden tag character', () => {
		expect(tagsProblem({ 'team!': 'x' })).toMatch(/tag name "team!" .* use letters, digits, spaces and \+ - \. \/ : = _/);
		expect(tagsProblem({ team: 'a&b' })).toMatch(/tag "team" has the value "a&b"/);
		expect(tagsProblem({ 'a b+c-d.e/f:g=h_i': 'A Z 0 9 + - . / : = _' })).toBeUndefined();
	});
});
