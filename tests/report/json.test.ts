/** The JSON output convention (docs/metrics.md, "JSON output"): numbers, "inf" / "-inf", null. */
import { describe, expect, it } from 'vitest';
import { jsonNumbers, numberFromJson } from '../../src/report/json.js';

const write = (v: unknown) => JSON.stringify(v, jsonNumbers);

describe('jsonNumbers', () => {
  it('keeps finite numbers as numbers, bit for bit', () => {
    for (const v of [0, -0.5, 1, 0.1 + 0.2, 1e-300, -1.7976931348623157e308, 5e-324, 12345678901234567890]) {
      expect(JSON.parse(write({ v })) as { v: number }).toEqual({ v });
    }
    expect(write(-0)).toBe('0');
  });

  it('writes +Infinity as "inf", -Infinity as "-inf", NaN and undefined as null', () => {
    expect(write({ pf: Infinity, lo: -Infinity, wr: NaN, gone: undefined, n: 3 })).toBe('{"pf":"inf","lo":"-inf","wr":null,"gone":null,"n":3}');
    expect(write([Infinity, -Infinity, NaN, undefined, 1.5])).toBe('["inf","-inf",null,null,1.5]');
    expect(write(Infinity)).toBe('"inf"');
    expect(write(NaN)).toBe('null');
    expect(write(undefined)).toBe('null');
  });

  it('distinguishes no losing trade (profit_factor +Infinity) from no trade (NaN)', () => {
    const noLoss = JSON.parse(write({ profit_factor: Infinity, win_rate: 1 })) as Record<string, unknown>;
    const noTrade = JSON.parse(write({ profit_factor: NaN, win_rate: NaN })) as Record<string, unknown>;
    expect(noLoss.profit_factor).toBe('inf');
    expect(noTrade.profit_factor).toBeNull();
  });

  it('goes through nested objects, arrays and pretty-printing; strings, booleans and null are untouched', () => {
    const value = { a: { b: [1, { c: -Infinity }] }, s: 'inf', t: true, z: null, typed: Array.from(Float64Array.of(NaN, 2)) };
    expect(JSON.parse(JSON.stringify(value, jsonNumbers, 2))).toEqual({ a: { b: [1, { c: '-inf' }] }, s: 'inf', t: true, z: null, typed: [null, 2] });
  });
});

describe('numberFromJson', () => {
  it('reads back what jsonNumbers writes', () => {
    for (const v of [0, -2.5, 1e-12, Infinity, -Infinity]) expect(numberFromJson(JSON.parse(write(v)))).toBe(v);
    expect(numberFromJson(JSON.parse(write(NaN)))).toBeNaN();
    expect(numberFromJson('something else')).toBeNaN();
  });
});
