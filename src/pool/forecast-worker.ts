/**
 * The forecast-column worker: each task computes one `ForecastBlock` straight into the shared mu
 * and sigma columns it received once in `workerData` (SharedArrayBuffer views: nothing is copied
 * either way). Blocks write disjoint ranges, so threads never touch the same values.
 */
import { workerData } from 'node:worker_threads';
import type { ForecastModelsConfig } from '../config/forecast-models.js';
import { computeForecastBlock, type ForecastBlock, type ForecastColumns } from '../simulation/forecast-columns.js';

/** What every thread of a forecast pool receives once. */
export interface ForecastWorkerInit {
  /** The panel (typed by the simulation's signature, so the pool layer keeps off the data layer). */
  readonly panel: Parameters<typeof computeForecastBlock>[0];
  readonly cfg: ForecastModelsConfig;
  readonly out: ForecastColumns;
}

const init = workerData as ForecastWorkerInit;

/** Compute one block into the shared columns. */
export default function computeBlock(block: ForecastBlock): void {
  computeForecastBlock(init.panel, init.cfg, block, init.out);
}
