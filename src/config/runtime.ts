/** `config/runtime_config.yml`: where things live and how the tool reports, not what it computes. */
import { z } from 'zod';
import { int, name, num } from './schema-helpers.js';

export const RuntimeConfig = z.strictObject({
  runtime: z.strictObject({
    /** Data set used when a command is given no `--data` (paths relative to the project root). */
    default_data: z.array(name()).min(1),
    database: name(),
    cache_dir: name(),
    progress_log_interval_s: num(0, Infinity, { exclusiveMin: true }),
  }),
  data_quality: z.strictObject({
    /** A step between consecutive bars counts as a gap when longer than this multiple of the median step. */
    gap_multiple: num(1, Infinity, { exclusiveMin: true }),
  }),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfig>;
