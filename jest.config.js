/** Jest runs the TypeScript sources as ES modules (the package is "type": "module"). */
export default {
  // onnxruntime-node checks outputs with instanceof Float32Array; this environment shares the main
  // realm's typed arrays with the tests (see the file).
  testEnvironment: '<rootDir>/__tests__/inference/ort-environment.js',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // Builds what several test files share once per run (dist/, a small eval set, an eval-set cache).
  globalSetup: '<rootDir>/__tests__/global-setup.mjs',
  globalTeardown: '<rootDir>/__tests__/global-teardown.mjs',
  testTimeout: 60000,
  maxWorkers: 2,
};
