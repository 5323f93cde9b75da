// The one function that lists a configuration's files: regular files named *.xp (or links to
// one), never a directory such as the `.xp/` folder xp writes beside an applied configuration.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { configurationFileNames, hasConfigurationFiles } from '../../src/config/files.js';

describe('configurationFileNames', () => {
  it('takes regular files and links to them, sorted; skips directories, dangling links and FIFOs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-files-'));
    writeFileSync(join(dir, 'b.xp'), '');
    writeFileSync(join(dir, 'a.xp'), '');
    writeFileSync(join(dir, 'notes.txt'), '');
    mkdirSync(join(dir, '.xp'));
    mkdirSync(join(dir, 'modules.xp'));
    symlinkSync(join(dir, 'a.xp'), join(dir, 'c.xp'));
    symlinkSync(join(dir, 'missing'), join(dir, 'dangling.xp'));
    symlinkSync(join(dir, 'modules.xp'), join(dir, 'dirlink.xp'));
    execFileSync('mkfifo', [join(dir, 'pipe.xp')]);
    expect(configurationFileNames(dir)).toEqual(['a.xp', 'b.xp', 'c.xp']);
    expect(hasConfigurationFiles(dir)).toBe(true);
  });

  it('says a directory with only xp\'s own folder has no configuration, and throws for a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-files-'));
    mkdirSync(join(dir, '.xp'));
    expect(configurationFileNames(dir)).toEqual([]);
    expect(hasConfigurationFiles(dir)).toBe(false);
    expect(hasConfigurationFiles(join(dir, 'nope'))).toBe(false);
    expect(() => configurationFileNames(join(dir, 'nope'))).toThrow(/ENOENT/);
  });
});
