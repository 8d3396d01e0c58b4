import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-node/**', 'node_modules/**', 'public/**', 'out/**', 'runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['react', 'react-dom', 'recharts', 'comlink', 'node:*', 'fs', 'path'], message: 'The engine is pure TypeScript over tfjs: no UI, worker or Node APIs.' },
        { group: ['../../ui/*', '../ui/*', '../../workers/*', '../workers/*', '../../cli/*', '../cli/*'], message: 'The engine must not depend on ui/, workers/ or cli/.' },
      ] }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='dataSync']", message: 'Use await tensor.data(); dataSync() blocks the GPU pipeline.' }],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['@tensorflow/*', 'react', 'react-dom', 'recharts', 'comlink', 'node:*', 'fs', 'path'], message: 'The protocol is plain data, defaults and zod schemas: no tfjs, UI, worker or Node APIs.' },
        { group: ['../engine/*', '../../engine/*', '../ui/*', '../../ui/*', '../workers/*', '../../workers/*', '../cli/*', '../../cli/*'], message: 'The protocol depends on no layer: every layer depends on it.' },
      ] }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [
        { group: ['@tensorflow/*'], message: 'The UI never imports tfjs: talk to the engine through the worker.' },
      ] }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.mjs', 'tests/browser/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
  },
);
