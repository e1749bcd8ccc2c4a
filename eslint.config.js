// Lint is part of `npm test`; keep rules that catch bugs, not taste.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layersRule } from './eslint-rules/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', '.hmas/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Which folder may import which (src/README.md); tests next to the code may reach further.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.ts'],
    plugins: { hmas: { rules: { layers: layersRule } } },
    rules: { 'hmas/layers': 'error' },
  },
  {
    // Only the config module reads the environment.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/main/**', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/config.' }],
    },
  },
);
