/**
 * The paper-trading engine: a family's live strategy (`LiveStrategy`) traded bar by bar on its own
 * book, each ticker under the configuration its router chooses at that close, with a risk
 * multiplier per ticker (the regime state). Per bar t, in the order of the backtest kernel
 * (docs/strategies.md, `ts_ensemble`), so that one configuration for every bar and a multiplier of
 * 1 reproduce the backtest's fills:
 *
 * 1. orders decided at close t-1 fill at the open O_t (a held position closed first, at market);
 * 2. trailing stops, then take-profits, exit intrabar, and block a new entry in that direction
 *    until the signal has been something else;
 * 3. the book is marked at C_t and stops trail;
 * 4. at C_t each ticker's decision, under its route, becomes an order for the next open, sized
 *    under the caps of the book (asset class, gross exposure, capital at risk per trade), then
 *    scaled by the ticker's multiplier and capped again: no multiplier can take a trade past the
 *    guardrail `capital_at_risk_per_trade`.
 *
 * The state is plain data (JSON), so a session resumes where it stopped, exactly.
 */
import { cappedWeight, Decision, DECISION_SIZE } from '../../native-free-kernels/portfolio/decision.js';
import type { Panel } from '../data/types.js';
import type { LiveStrategy } from './families/family.js';

/** The configuration a ticker trades under, and what a fill records of it. */
export interface Route {
  /** Parameter row of the family's layout. */
  readonly row: readonly number[];
  readonly source: 'cache' | 'baseline';
  /** The `strategy_configs` entry, null for the baseline. */
  readonly configId: number | null;
  readonly regime: string;
  /** The ticker's regime-state mode, null without a regime-state file. */
  readonly mode: string | null;
}

/** An order decided at a close, for the next open. */
interface PendingOrder {
  /** Direction to hold after the fill: 0 closes only. */
  readonly dir: number;
  readonly notional: number;
  /** Limit price, null for a market order. */
  readonly limit: number | null;
  readonly slip: number;
  readonly vol: number;
  /** Trailing-stop distance in price at the decision, null without a stop. */
  readonly stopDistance: number | null;
  readonly takeProfitPct: number | null;
  readonly route: Route;
}

/** One ticker's position and what its exits need. */
interface Position {
  readonly units: number;
  readonly dir: number;
  readonly entryPx: number;
  readonly entryFees: number;
  readonly entryVol: number;
  stopLevel: number | null;
  readonly tpLevel: number | null;
  /** Bar time (epoch ms) a limit order filled it: no take-profit on that bar. */
  readonly limitFillTime: number | null;
  readonly route: Route;
}

/** The engine's state between bars: everything but the market data. Plain JSON. */
export interface PaperState {
  cash: number;
  readonly positions: (Position | null)[];
  readonly pending: (PendingOrder | null)[];
  /** Per ticker, the direction blocked after a stop or take-profit (0: none). */
  readonly blocked: number[];
}

/** A fill, in the book's terms. */
export interface PaperFill {
  /** Bar index of the panel. */
  readonly t: number;
  readonly k: number;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number;
  readonly fees: number;
  /** quantity x |price - the price before slippage|. */
  readonly slippage: number;
  /** Set on the fill that closes a trade: units x (exit - entry) - both fills' fees. */
  readonly realizedPnl: number | null;
  readonly route: Route;
}

export interface PaperRun {
  readonly live: LiveStrategy;
  readonly panel: Panel;
  /** Bars [from, to) of the panel. */
  readonly from: number;
  readonly to: number;
  readonly state: PaperState;
  /** Fee per unit of traded notional (simulation.fee_bps / 10^4). */
  readonly fee: number;
  /** The route of ticker k at close t. */
  readonly routeAt: (k: number, t: number) => Route;
  /** Ticker k's multiplier of the capital at risk of a trade. */
  readonly multiplier: (k: number) => number;
  /** After each bar, with its fills and the state after it (for the caller to record). */
  readonly onBar: (t: number, fills: readonly PaperFill[], state: PaperState) => void;
}

export function initialPaperState(K: number, initialCapital: number): PaperState {
  return { cash: initialCapital, positions: new Array<Position | null>(K).fill(null), pending: new Array<PendingOrder | null>(K).fill(null), blocked: new Array<number>(K).fill(0) };
}

/** Equity at close t: cash plus every position marked at its close. */
export function markToClose(state: PaperState, panel: Panel, t: number): number {
  let equity = state.cash;
  state.positions.forEach((pos, k) => {
    if (pos !== null) equity += pos.units * panel.close[k * panel.T + t];
  });
  return equity;
}

/** Trade bars [from, to), mutating `state`. */
export function runPaperBars(run: PaperRun): void {
  const { live, panel, state, fee } = run;
  const out = new Float64Array(DECISION_SIZE);
  const selected: { row: readonly number[] | null } = { row: null };
  const rowBuf = new Float64Array(live.layout.params.length);
  const select = (route: Route): void => {
    if (selected.row === route.row) return;
    rowBuf.set(route.row);
    live.select(rowBuf);
    selected.row = route.row;
  };
  const K = panel.tickers.length;
  const T = panel.T;
  for (let t = run.from; t < run.to; t++) {
    const fills: PaperFill[] = [];
    const closeAt = (k: number, px: number, ref: number): void => {
      const pos = state.positions[k]!;
      const fees = Math.abs(pos.units * px) * fee;
      const realized = pos.units * (px - pos.entryPx) - pos.entryFees - fees;
      state.cash += pos.units * px - fees;
      fills.push({ t, k, side: pos.units > 0 ? 'sell' : 'buy', quantity: Math.abs(pos.units), price: px, fees, slippage: Math.abs(pos.units) * Math.abs(px - ref), realizedPnl: realized, route: pos.route });
      state.positions[k] = null;
    };
    // 1. Orders of the previous close fill at this open.
    for (let k = 0; k < K; k++) {
      const order = state.pending[k];
      if (order === null) continue;
      state.pending[k] = null;
      const i = k * T + t;
      const open = panel.open[i];
      const held = state.positions[k];
      if (held !== null) closeAt(k, open * (1 - held.dir * order.slip), open);
      const nd = order.dir;
      if (nd === 0) continue;
      let px: number;
      let ref: number;
      if (order.limit !== null) {
        const lim = order.limit;
        if (nd > 0 ? !(panel.low[i] < lim) : !(panel.high[i] > lim)) continue;
        px = nd > 0 ? Math.min(open, lim) : Math.max(open, lim);
        ref = px;
      } else {
        px = open * (1 + nd * order.slip);
        ref = open;
      }
      const u = (nd * order.notional) / px;
      const fees = Math.abs(u * px) * fee;
      state.cash -= u * px + fees;
      state.positions[k] = {
        units: u, dir: nd, entryPx: px, entryFees: fees, entryVol: order.vol,
        stopLevel: order.stopDistance === null ? null : px - nd * order.stopDistance,
        tpLevel: order.takeProfitPct === null ? null : px * (1 + nd * order.takeProfitPct),
        limitFillTime: order.limit !== null ? panel.time[t] : null, route: order.route,
      };
      fills.push({ t, k, side: nd > 0 ? 'buy' : 'sell', quantity: Math.abs(u), price: px, fees, slippage: Math.abs(u) * Math.abs(px - ref), realizedPnl: null, route: order.route });
    }
    // 2. Intrabar exits: the stop first (the conservative order when both levels are in the bar).
    for (let k = 0; k < K; k++) {
      const pos = state.positions[k];
      if (pos === null) continue;
      const i = k * T + t;
      const dk = pos.dir;
      const open = panel.open[i];
      if (pos.stopLevel !== null && (dk > 0 ? panel.low[i] <= pos.stopLevel : panel.high[i] >= pos.stopLevel)) {
        const level = dk > 0 ? Math.min(open, pos.stopLevel) : Math.max(open, pos.stopLevel);
        select(pos.route);
        state.blocked[k] = dk;
        closeAt(k, level * (1 - dk * live.slippage(k, t - 1, Math.abs(pos.units * level), pos.entryVol)), level);
      } else if (pos.tpLevel !== null && pos.limitFillTime !== panel.time[t] && (dk > 0 ? panel.high[i] >= pos.tpLevel : panel.low[i] <= pos.tpLevel)) {
        const px = dk > 0 ? Math.max(open, pos.tpLevel) : Math.min(open, pos.tpLevel);
        state.blocked[k] = dk;
        closeAt(k, px, px);
      }
    }
    // 3. Mark to the close; stops trail under the configuration that opened the position.
    const equity = markToClose(state, panel, t);
    for (let k = 0; k < K; k++) {
      const pos = state.positions[k];
      if (pos === null || pos.stopLevel === null) continue;
      select(pos.route);
      const lvl = panel.close[k * T + t] - pos.dir * live.stopDistance(k, t);
      if (pos.dir > 0 ? lvl > pos.stopLevel : lvl < pos.stopLevel) pos.stopLevel = lvl;
    }
    // 4. Decide at this close for the next open.
    decideAll(run, t, equity, out, select);
    run.onBar(t, fills, state);
  }
}

/** Each ticker's decision at close t into orders, in ticker order, each sized given the book and the orders before it. */
function decideAll(run: PaperRun, t: number, equity: number, out: Float64Array, select: (route: Route) => void): void {
  const { live, panel, state } = run;
  const K = panel.tickers.length;
  const T = panel.T;
  const classUsed = new Map<number, number>();
  // The weight each ticker holds after this close so far, for sizing that depends on the book.
  const book = new Float64Array(K);
  let gross = 0;
  for (let k = 0; k < K; k++) {
    const pos = state.positions[k];
    if (pos === null) continue;
    const w = Math.abs(pos.units * panel.close[k * T + t]) / equity;
    book[k] = w;
    gross += w;
    classUsed.set(live.assetClass[k], (classUsed.get(live.assetClass[k]) ?? 0) + w);
  }
  for (let k = 0; k < K; k++) {
    const route = run.routeAt(k, t);
    select(route);
    live.decide(k, t, out, state.blocked, book);
    let nd = out[Decision.direction];
    if (state.blocked[k] !== 0) {
      if (nd === state.blocked[k]) nd = 0;
      else state.blocked[k] = 0;
    }
    const pos = state.positions[k];
    const dir = pos === null ? 0 : pos.dir;
    if (nd === dir) continue;
    const i = k * T + t;
    const cls = live.assetClass[k];
    const held = pos === null ? 0 : Math.abs(pos.units * panel.close[i]) / equity;
    let w = 0;
    if (nd !== 0) {
      const classRoom = out[Decision.classCap] - ((classUsed.get(cls) ?? 0) - held);
      const grossRoom = out[Decision.grossCap] - (gross - held);
      const car = out[Decision.capitalAtRisk];
      const rd = out[Decision.riskDistance];
      w = cappedWeight(out[Decision.weight], classRoom, grossRoom, car, rd);
      const m = run.multiplier(k);
      // The multiplier scales the trade's capital at risk; the caps, the guardrail among them, bind after it.
      if (m !== 1 && w > 0) w = cappedWeight(m * w, classRoom, grossRoom, car, rd);
    }
    if (w === 0 && dir === 0) continue;
    gross += w - held;
    classUsed.set(cls, (classUsed.get(cls) ?? 0) + (w - held));
    book[k] = w;
    const sigma = out[Decision.sigma];
    const vol = sigma > 0 ? sigma : pos !== null ? pos.entryVol : 0;
    const limit = out[Decision.limitPrice];
    state.pending[k] = {
      dir: w > 0 ? nd : 0,
      notional: w * equity,
      limit: w > 0 && limit === limit ? limit : null,
      slip: live.slippage(k, t, Math.max(w * equity, held * equity), vol),
      vol,
      stopDistance: w > 0 && out[Decision.stopDistance] === out[Decision.stopDistance] ? out[Decision.stopDistance] : null,
      takeProfitPct: w > 0 && out[Decision.takeProfitPct] === out[Decision.takeProfitPct] ? out[Decision.takeProfitPct] : null,
      route,
    };
  }
}
