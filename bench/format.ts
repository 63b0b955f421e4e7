/** A figure as the benchmark records print it: exponent form from a million up, else four significant digits. */
export function format(v: number): string {
  return Math.abs(v) >= 1e6 ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}
