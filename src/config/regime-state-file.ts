/**
 * `regime_state.yml` (path: `paper_trading_config.yml` regime_state.path): per ticker, the regime
 * state `pnlopt update-regime-state` classified from its last realized trades
 * (src/jobs/regime-state.ts), and the risk multiplier the paper engine sizes that ticker's trades
 * with (the seed's "Regime-Aware Exploration vs Exploitation"). The file is generated, but it is
 * validated like every config file when read: a malformed one is a located `ConfigError`.
 *
 * ```yaml
 * regime_state:
 *   AAPL: { n_trades: 12, sharpe_N: 0.85, mode: exploitation, state: green }
 * ```
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../paths.js';
import { loadYamlFile } from './load.js';
import { REGIME_MODES, REGIME_STATES, type PaperConfig } from './paper.js';
import { int, showValue } from './schema-helpers.js';

/** One ticker's state. */
export const RegimeTickerState = z
  .strictObject({
    /** Realized trades in the window (at most regime_state.window_trades). */
    n_trades: int(0, Infinity),
    /** mean / (sample std + epsilon) of their realized pnl; null when undefined (fewer than 2 trades). */
    sharpe_N: z.number({ error: (iss) => `expected a finite number or null, got ${showValue(iss.input)}` }).nullable(),
    mode: z.enum(REGIME_MODES),
    state: z.enum(REGIME_STATES),
  })
  .refine((s) => s.n_trades >= 2 || s.sharpe_N === null, { message: 'expected null with fewer than 2 trades (no sample std)', path: ['sharpe_N'] })
  .refine((s) => s.mode === 'exploitation' || s.state === 'neutral', { message: 'expected neutral in exploration mode', path: ['state'] });
export type RegimeTickerState = z.infer<typeof RegimeTickerState>;

/**
 * The tickers' mapping as a Map: ticker names are user text, and a plain object (zod's record
 * included, which drops `__proto__`) would lose or misread names such as `__proto__` or `constructor`.
 */
const TickerStates = z.unknown().transform((v, ctx): Map<string, RegimeTickerState> => {
  const out = new Map<string, RegimeTickerState>();
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `expected a mapping of ticker -> state ({} for none), got ${showValue(v)}` });
    return out;
  }
  for (const [ticker, raw] of Object.entries(v)) {
    const parsed = RegimeTickerState.safeParse(raw);
    if (parsed.success) out.set(ticker, parsed.data);
    else for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: [ticker, ...i.path] });
  }
  return out;
});

export const RegimeStateFile = z.strictObject({ regime_state: TickerStates });
export type RegimeStateFile = z.infer<typeof RegimeStateFile>;

type RegimeStateSettings = PaperConfig['regime_state'];

/** Where the regime state is written and read: regime_state.path, relative to the project root unless absolute. */
export function regimeStatePath(rs: RegimeStateSettings): string {
  return isAbsolute(rs.path) ? rs.path : join(projectRoot(), rs.path);
}

/** The regime state at `path`, or null when there is no such file; a malformed file is a `ConfigError` (`file: ticker.key: message`). */
export function loadRegimeState(path: string): RegimeStateFile | null {
  return existsSync(path) ? loadYamlFile(path, RegimeStateFile) : null;
}

/** The multiplier of a ticker's per-trade capital at risk, and the mode and state it comes from (null: no state). */
export interface RiskMultiplier {
  readonly multiplier: number;
  readonly mode: RegimeTickerState['mode'] | null;
  readonly state: RegimeTickerState['state'] | null;
}

/**
 * The seed's `_get_regime_risk_multiplier`: exploration scales the cap by multipliers.exploration,
 * exploitation by the multiplier of its state; no state file, or a ticker it does not list, keeps
 * the plain cap (1). The guardrail capital_at_risk_per_trade still caps the scaled value (the sizer's job).
 */
export function riskMultiplier(rs: RegimeStateSettings, file: RegimeStateFile | null, ticker: string): RiskMultiplier {
  const s = file?.regime_state.get(ticker);
  if (s === undefined) return { multiplier: 1, mode: null, state: null };
  return { multiplier: s.mode === 'exploration' ? rs.multipliers.exploration : rs.multipliers[s.state], mode: s.mode, state: s.state };
}
