/** Progress output: log lines at the configured interval off a terminal, a bar with rate and ETA on one. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('createProgress', () => {
  it('writes a log line once per interval when the stream is not a terminal, and a last one at stop', () => {
    const out = capture(false);
    let now = 0;
    const p = createProgress({ label: 'evaluate', total: 1000, intervalS: 5, stream: out.stream, now: () => now });
    now = 1000;
    p.update(100); // 1 s < 5 s: nothing yet
    expect(out.text()).toBe('');
    now = 5000;
    p.update(400); // 400 candidates in 5 s = 80/s; 600 left at 80/s = 7.5 s -> "8s"
    expect(out.text()).toBe('evaluate: 400/1000 (40.0%) 80 cand/s, ETA 8s\n');
    now = 6000;
    p.update(500); // 1 s after the last line: nothing
    now = 10_000;
    p.stop(); // 500 in 10 s = 50/s; 500 left -> 10 s
    expect(out.text().split('\n')).toEqual(['evaluate: 400/1000 (40.0%) 80 cand/s, ETA 8s', 'evaluate: 500/1000 (50.0%) 50 cand/s, ETA 10s', '']);
  });

  it('formats long ETAs in minutes and hours', () => {
    const out = capture(false);
    let now = 0;
    const p = createProgress({ label: 'e', total: 1_000_000, intervalS: 1, stream: out.stream, now: () => now });
    now = 10_000;
    p.update(100); // 10/s: 999,900 left -> 99,990 s = 27 h 46 min 30 s
    now = 20_000;
    p.update(3000); // 150/s: 997,000 left -> 6646.7 s = 1 h 50 min
    expect(out.text()).toContain('ETA 27h46m');
    expect(out.text()).toContain('ETA 1h50m');
  });

  it('draws a bar with candidates/s and ETA on a terminal', () => {
    const out = capture(true);
    let now = 0;
    const p = createProgress({ label: 'evaluate', total: 1000, intervalS: 5, stream: out.stream, now: () => now });
    now = 2000;
    p.update(1000);
    p.stop();
    const text = out.text();
    expect(text).toContain('evaluate [');
    expect(text).toContain('1000/1000');
    expect(text).toContain('500 cand/s'); // 1000 candidates in 2 s by the injected clock
    expect(text).toContain('ETA');
  });
});
