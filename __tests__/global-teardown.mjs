// @ts-check
/** Removes what global-setup.mjs built. */
import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const shared = process.env.MODEL_GATE_TEST_SHARED;
  if (shared) await rm(shared, { recursive: true, force: true });
}
