/**
 * `--set FILE.key.path=value`: one config key overridden from the command line, without copying
 * the config folder. FILE names a config file by its stem without `_config` (`quant_success`,
 * `runtime`, `strategy_optimization`, ...); the value is parsed as YAML (so `5`, `0.2`, `true`,
 * `[lhs, sobol]` keep their types) and the file is validated with it exactly as if it were
 * written there. Guardrails may be tightened this way, never loosened (`checkTightenOnly`).
 */
import { parse } from 'yaml';
import { UsageError } from '../errors.js';

/** Config files by the stem `--set` names them with. */
export const SET_FILES = {
  strategy_optimization: 'strategy',
  quant_success: 'quantSuccess',
  signal_routing: 'signalRouting',
  regime: 'regime',
  hyperopt: 'hyperopt',
  runtime: 'runtime',
  synthetic_data: 'synthetic',
  paper_trading: 'paper',
} as const;

export type ConfigRole = (typeof SET_FILES)[keyof typeof SET_FILES];

export interface ConfigOverride {
  /** The option as given, for messages. */
  readonly text: string;
  readonly role: ConfigRole;
  /** Key path inside the file. */
  readonly path: readonly string[];
  readonly value: unknown;
}

/** Parse `--set` values; a malformed one is a `UsageError` naming it. */
export function parseOverrides(sets: readonly string[]): ConfigOverride[] {
  return sets.map((text) => {
    const eq = text.indexOf('=');
    const key = eq > 0 ? text.slice(0, eq).trim() : '';
    const parts = key.split('.');
    const stem = parts[0] ?? '';
    const role = (SET_FILES as Record<string, ConfigRole | undefined>)[stem];
    if (eq <= 0 || parts.length < 2 || parts.some((p) => p === '')) {
      throw new UsageError(`--set ${text}: expected FILE.key.path=value, e.g. quant_success.guardrails.max_drawdown=0.2`);
    }
    if (role === undefined) throw new UsageError(`--set ${text}: unknown config file "${stem}"; known: ${Object.keys(SET_FILES).join(', ')}`);
    let value: unknown;
    try {
      value = parse(text.slice(eq + 1));
    } catch (err) {
      throw new UsageError(`--set ${text}: the value is not valid YAML (${err instanceof Error ? err.message : String(err)})`);
    }
    return { text, role, path: parts.slice(1), value };
  });
}

/**
 * A guardrail value and which way is stricter: `min` keys (and the confidence threshold, and a
 * required hold-out) get stricter upwards, `max` keys and the capital at risk downwards.
 */
export interface GuardrailValue {
  readonly key: string;
  readonly value: number | boolean;
  /** `fixed`: no direction is known for the key, so any change is refused. */
  readonly stricter: 'higher' | 'lower' | 'fixed';
}

/** Which way a guardrail key gets stricter: by its `min_` / `max_` prefix, else from this table. */
const STRICTER: Readonly<Record<string, 'higher' | 'lower'>> = {
  confidence_threshold: 'higher',
  capital_at_risk_per_trade: 'lower',
  // A larger adverse move or horizon charges stop-less positions more (`no_stop_vol_lookback`
  // has no stricter side: fixed).
  no_stop_adverse_move_sd: 'higher',
  no_stop_horizon_bars: 'higher',
  required: 'higher',
};

export function stricterWay(name: string): GuardrailValue['stricter'] {
  if (name.startsWith('min_')) return 'higher';
  if (name.startsWith('max_')) return 'lower';
  return STRICTER[name] ?? 'fixed';
}

/** Refuse any guardrail that `after` holds looser than `before`, naming the `--set` that did it. */
export function checkTightenOnly(before: readonly GuardrailValue[], after: readonly GuardrailValue[], overrides: readonly ConfigOverride[]): void {
  const was = new Map(before.map((g) => [g.key, g]));
  const loosened = after.filter((g) => {
    const b = was.get(g.key);
    if (b === undefined) return false;
    const [x, y] = [Number(b.value), Number(g.value)];
    return g.stricter === 'higher' ? y < x : g.stricter === 'lower' ? y > x : y !== x;
  });
  if (loosened.length === 0) return;
  const by = (key: string) => overrides.find((o) => key.endsWith(o.path.join('.')))?.text ?? key;
  throw new UsageError(
    loosened.map((g) => `--set ${by(g.key)}: would loosen the guardrail ${g.key} from ${String(was.get(g.key)!.value)} to ${String(g.value)}; guardrails may only be tightened`).join('\n'),
  );
}
