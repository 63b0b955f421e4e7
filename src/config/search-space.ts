/**
 * The search space of one strategy family: named parameters with a prior distribution each, some
 * present only when a categorical parameter takes given values (`when`).
 */
import { z } from 'zod';
import { int, name, num } from './schema-helpers.js';

const Condition = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()])).min(1)]),
);

const common = { when: Condition.optional(), description: z.string().optional() };

export const UniformParam = z.strictObject({ type: z.literal('uniform'), low: num(-Infinity, Infinity), high: num(-Infinity, Infinity), ...common });
export const LogUniformParam = z.strictObject({ type: z.literal('log_uniform'), low: num(0, Infinity, { exclusiveMin: true }), high: num(0, Infinity, { exclusiveMin: true }), ...common });
export const IntParam = z.strictObject({ type: z.literal('int'), low: int(-1e9, 1e9), high: int(-1e9, 1e9), ...common });
export const CategoricalParam = z.strictObject({
  type: z.literal('categorical'),
  choices: z.array(z.union([name(), z.number()])).min(1, { error: 'expected at least one choice' }),
  ...common,
});

export const ParamSpec = z
  .discriminatedUnion('type', [UniformParam, LogUniformParam, IntParam, CategoricalParam], {
    error: (iss) =>
      iss.code === 'invalid_union' ? 'expected type to be one of uniform, log_uniform, int, categorical' : undefined,
  })
  .superRefine((p, ctx) => {
    if (p.type !== 'categorical' && !(p.low < p.high)) {
      ctx.addIssue({ code: 'custom', path: ['high'], message: `expected high > low (${p.low}), got ${p.high}` });
    }
  });
export type ParamSpec = z.infer<typeof ParamSpec>;

/** Named parameters in declaration order (the order is the encoding's column order). */
export const ParamSpace = z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'parameter names are lower_snake_case'), ParamSpec);
export type ParamSpace = z.infer<typeof ParamSpace>;
