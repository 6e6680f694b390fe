/** The polling trigger's "File Name Filter": globs and suffixes. */
import { compileNameFilter } from '../../nodes/AzureBlobStorage/trigger/nameFilter';

function matching(filter: string, names: string[]): string[] {
	const matches = compileNameFilter(filter);
	return names.filter((name) => matches(name));
}

const NAMES = ['a.csv', 'in/b.CSV', 'in/deep/c.csv', 'in/d.xlsx', 'report-01.pdf', 'report-1.pdf', 'notes.csv.bak', 'in/e[1].txt'];

describe('file name filter', () => {
	it('an empty filter matches every name', () => {
		expect(matching('', NAMES)).toEqual(NAMES);
		expect(matching(' , ', NAMES)).toEqual(NAMES);
	});

	it('a glob without "/" matches the file name in any folder, ignoring case', () => {
		expect(matching('*.csv', NAMES)).toEqual(['a.csv', 'in/b.CSV', 'in/deep/c.csv']);
		expect(matching('report-??.pdf', NAMES)).toEqual(['report-01.pdf']);
		expect(matching('[ab].csv', NAMES)).toEqual(['a.csv', 'in/b.CSV']);
		expect(matching('[!a]*.csv', NAMES)).toEqual(['in/b.CSV', 'in/deep/c.csv']);
	});

	it('text without wildcards matches the end of the name', () => {
		expect(matching('.csv', NAMES)).toEqual(['a.csv', 'in/b.CSV', 'in/deep/c.csv']);
		expect(matching('.bak', NAMES)).toEqual(['notes.csv.bak']);
	});

	it('a glob with "/" matches the whole name: * stays in one folder, ** crosses folders', () => {
		expect(matching('in/*.csv', NAMES)).toEqual(['in/b.CSV']);
		expect(matching('in/**/*.csv', NAMES)).toEqual(['in/b.CSV', 'in/deep/c.csv']);
		expect(matching('in/**', NAMES)).toEqual(['in/b.CSV', 'in/deep/c.csv', 'in/d.xlsx', 'in/e[1].txt']);
	});

	it('several patterns separated by commas match any of them', () => {
		expect(matching('*.xlsx, *.pdf', NAMES)).toEqual(['in/d.xlsx', 'report-01.pdf', 'report-1.pdf']);
	});

	it('regular-expression characters are taken literally and an unclosed [ is a character', () => {
		expect(matching('e[1].txt', NAMES)).toEqual([]);
		expect(matching('*[1*', ['x[1y', 'x1y'])).toEqual(['x[1y']);
		expect(matching('a.c(s)v', ['a.c(s)v', 'abcsv'])).toEqual(['a.c(s)v']);
		expect(matching('*.c+v', ['x.c+v', 'x.ccv'])).toEqual(['x.c+v']);
	});
});
