// Preloaded into `xp validate` by bench/validate.mjs (node --import): reports the process's
// peak memory and CPU time when it exits, on stderr as one JSON line.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const u = process.resourceUsage();
  const cpuMs = (u.userCPUTime + u.systemCPUTime) / 1000;
  writeSync(2, `\nXP_BENCH ${JSON.stringify({ maxRssKb: u.maxRSS, cpuMs })}\n`);
});
