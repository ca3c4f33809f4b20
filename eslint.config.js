// ESLint (flat config). Its main job is the import-boundary rule that encodes the architecture
// (docs/architecture.md): every folder of src/ is a layer, and a layer may import only the layers
// listed before it. The list is the one place the flow is written down; the docs table is
// checked against it by __tests__/architecture.test.ts.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';
import { LAYERS, forbiddenZones } from './scripts/layers.mjs';

const SRC = ['src/**/*.ts'];

/** Each native dependency sits behind one module (docs/architecture.md). */
const NATIVE = {
  'onnxruntime-node': 'onnxruntime-node is used only in src/inference/.',
  sharp: 'sharp is used only in src/preprocess/sharp-path.ts.',
  'node:child_process': 'git runs only through src/git/ (createGit).',
  child_process: 'git runs only through src/git/ (createGit).',
};
const nativeModulesExcept = (...allowed) => [
  'error',
  {
    paths: Object.entries(NATIVE)
      .filter(([name]) => !allowed.includes(name))
      .map(([name, message]) => ({ name, message })),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '__outputs__/**', 'src/quantize/onnx-pb.js', 'src/quantize/onnx-pb.d.ts', 'examples/**', '__tests__/fixtures/**'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      // no-cycle reads the imported files too, so it needs to know how to parse them.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-unresolved': ['error', { ignore: ['^node:'] }],
      // No file imports itself through a chain of others (the layers already rule out folder cycles).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // `any` appears where a value's type is checked at run time (parsed JSON, the task registry).
      '@typescript-eslint/no-explicit-any': 'off',
      // Comma sequences (`correct++, perClass[k]++`) are written on purpose in the hot loops.
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: SRC,
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: forbiddenZones(LAYERS) }],
      'no-restricted-imports': nativeModulesExcept(),
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config/ reads the environment; take what you need from the Config or the ActionContext.' },
        { object: 'core', property: 'getInput', message: "Only src/config/action.ts reads the Action's inputs." },
      ],
    },
  },
  { files: ['src/inference/**/*.ts'], rules: { 'no-restricted-imports': nativeModulesExcept('onnxruntime-node') } },
  { files: ['src/preprocess/sharp-path.ts'], rules: { 'no-restricted-imports': nativeModulesExcept('sharp') } },
  // nvidia-smi (the runner's GPU, for the report and the history record) is the one other program model-gate runs.
  { files: ['src/git/index.ts', 'src/inference/gpu.ts'], rules: { 'no-restricted-imports': nativeModulesExcept('node:child_process', 'child_process') } },
  { files: ['src/config/**/*.ts'], rules: { 'no-restricted-properties': 'off' } },
);
