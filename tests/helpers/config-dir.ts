/** A throwaway copy of the test config (tests/fixtures/config) with one file edited, for tests of config errors. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { TEST_CONFIG_DIR } from './config.js';

/** The folder `configDirWith` copies by default: the frozen test config, not the shipped config/. */
export const CONFIG_DIR = TEST_CONFIG_DIR;

/**
 * Copy the test config (or another config folder) to a temp folder and apply `edit` to one file's parsed YAML document.
 * @returns the temp folder
 */
export function configDirWith(file: string, edit: (doc: ReturnType<typeof parseDocument>) => void, from: string = CONFIG_DIR): string {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-config-'));
  cpSync(from, dir, { recursive: true });
  const path = join(dir, file);
  const doc = parseDocument(readFileSync(path, 'utf8'));
  edit(doc);
  writeFileSync(path, doc.toString());
  return dir;
}
