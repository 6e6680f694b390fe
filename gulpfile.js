// Copies node and credential icons (and codex files) next to the compiled JavaScript,
// because tsc only emits .js and n8n loads icons relative to the compiled node file.
const path = require('path');
const { src, dest, task } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], { encoding: false, base: '.' }).pipe(
		dest(path.resolve('dist')),
	);
}

task('build:icons', copyIcons);
