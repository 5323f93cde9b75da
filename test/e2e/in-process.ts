// `xp ARGS` in this process (src/cli/main.ts), in `cwd`, with a clean environment and no
// terminal: for suites that run xp hundreds of times (a child process each would take minutes).
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { cleanEnv, type XpResult } from './xp.js';

export async function xpInProcess(args: string[], opts: { cwd: string }): Promise<XpResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(args, { stdout, stderr, stdin, env: cleanEnv(), cwd: opts.cwd, color: false });
  return { code, signal: null, stdout: out, stderr: err };
}
