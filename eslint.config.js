import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Every src/ folder a format may not import, at each depth a format's files sit. */
const outsideFormats = ['db', 'drivers', 'http', 'web', 'config', 'jobs', 'host', 'cli', 'main.js']
  .flatMap((folder) => ['../', '../../', '../../../'].map((up) => (folder.endsWith('.js') ? `${up}${folder}` : `${up}${folder}/**`)));

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
  {
    // A format reaches Kura only through FormatContext: core's services (src/core), the shared
    // download/URL plumbing (src/delivery) and its own folder. Never the database schema, the
    // HTTP app, the web pages, config or jobs, and never another format.
    files: ['src/formats/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: outsideFormats, message: 'a format reaches Kura only through FormatContext (src/core) and src/delivery' },
          { group: ['../npm/**', '../maven/**', '../oci/**', '../*/index.js', '../../npm/**', '../../maven/**', '../../oci/**'], message: 'a format never imports another format' },
        ],
      }],
    },
  },
  {
    // Core and the shared plumbing know nothing of formats, HTTP routes or pages.
    files: ['src/delivery/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/formats/**', '**/http/**', '**/web/**', '**/db/**', '**/drivers/**'], message: 'src/delivery depends on core only' }],
      }],
    },
  },
  {
    // The web pages use core, the format catalog and the shared plumbing; the HTTP app mounts them, never the reverse.
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/http/**', '**/db/**', '**/drivers/**'], message: 'web depends on core, formats and delivery, never on http' }],
      }],
    },
  },
);
