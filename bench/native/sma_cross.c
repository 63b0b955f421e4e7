/* sma_cross in C, the same rules as native-free-kernels/portfolio/sma-cross.ts (prefix sums, cross-multiplied
 * comparison, running equity statistics), compiled with -O3 by bench/simulator.bench.ts to give the
 * native reference throughput on this machine. Reads T and the series from stdin as raw doubles:
 * T, open[T], close[T]; runs the given candidates; prints steps/s and a checksum. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double run(const double *open, const double *close, const double *prefix, long T, long fast, long slow, double fee) {
  double cash = 1, units = 0, entry = 0, prev = 1, peak = 1, minSince = 1, worst = 0, sr = 0, sr2 = 0, sd2 = 0;
  int lng = 0, target = 0, pending = 0;
  long trades = 0;
  for (long t = 0; t < T; t++) {
    if (pending) {
      if (lng) { cash = units * open[t] * (1 - fee); trades++; units = 0; }
      else { entry = cash; units = cash / (open[t] * (1 + fee)); cash = 0; }
      lng = !lng; pending = 0;
    }
    double e = lng ? units * close[t] : cash;
    if (t > 0) { double r = e / prev - 1; sr += r; sr2 += r * r; double d = r < 0 ? r : 0; sd2 += d * d; }
    if (e > peak) { double dd = 1 - minSince / peak; if (dd > worst) worst = dd; peak = e; minSince = e; }
    else if (e < minSince) minSince = e;
    prev = e;
    double top = prefix[t + 1];
    int s = t >= slow - 1 && (top - prefix[t + 1 - fast]) * slow > (top - prefix[t + 1 - slow]) * fast;
    if (s != target) { target = s; pending = t + 1 < T; }
  }
  (void)entry;
  return prev + sr + sr2 + sd2 + worst + (double)trades;
}

int main(int argc, char **argv) {
  long T;
  if (fread(&T, sizeof T, 1, stdin) != 1) return 1;
  double *open = malloc(T * sizeof *open), *close = malloc(T * sizeof *close), *prefix = malloc((T + 1) * sizeof *prefix);
  if (fread(open, sizeof *open, T, stdin) != (size_t)T || fread(close, sizeof *close, T, stdin) != (size_t)T) return 1;
  prefix[0] = 0;
  for (long t = 0; t < T; t++) prefix[t + 1] = prefix[t] + close[t];
  long candidates = argc > 1 ? atol(argv[1]) : 100;
  double check = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < candidates; i++) check += run(open, close, prefix, T, 2 + i % 40, 45 + (i * 7) % 200, 5e-4);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
  printf("%.6e %.6f\n", candidates * (double)T / secs, check);
  return 0;
}
