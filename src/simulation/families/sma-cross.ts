/** `sma_cross` on one ticker: reads `fast` and `slow` from each row, runs the kernel per row. */
import { ACC_SIZE } from '../../../native-free-kernels/portfolio/metrics.js';
import { SMA_PARAM_COUNT, smaCross, SmaParam, type SmaData, type SmaSettings, type SmaWorkspace } from '../../../native-free-kernels/portfolio/sma-cross.js';
import { columnOf, type ParamLayout } from '../../config/param-layout.js';
import { UsageError } from '../../errors.js';
import type { SimulationContext } from '../context.js';
import { rowEvaluator, type BatchEvaluator, type FamilyModule } from './family.js';

const READS = ['fast', 'slow'] as const satisfies readonly (keyof typeof SmaParam)[];

function createSmaCrossEvaluator(layout: ParamLayout, ctx: SimulationContext): BatchEvaluator {
  const { panel, settings } = ctx;
  if (panel.tickers.length !== 1) {
    throw new UsageError(`sma_cross trades one series; the data has ${panel.tickers.length} tickers (${panel.tickers.join(', ')}): choose one`);
  }
  const { prefixClose, localPrefixClose, localPrefixCloseLo, localPrefixSimpleRet, localPrefixSimpleRet2, localPrefixSimpleDown2 } = ctx.derived;
  const data: SmaData = {
    open: panel.open,
    close: panel.close,
    prefixClose,
    localPrefixClose,
    localPrefixCloseLo,
    ret: localPrefixSimpleRet,
    ret2: localPrefixSimpleRet2,
    down2: localPrefixSimpleDown2,
  };
  const s: SmaSettings = { start: settings.start, end: settings.end, fee: settings.fee, initial: settings.initialCapital, periodsPerYear: settings.periodsPerYear };
  const ws: SmaWorkspace = { acc: new Float64Array(ACC_SIZE), equityOut: null };
  const d = layout.params.length;
  const cols = READS.map((name) => columnOf(layout, name));
  const p = new Float64Array(SMA_PARAM_COUNT);
  const decode = (X: Float64Array, r: number): void => {
    for (let j = 0; j < READS.length; j++) p[SmaParam[READS[j]]] = X[r * d + cols[j]];
  };
  return rowEvaluator(layout, ws, decode, (F, offset) => smaCross(data, s, p, ws, F, offset));
}

export const smaCrossFamily: FamilyModule = {
  kernel: 'sma_cross',
  description: 'long-only moving-average crossover on one ticker (docs/reference-semantics.md)',
  reads: () => READS,
  needsForecasts: false,
  atrWindowParam: null,
  createEvaluator: createSmaCrossEvaluator,
};
