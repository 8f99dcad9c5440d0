// Lint: typescript-eslint and react-hooks, plus the layer rules that keep the architecture
// (docs/architecture.md) true: arrows point one way, and a wrong import is an error, not a review comment.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Import patterns a layer may not use; each message says why. */
const layer = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const ELECTRON = {
  group: ['electron'],
  allowTypeImports: true,
  message: 'The engine and the service run outside Electron: take what you need as a parameter.',
};
/** The engine, shared/ and the renderer take nothing from Electron, not even its types. */
const ELECTRON_ANY = {
  group: ['electron', 'electron/*'],
  message: 'This layer runs without Electron: take what you need as a parameter.',
};
const SERVICE_UP = {
  regex: '(^|/)(service|transport|cli)/|^\\.\\./(main|preload)$',
  message: 'The engine imports nothing from service, transport, cli or the shell.',
};
const RENDERER = { regex: '(^|/)renderer/', message: 'Only the renderer imports the renderer.' };
const ELECTRON_DIR = {
  regex: '(^|/)electron/',
  message: 'The renderer reaches the engine only through shared/ and its client.',
};
const PROJECT = {
  regex: '^\\.\\./',
  message: 'shared/ imports nothing of the project: it is the contract the others import.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'output/', '.bench-cache/', 'tests/e2e/screenshots/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'off',
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  // Tests spell out literals past float64 precision on purpose: they check that text parses to the same double.
  { files: ['tests/**/*.{ts,tsx}'], rules: { 'no-loss-of-precision': 'off' } },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      ...layer([ELECTRON_ANY, ELECTRON_DIR]),
    },
  },
  { files: ['electron/engine/**/*.ts'], rules: layer([ELECTRON_ANY, SERVICE_UP, RENDERER]) },
  {
    files: ['electron/service/**/*.ts'],
    rules: layer([ELECTRON, RENDERER, { regex: '(^|/)(transport|cli)/', message: 'The service knows no transport.' }]),
  },
  { files: ['electron/transport/**/*.ts', 'electron/cli/**/*.ts', 'electron/bench/**/*.ts'], rules: layer([RENDERER]) },
  { files: ['shared/**/*.ts'], rules: layer([ELECTRON_ANY, PROJECT]) },
);
