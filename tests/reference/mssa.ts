/**
 * Reference MSSA (horizontal stacking, Golyandina et al. 2015, §3) in plain arrays: the trajectory
 * matrix is [X⁽¹⁾ : … : X⁽ᴷ⁾] built explicitly, decomposed and reconstructed by `refStackedSsa`;
 * each channel is forecast by the common LRR applied to its own reconstruction.
 */
import { refLrrForecast, refStackedSsa, type RefSsaResult } from './ssa.js';

export function refMssa(channels: number[][], L: number, r: number): RefSsaResult & { forecasts: number[] } {
  const res = refStackedSsa(channels, L, r);
  return { ...res, forecasts: res.reconstructions.map((rec) => refLrrForecast(rec, res.coef)) };
}
