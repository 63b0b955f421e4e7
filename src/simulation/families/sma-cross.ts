/** `sma_cross` on one ticker: reads `fast` and `slow` from each row, runs the whole batch through the kernel at once. */
import {
  closeGroupCount,
  closeGroupExtremes,
  createSmaWorkspace,
  SMA_PARAM_COUNT,
  smaCross,
  smaCrossBatch,
  SmaParam,
  type SmaData,
  type SmaSettings,
} from '../../../native-free-kernels/portfolio/sma-cross.js';
import { columnOf, type ParamLayout } from '../../config/param-layout.js';
import type { SimulationContext } from '../context.js';
import type { BatchEvaluator, FamilyModule } from './family.js';

const READS = ['fast', 'slow'] as const satisfies readonly (keyof typeof SmaParam)[];

function createSmaCrossEvaluator(layout: ParamLayout, ctx: SimulationContext): BatchEvaluator {
  const { panel, settings } = ctx;
  const { prefixClose, localPrefixClose, localPrefixCloseLo, localPrefixSimpleRet, localPrefixSimpleRet2, localPrefixSimpleDown2 } = ctx.derived;
  const closeGroupMax = new Float64Array(closeGroupCount(panel.T));
  const closeGroupMin = new Float64Array(closeGroupCount(panel.T));
  closeGroupExtremes(panel.close, closeGroupMax, closeGroupMin);
  const data: SmaData = {
    open: panel.open,
    close: panel.close,
    prefixClose,
    localPrefixClose,
    localPrefixCloseLo,
    ret: localPrefixSimpleRet,
    ret2: localPrefixSimpleRet2,
    down2: localPrefixSimpleDown2,
    closeGroupMax,
    closeGroupMin,
  };
  const s: SmaSettings = { start: settings.start, end: settings.end, fee: settings.fee, initial: settings.initialCapital, periodsPerYear: settings.periodsPerYear };
  const d = layout.params.length;
  const cols = READS.map((name) => columnOf(layout, name));
  // Scratch for the largest batch so far: it grows (doubling) only when a larger batch arrives.
  let ws = createSmaWorkspace(1);
  let P = new Float64Array(SMA_PARAM_COUNT);
  const decode = (X: Float64Array, rows: number): void => {
    if (rows > ws.capacity) {
      ws = createSmaWorkspace(Math.max(rows, 2 * ws.capacity));
      P = new Float64Array(ws.capacity * SMA_PARAM_COUNT);
    }
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < READS.length; j++) P[r * SMA_PARAM_COUNT + SmaParam[READS[j]]] = X[r * d + cols[j]];
    }
  };
  return {
    layout,
    evaluate(X, rows, F) {
      decode(X, rows);
      smaCrossBatch(data, s, P, ws, F, rows);
    },
    evaluateWithEquity(row, equity, F) {
      decode(row, 1);
      ws.equityOut = equity;
      try {
        smaCross(data, s, P, ws, F, 0);
      } finally {
        ws.equityOut = null;
      }
    },
  };
}

export const smaCrossFamily: FamilyModule = {
  kernel: 'sma_cross',
  description: 'long-only moving-average crossover on one ticker (docs/reference-semantics.md)',
  code: ['./sma-cross', '../../../native-free-kernels/portfolio/sma-cross', '../../../native-free-kernels/portfolio/metrics', '../../../native-free-kernels/stats/prefix-sum'],
  reads: () => READS,
  oneTicker: true,
  needsForecasts: false,
  atrWindowParam: null,
  createEvaluator: createSmaCrossEvaluator,
};
