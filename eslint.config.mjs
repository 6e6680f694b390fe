// Lint with n8n's own rule sets for community packages: the classic node/credential rules
// (eslint-plugin-n8n-nodes-base) and the newer verification rules (@n8n/eslint-plugin-community-nodes).
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';

const community = communityNodes.configs.recommendedWithoutN8nCloudSupport;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', '*.js', '*.mjs'] },
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'package.json'],
		plugins: { ...community.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...community.rules,
			// This package runs on self-hosted n8n and depends on @azure/storage-blob at runtime by
			// design (streaming block transfers, Shared Key signing, retries); n8n Cloud's
			// no-dependencies rule cannot hold for it.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Conflicts with @n8n/community-nodes/credential-documentation-url, which wants a full URL:
			// a camelCase slug would point community users at a page on docs.n8n.io that does not
			// exist. n8n's own community-node lint config turns this rule off for the same reason.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These two predate NodeConnectionTypes and demand the string literal 'main', which
			// @n8n/community-nodes/node-connection-type-literal forbids; n8n's own lint config for
			// community nodes turns them off in favour of the newer rule.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
];
