/**
 * Multichannel SSA (MSSA) across K equally long series, the MSSA_RL role, in the horizontal
 * stacking of Golyandina, Korobeynikov, Shlemov & Usevich, "Multivariate and 2D Extensions of
 * Singular Spectrum Analysis with the Rssa Package", J. Stat. Softw. 67(2), 2015, §3:
 *
 * - The trajectory matrix is X = [X⁽¹⁾ : X⁽²⁾ : … : X⁽ᴷ⁾], L × K·Kw: each channel's L × Kw
 *   trajectory matrix side by side. Its left singular vectors are the eigenvectors of the
 *   L × L matrix X·Xᵀ = Σ_k X⁽ᵏ⁾·X⁽ᵏ⁾ᵀ, so the eigenproblem stays L × L whatever K is (vertical
 *   stacking would need a K·L × K·L one).
 * - The leading r eigenvectors span a subspace common to all channels; channel k's reconstruction
 *   is the Hankelization of its block of U_r·U_rᵀ·X.
 * - The recurrent forecast (MSSA "column" forecast) applies one LRR, built from the common
 *   eigenvectors exactly as in basic SSA, to each channel separately.
 *
 * Channel k's value at bar t sits at x[k·stride + t] (the panel's ticker-major layout).
 * The workspace is an `SsaWorkspace` for L; per-channel reconstruction and forecasts use the
 * `ssaReconstructTail`, `lrrForecast` and `lrrResidualRms` of ssa.ts with the channel's offset.
 */
import { addLagCovariance, checkSsaArgs, createSsaWorkspace, decomposeAndLrr, type SsaWorkspace } from './ssa.js';

/** Allocate the workspace for window length L (same shape as SSA's: the eigenproblem is L × L). */
export function createMssaWorkspace(L: number): SsaWorkspace {
  return createSsaWorkspace(L);
}

/**
 * Decompose the horizontally stacked trajectory matrix of K channels over bars [start, end) and
 * write the common LRR of the leading r components.
 * @param x channels, channel k at x[k·stride + t]
 * @param K number of channels
 * @param stride distance between channels (bars per channel)
 * @param start first bar of the window
 * @param end one past the last bar
 * @param L window length, 2 <= L <= end − start
 * @param r leading components, 1 <= r < L
 * @param ws workspace for L; keeps the decomposition for `ssaReconstructTail`
 * @param outCoef LRR coefficients, length L − 1
 * @returns ν² (see `lrrCoefficients`); NaN when any window value is non-finite
 */
export function mssaFit(
  x: Float64Array,
  K: number,
  stride: number,
  start: number,
  end: number,
  L: number,
  r: number,
  ws: SsaWorkspace,
  outCoef: Float64Array,
): number {
  if (K < 1 || end > stride || K * stride > x.length) {
    throw new RangeError(`mssaFit: K=${K} channels of stride ${stride} with range end ${end} do not fit a series of length ${x.length}`);
  }
  checkSsaArgs('mssaFit', stride, start, end, L, r);
  ws.cov.fill(0);
  for (let k = 0; k < K; k++) addLagCovariance(x, k * stride + start, k * stride + end, L, ws.cov);
  return decomposeAndLrr(ws, r, outCoef);
}
