// Folder boundaries are the architecture: the core decides, the shell translates, the
// screens draw. These rules make a wrong-way import a lint error instead of a review note.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Only src/main and src/preload may import Electron.' };

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**', 'src/admin/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron, { name: 'electron-store', message: 'electron-store belongs at the Electron edge.' }],
        patterns: [{ group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'The core depends on nothing outside itself and src/shared.' }],
      }],
    },
  },
  {
    files: ['src/service/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/preview/**'], message: 'The machine service runs without a desktop: it depends on src/core and src/shared only.' }],
      }],
    },
  },
  {
    // The core reports through the Logger it is given (src/core/log.ts), never to a console.
    files: ['src/core/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['node:*', '**/core/**', '**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared is the contract: no Node, no DOM, no other layer.' }],
      }],
    },
  },
  {
    files: ['src/hub/dashboard/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['node:*', '**/core/**', '**/main/**', '**/service/**'], message: 'The dashboard is a web page: it talks to the hub API only.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['node:*', '**/core/**', '**/main/**', '**/preload/**'], message: 'The renderer draws the View it is given; decisions live in src/core.' }],
      }],
    },
  },
);
