// Preloaded into `xp validate` by bench/validate.mjs (node --import): reports the process's
// peak memory when it exits, on stderr as one JSON line.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nXP_BENCH ${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
});
