import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseFlags, useColor } from '../src/cli/main.js';

const xp = (args: string[]) =>
  spawnSync(process.execPath, ['bin/xp.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('the command line', () => {
  it('accepts Terraform single-dash spellings of known long flags', () => {
    const known = new Set(['auto-approve', 'out']);
    expect(normaliseFlags(['-auto-approve', '-out=p.json', '-x', '-h', '--', '-out'], known)).toEqual([
      '--auto-approve',
      '--out=p.json',
      '-x',
      '-h',
      '--',
      '-out',
    ]);
  });

  it.each([
    [{}, true, false, true],
    [{}, false, false, false],
    [{ NO_COLOR: '1' }, true, false, false],
    [{}, true, true, false],
    [{ FORCE_COLOR: '1' }, false, false, true],
  ])('decides colour from env %o, tty %s, --no-color %s → %s', (env, tty, flag, expected) => {
    expect(useColor(env, tty, flag)).toBe(expected);
  });

  it('prints help and exits 0 with --help', () => {
    const r = xp(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: xp <command>');
  });

  it('names an unknown command and exits 2', () => {
    const r = xp(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('rejects an unknown flag with a usage hint, no stack trace', () => {
    const r = xp(['version', '--nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--nope'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints its version', () => {
    expect(execFileSync(process.execPath, ['bin/xp.js', 'version'], { encoding: 'utf8' })).toMatch(/^xp v\d+\.\d+\.\d+/);
  });

  it("keeps V8's young generation at its initial size (src/cli/heap.ts)", () => {
    // 100 generated tenants grow an unbounded young generation to 8 MB; at its initial size it is 2 MB
    const dir = execFileSync(process.execPath, ['bench/validate.mjs', '--generate', '100'], { encoding: 'utf8' }).trim();
    const hookDir = mkdtempSync(join(tmpdir(), 'xp-heap-'));
    try {
      const hook = join(hookDir, 'new-space.mjs');
      writeFileSync(
        hook,
        "import v8 from 'node:v8';\nimport { writeSync } from 'node:fs';\n" +
          "process.on('exit', () => writeSync(2, `NEW_SPACE ${v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size}\\n`));\n",
      );
      const r = spawnSync(process.execPath, ['--import', hook, 'bin/xp.js', 'validate', dir], { encoding: 'utf8' });
      expect(r.stdout).toContain('The configuration is valid');
      expect(r.stderr).not.toContain('flag'); // V8 knows the flag
      const size = Number(/NEW_SPACE (\d+)/.exec(r.stderr)?.[1]);
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThanOrEqual(2 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(hookDir, { recursive: true, force: true });
    }
  });
});
