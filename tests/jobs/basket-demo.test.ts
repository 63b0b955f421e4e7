/**
 * The demo's portfolio-construction section (src/jobs/basket-demo.ts) on the test config's demo
 * basket (loadings 0.9, 0.9, 0): the penalty shrinks the correlated pair's entries and leaves the
 * independent ticker's about as they were; risk parity gives the independent ticker more than
 * either half of the pair.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { basketDemo, type BasketDemo } from '../../src/jobs/basket-demo.js';
import { testConfig } from '../helpers/config.js';

let demo: BasketDemo;

beforeAll(async () => {
  const base = testConfig();
  const cacheDir = mkdtempSync(join(tmpdir(), 'pnlopt-basket-demo-'));
  demo = await basketDemo({ ...base, runtime: { ...base.runtime, runtime: { ...base.runtime.runtime, cache_dir: cacheDir } } });
}, 120_000);

describe('the demo basket', () => {
  it('has the factor structure of its loadings', () => {
    expect(demo.correlation[0][1]).toBeGreaterThan(0.7);
    expect(Math.abs(demo.correlation[0][2])).toBeLessThan(0.15);
    expect(Math.abs(demo.correlation[1][2])).toBeLessThan(0.15);
  });

  it('the penalty lowers the pair\'s entry weights, much more than the independent ticker\'s', () => {
    const [plain, penalised] = demo.variants;
    // The same signals: the same entries, at other sizes.
    expect(penalised.entries).toEqual(plain.entries);
    // Over the pair's entries (about half of them made beside the other half of the pair).
    const pair = (v: typeof plain) => (v.meanEntryWeight[0] * v.entries[0] + v.meanEntryWeight[1] * v.entries[1]) / (v.entries[0] + v.entries[1]);
    expect(pair(penalised)).toBeLessThan(0.9 * pair(plain));
    expect(penalised.meanEntryWeight[2] / plain.meanEntryWeight[2]).toBeGreaterThan(0.95);
  });

  it('risk parity gives the independent ticker more weight than either half of the pair', () => {
    const rp = demo.variants[2];
    expect(rp.meanEntryWeight[2]).toBeGreaterThan(rp.meanEntryWeight[0]);
    expect(rp.meanEntryWeight[2]).toBeGreaterThan(rp.meanEntryWeight[1]);
  });
});
