// ESLint flat config: typescript-eslint's and eslint-plugin-vue's recommended rules (not the type-aware sets:
// those need a full type-check per lint run, minutes on a small machine, and `npm run typecheck` already does that),
// plus the layering of docs/ARCHITECTURE.md#layers as import rules, one block per folder (as VS Code and
// GitHub Desktop do). `npm run lint` runs with --max-warnings 0.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';
import globals from 'globals';

const NODE_BUILTINS = ['assert', 'buffer', 'child_process', 'crypto', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https', 'module', 'net', 'os', 'path', 'process', 'stream', 'timers', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib'];

const electron = { group: ['electron', 'electron/*'], message: 'Only src/main/app and src/preload talk to Electron (docs/ARCHITECTURE.md#layers).' };
const vueWorld = { group: ['vue', 'vue-*', '@vue/*', 'pinia', 'naive-ui', '**/renderer/**'], message: 'The engine and src/shared never import the renderer or Vue (docs/ARCHITECTURE.md#layers).' };
const SHARED_MESSAGE = 'src/shared runs in the engine and the browser alike: no Node built-ins, native packages or engine code (docs/ARCHITECTURE.md#layers).';
const nodeOnly = { group: ['node:*', 'sharp', 'ws', '@tensorflow/*', 'onnxruntime-node', '**/main/**', '**/preload/**'], message: SHARED_MESSAGE };
/** Bare built-in names ('fs', 'path') as exact module names: as patterns they would also match '../events'. */
const builtins = (message) => NODE_BUILTINS.map((name) => ({ name, message }));
const RENDERER_MESSAGE = 'The renderer reaches the engine only through the API client in src/renderer/src/api (docs/ARCHITECTURE.md#layers).';
const rendererBounds = { group: ['node:*', '**/main/**', '**/preload/index'], message: RENDERER_MESSAGE };
const apiClient = {
  group: ['**/api/bridge', '**/api/ws-client'],
  message: 'Views and components reach the engine through a Pinia store (src/renderer/src/stores), not the API client (docs/ARCHITECTURE.md#layers).',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'native/**/build/**', 'coverage/**', 'test-results/**', 'playwright-report/**', '.lab-home/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    // Vue 3 has no filters: without this, a `|` in a template expression (a union type) is read as one.
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module', extraFileExtensions: ['.vue'], vueFeatures: { filter: false } } },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.es2021 } },
    rules: {
      // TypeScript already checks names; the core rule does not know type-only globals.
      'no-undef': 'off',
      // `ok || fail()` and `c ? a() : b()` as statements are idioms here; a bare comma sequence is still reported.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
      // Layout is the formatter's business, not the linter's.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      'vue/attributes-order': 'off',
    },
  },
  // Node-side files: the engine, the shells, tests, scripts, benchmarks, configs.
  { files: ['src/main/**', 'src/preload/**', 'bench/**', 'scripts/**', 'bin/**', 'e2e/**', '*.config.*', '**/*.test.ts'], languageOptions: { globals: { ...globals.node } } },
  { files: ['src/renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  // CommonJS hooks (electron-builder's afterPack) load modules with require.
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Layers.
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: builtins(SHARED_MESSAGE), patterns: [electron, vueWorld, nodeOnly] }],
      'no-restricted-globals': ['error', ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location', 'process', 'Buffer', 'require', '__dirname'].map((name) => ({ name, message: 'src/shared runs in the engine and the browser alike: take it as a parameter instead.' }))],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/app/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [electron, vueWorld] }] },
  },
  { files: ['src/main/app/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [vueWorld] }] } },
  {
    files: ['src/renderer/**'],
    rules: { 'no-restricted-imports': ['error', { paths: builtins(RENDERER_MESSAGE), patterns: [electron, rendererBounds] }] },
  },
  // Renderer tests run under Node and may start servers or read files.
  { files: ['src/renderer/**/*.test.ts'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['src/renderer/src/views/**', 'src/renderer/src/components/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: builtins(RENDERER_MESSAGE), patterns: [electron, rendererBounds, apiClient] }],
    },
  },
);
