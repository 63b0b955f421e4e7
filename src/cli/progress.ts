/**
 * Progress of an evaluation: a bar with candidates/s and ETA when the stream is a terminal, a log
 * line every `intervalS` seconds otherwise (logs and CI output stay readable). Rates count only the
 * candidates of this session, so a resumed run's ETA is not flattered by earlier work.
 */
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  /** Candidates done so far in this session. */
  update(done: number): void;
  /** Final state; call once. */
  stop(): void;
}

export interface ProgressOptions {
  readonly label: string;
  /** Candidates to do in this session. */
  readonly total: number;
  /** Seconds between log lines when the stream is not a terminal. */
  readonly intervalS: number;
  readonly stream: Writable & { isTTY?: boolean };
  /** Clock in ms (injectable for tests). */
  readonly now?: () => number;
  /** What is counted, in the rate (default `cand`: candidates). */
  readonly unit?: string;
}

/** A bar on a terminal, log lines otherwise. */
export function createProgress(opts: ProgressOptions): ProgressReporter {
  return opts.stream.isTTY === true ? barProgress(opts) : logProgress(opts);
}

function barProgress(opts: ProgressOptions): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream: opts.stream as NodeJS.WritableStream,
      format: `${opts.label} [{bar}] {percentage}% | {value}/{total} | {rate} ${opts.unit ?? 'cand'}/s | ETA {eta_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  bar.start(opts.total, 0, { rate: '0' });
  return {
    update(done) {
      bar.update(done, { rate: formatRate(done, now() - t0) });
    },
    stop() {
      bar.stop();
    },
  };
}

function logProgress(opts: ProgressOptions): ProgressReporter {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  let lastLog = t0;
  let last = 0;
  const line = (done: number) => {
    const elapsed = now() - t0;
    const rate = (done * 1000) / elapsed;
    const eta = done > 0 ? formatSeconds((opts.total - done) / rate) : '?';
    const pct = opts.total > 0 ? ((100 * done) / opts.total).toFixed(1) : '100.0';
    opts.stream.write(`${opts.label}: ${done}/${opts.total} (${pct}%) ${formatRate(done, elapsed)} ${opts.unit ?? 'cand'}/s, ETA ${eta}\n`);
  };
  return {
    update(done) {
      last = done;
      if (now() - lastLog >= opts.intervalS * 1000) {
        lastLog = now();
        line(done);
      }
    },
    stop() {
      line(last);
    },
  };
}

function formatRate(done: number, elapsedMs: number): string {
  return elapsedMs > 0 ? ((done * 1000) / elapsedMs).toFixed(0) : '0';
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.floor(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
