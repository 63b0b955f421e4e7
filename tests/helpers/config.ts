/**
 * The config tests load: a frozen copy of config/ in tests/fixtures/config, so that tuning the
 * shipped config/ does not change test outcomes. Only tests of the shipped files themselves read
 * config/ (LIVE_CONFIG_DIR).
 */
import { join } from 'node:path';
import { loadConfig, type PnloptConfig } from '../../src/config/load.js';

export const TEST_CONFIG_DIR = join(import.meta.dirname, '..', 'fixtures', 'config');
/** The shipped config/, for the few tests that check it. */
export const LIVE_CONFIG_DIR = join(import.meta.dirname, '..', '..', 'config');

/** The frozen test config, loaded and validated as `pnlopt --config-dir tests/fixtures/config` would. */
export function testConfig(): PnloptConfig {
  return loadConfig({ dir: TEST_CONFIG_DIR });
}
