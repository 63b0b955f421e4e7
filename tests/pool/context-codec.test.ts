import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { paramLayout } from '../../src/config/param-layout.js';
import { sha256 } from '../../src/hashing.js';
import { decodeInputs, encodeInputs } from '../../src/pool/context-codec.js';
import { buildContext } from '../../src/jobs/context.js';
import { loadMarketData } from '../../src/data/load.js';
import { alignPanel } from '../../src/data/panel.js';
import { decodePoints } from '../../src/search/encoding.js';
import { createEvaluator } from '../../src/simulation/evaluator.js';
import { createRng } from '../../src/rng.js';
import { testConfig } from '../helpers/config.js';
import type { SimulationContext } from '../../src/simulation/context.js';
import type { ParamLayout } from '../../src/config/param-layout.js';

/** Blobs served from the encoder's map, as Redis would. */
const served = (blobs: ReadonlyMap<string, Uint8Array>) => (hash: string) => Promise.resolve(blobs.get(hash)!);

describe('encodeInputs / decodeInputs', () => {
  it('a family context comes back equal, in shared memory, and evaluates to the same metrics bit for bit', async () => {
    const cfg = testConfig();
    const data = loadMarketData(cfg.runtime.runtime.default_data.map((f) => new URL(`../../${f}`, import.meta.url).pathname));
    const panel = alignPanel(data);
    const layout = paramLayout(cfg, 'sma_cross', panel.tickers);
    const ctx = await buildContext(cfg, layout, panel, data.hash, { start: 0, end: panel.T });
    const enc = encodeInputs({ layout, ctx });
    // One blob per group present (sma_cross has no forecast columns), each named by its hash.
    expect([...enc.blobs.keys()].sort()).toEqual([...enc.blobs.values()].map((b) => sha256(b)).sort());
    expect(enc.blobs.size).toBe(2);
    const back = await decodeInputs(enc.spec, served(enc.blobs));
    expect(back.layout).toEqual(layout);
    expect(back.ctx).toEqual(ctx);
    expect(back.ctx.panel.close.buffer).toBeInstanceOf(SharedArrayBuffer);
    const n = 50;
    const d = layout.params.length;
    const rand = createRng(5, 'codec-test');
    const X = new Float64Array(n * d);
    decodePoints(layout, Float64Array.from({ length: n * d }, () => rand()), n, X);
    const [F1, F2] = [new Float64Array(n * METRIC_COUNT), new Float64Array(n * METRIC_COUNT)];
    createEvaluator(layout, ctx).evaluate(X, n, F1);
    createEvaluator(back.layout, back.ctx).evaluate(X, n, F2);
    expect(Buffer.from(F2.buffer).equals(Buffer.from(F1.buffer))).toBe(true);
    // Same inputs, same spec hash; a changed value, another.
    expect(encodeInputs({ layout, ctx }).hash).toBe(enc.hash);
    expect(encodeInputs({ layout, ctx: { ...ctx, settings: { ...ctx.settings, fee: ctx.settings.fee * 2 } } }).hash).not.toBe(enc.hash);
  });

  it('round-trips typed arrays (any offset), maps, NaN, infinities and -0', async () => {
    const value = fc.record({
      a: fc.float64Array({ maxLength: 9 }),
      b: fc.int32Array({ maxLength: 5 }),
      n: fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0)),
      m: fc.array(fc.tuple(fc.string(), fc.integer()), { maxLength: 4 }).map((e) => new Map(e)),
      skip: fc.nat(3),
    });
    await fc.assert(
      fc.asyncProperty(value, async ({ a, b, n, m, skip }) => {
        const sub = a.subarray(Math.min(skip, a.length));
        const ctx = { panel: { close: sub, n }, derived: { b, m }, forecasts: null } as unknown as SimulationContext;
        const layout = { family: 'x', column: m } as unknown as ParamLayout;
        const enc = encodeInputs({ layout, ctx });
        const back = await decodeInputs(enc.spec, served(enc.blobs));
        expect(back).toEqual({ layout, ctx });
        expect(Object.is((back.ctx.panel as unknown as { n: number }).n, n)).toBe(true);
      }),
    );
  });

  it('refuses a blob of the wrong length', async () => {
    const enc = encodeInputs({ layout: { family: 'x' } as unknown as ParamLayout, ctx: { panel: { close: new Float64Array([1, 2]) } } as unknown as SimulationContext });
    await expect(decodeInputs(enc.spec, () => Promise.resolve(new Uint8Array(8)))).rejects.toThrow(/holds 8 bytes, the spec says 16/);
  });
});
