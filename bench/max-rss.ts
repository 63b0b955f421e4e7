/**
 * Preload, `node --import <root>/dist/bench/max-rss.js bin/pnlopt.js ...`: when the process exits,
 * its peak resident set (process.resourceUsage().maxRSS, worker threads included) goes to standard
 * error as `pnlopt-max-rss-kib N`, so a child's peak RSS is measured without /usr/bin/time.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `pnlopt-max-rss-kib ${process.resourceUsage().maxRSS}\n`));
