import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist.*/', 'data/', 'coverage/', 'public/vendor/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The intent engine is pure: no I/O, no transport, no database.
    files: ['src/nlu/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:fs', 'node:fs/*', 'fs', 'fs/*', 'fastify', 'fastify/*', '@fastify/*', 'typeorm', 'typeorm/*', 'ws', 'pg', 'ioredis'], message: 'src/nlu is pure: load files and data at the edges.' },
          { group: ['../db/*', '../cache/*', '../http/*', '../ws/*', '../marketplace/*'], message: 'src/nlu must not depend on other layers.' },
        ],
      }],
    },
  },
  {
    files: ['bin/*.js', 'scripts/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The web console: plain ES modules in the browser, and one AudioWorklet module.
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['public/**/*-worklet.js'],
    languageOptions: { globals: { ...globals.audioWorklet } },
  },
);
