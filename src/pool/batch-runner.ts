/**
 * What the optimize job evaluates a family's candidates on: the local piscina pool
 * (`EvaluationPool`) or the distributed queue (`QueueEvaluator`, src/pool/queue-coordinator.ts).
 * Both cut the candidates into batches and report each finished batch to a `BatchSink` by
 * candidate id, so the job cannot tell them apart.
 */
import type { ParamLayout } from '../config/param-layout.js';
import type { SimulationContext } from '../simulation/context.js';
import { EvaluationPool, type PoolSettings } from './coordinator.js';

/** The part of `EvaluationPool` the search's evaluation uses. */
export type BatchRunner = Pick<EvaluationPool, 'batchSize' | 'run' | 'close'>;

/** Starts a family's runner for run `runId`, once the run is open and its context is built. */
export type StartRunner = (layout: ParamLayout, ctx: SimulationContext, settings: PoolSettings, runId: string) => Promise<BatchRunner>;

/** The default: a local pool of `settings.workers` threads. */
export const startLocalPool: StartRunner = (layout, ctx, settings) => EvaluationPool.start(layout, ctx, settings.workers, settings.workerFile);
