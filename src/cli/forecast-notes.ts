/**
 * Notes on stderr while a command computes forecast columns, the long cold phase of the ts
 * families: how many blocks it computes and how many came from the cache (an interrupted
 * computation keeps its finished blocks), and how long it took.
 */
import { performance } from 'node:perf_hooks';
import type { ForecastProgress } from '../jobs/context.js';
import { note, type CommonOptions } from './options.js';

/** A `ForecastProgress` listener that notes the start and the end of the computation. */
export function forecastNotes(opts: CommonOptions): (p: ForecastProgress) => void {
  let t0 = 0;
  return (p) => {
    if (p.computed === 0) {
      t0 = performance.now();
      note(opts, `forecast columns: ${p.blocks - p.cached} of ${p.blocks} block(s) to compute, ${p.cached} from the cache (after Ctrl-C the finished ones are kept)`);
    } else if (p.cached + p.computed === p.blocks) {
      note(opts, `forecast columns: ${p.computed} block(s) computed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  };
}
