/** The S&P 500 default data with an sma_cross layout and context over all of it: the pool and queue suites' workload. */
import { join } from 'node:path';
import type { PnloptConfig } from '../src/config/load.js';
import { paramLayout, type ParamLayout } from '../src/config/param-layout.js';
import { loadMarketData } from '../src/data/load.js';
import { alignPanel } from '../src/data/panel.js';
import type { MarketData, Panel } from '../src/data/types.js';
import { buildContext } from '../src/jobs/context.js';
import { projectRoot } from '../src/paths.js';
import type { SimulationContext } from '../src/simulation/context.js';

export const SP500 = join(projectRoot(), 'data', 'sp500_daily_ohlcv_2000_2020.csv');

export async function sp500SmaCross(cfg: PnloptConfig): Promise<{ data: MarketData; panel: Panel; layout: ParamLayout; ctx: SimulationContext }> {
  const data = loadMarketData([SP500]);
  const panel = alignPanel(data);
  const layout = paramLayout(cfg, 'sma_cross', panel.tickers);
  const ctx = await buildContext(cfg, layout, panel, data.hash, { start: 0, end: panel.T });
  return { data, panel, layout, ctx };
}
