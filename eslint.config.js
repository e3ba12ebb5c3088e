import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/**/node_modules/**', 'bench/results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'fastify', message: 'core/ knows no HTTP framework' },
          { name: 'node:fs', message: 'core/ does no file I/O; use the BlobStore port' },
          { name: 'node:fs/promises', message: 'core/ does no file I/O; use the BlobStore port' },
          { name: 'better-sqlite3', message: 'core/ knows no SQL dialect' },
          { name: 'pg', message: 'core/ knows no SQL dialect' },
        ],
        patterns: [{ group: ['**/formats/**', '**/http/**', '**/drivers/**'], message: 'core/ does not depend on formats, HTTP or drivers' }],
      }],
    },
  },
);
