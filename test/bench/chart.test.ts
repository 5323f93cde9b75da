// The benchmark chart (bench/chart.js): drawn from a summary with vega (SVG) and resvg (PNG),
// npm devDependencies only. Checks what is drawn: one line per (tool, phase) with medians, its
// points on log scales, the legend, the axes, and that the PNG has the lines' colours and
// text (the packaged font, no system font).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { STYLE, X_TITLE, Y_TITLE, chartLines, chartPng, chartSvg } from '../../bench/chart.js';
import { writeReport } from '../../bench/report.js';

const cell = (median: number | null) => ({ median });
// psql apply: 0.1, 1, 10 (a decade a step); xp apply: 1, 2, 4 (doubling); xp plan has no median
// at N=1000; Ansible only ran at N=10 and never finished its no-op run; psql has no no-op phase.
const summary = {
  series: [
    { tool: 'psql', n: 10, phases: { apply: cell(0.1), noop: cell(null), check: cell(0.02) } },
    { tool: 'psql', n: 100, phases: { apply: cell(1), noop: cell(null), check: cell(0.03) } },
    { tool: 'psql', n: 1000, phases: { apply: cell(10), noop: cell(null), check: cell(0.05) } },
    { tool: 'xp', n: 10, phases: { apply: cell(1), noop: cell(0.3), check: cell(0.25) } },
    { tool: 'xp', n: 100, phases: { apply: cell(2), noop: cell(0.4), check: cell(0.35) } },
    { tool: 'xp', n: 1000, phases: { apply: cell(4), noop: cell(1.5), check: cell(null) } },
    { tool: 'ansible', n: 10, phases: { apply: cell(30), noop: cell(null), check: cell(25) } },
  ],
};
const drawn = { 'psql:apply': 3, 'psql:check': 3, 'xp:apply': 3, 'xp:noop': 3, 'xp:check': 2, 'ansible:apply': 1, 'ansible:check': 1 };
const label = (key: string) => STYLE.find((s) => `${s.tool}:${s.phase}` === key)!.label;

/** the contents of the mark group of class `name` (the first one, or all of them joined) */
function group(svg: string, name: string, all = false): string {
  const parts = svg.split(`class="${name}"`).slice(1);
  const one = (p: string) => {
    // up to the group's closing tag: count nested <g>
    let depth = 1;
    const re = /<g[\s>]|<\/g>/g;
    for (let m = re.exec(p); m; m = re.exec(p)) if ((depth += m[0] === '</g>' ? -1 : 1) === 0) return p.slice(0, m.index);
    return p;
  };
  return (all ? parts : parts.slice(0, 1)).map(one).join('');
}
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&#x27;/g, "'").replace(/&amp;/g, '&'));

/** the lines drawn: aria label (the series key) → vertices, stroke, dash */
function lines(svg: string) {
  const out = new Map<string, { points: number[][]; stroke: string; dash: string }>();
  for (const m of group(svg, 'mark-line role-mark series-line', true).matchAll(/<path aria-label="([^"]+)"[^>]* d="([^"]*)" stroke="([^"]*)"[^>]* stroke-dasharray="([^"]*)"/g)) {
    const points = [...m[2].matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])]);
    out.set(m[1], { points, stroke: m[3], dash: m[4] });
  }
  return out;
}

/** RGBA pixels of an 8-bit RGBA non-interlaced PNG */
function decodePng(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[12]]).toEqual([8, 6, 0]); // 8 bits, RGBA, not interlaced
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? px[y * stride + x - 4] : 0;
      const b = y ? px[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y ? px[(y - 1) * stride + x - 4] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      px[y * stride + x] = (v + [0, a, b, (a + b) >> 1, paeth][filter]) & 0xff;
    }
  }
  return { width, height, at: (x: number, y: number) => [...px.subarray(y * stride + x * 4, y * stride + x * 4 + 3)] };
}

describe('bench chart', () => {
  it('has one line per (tool, phase) with a median, in legend order, its points sorted by N', () => {
    const got = chartLines(summary);
    expect(Object.fromEntries(got.map((l) => [l.key, l.points.length]))).toEqual(drawn);
    expect(got.map((l) => l.key)).toEqual(Object.keys(drawn));
    expect(got.find((l) => l.key === 'xp:check')!.points).toEqual([{ n: 10, seconds: 0.25 }, { n: 100, seconds: 0.35 }]);
  });

  it('draws each line with its points on log scales, its colour and dash, and a legend of exactly those lines', async () => {
    const svg = await chartSvg(summary);
    const got = lines(svg);
    expect(Object.fromEntries([...got].map(([k, v]) => [k, v.points.length]))).toEqual(drawn);
    for (const [key, line] of got) {
      const style = STYLE.find((s) => `${s.tool}:${s.phase}` === key)!;
      expect(line.stroke, key).toBe(style.colour);
      expect(line.dash, key).toBe(style.dash.join(','));
    }
    // log x: N = 10, 100, 1000 evenly spaced; log y: 0.1, 1, 10 and 1, 2, 4 too (each a constant
    // factor); larger values higher up
    const [p0, p1, p2] = got.get('psql:apply')!.points;
    expect(p1[0] - p0[0]).toBeGreaterThan(100);
    expect(p2[0] - p1[0]).toBeCloseTo(p1[0] - p0[0], 1);
    expect(p0[1] - p1[1]).toBeGreaterThan(50);
    expect(p1[1] - p2[1]).toBeCloseTo(p0[1] - p1[1], 1);
    const [x0, x1, x2] = got.get('xp:apply')!.points;
    expect(x0[1] - x1[1]).toBeGreaterThan(10);
    expect(x1[1] - x2[1]).toBeCloseTo(x0[1] - x1[1], 1);
    // xp apply at N=10 (1 s) is level with psql apply at N=100 (1 s)
    expect(x0[1]).toBeCloseTo(p1[1], 1);
    // a marker per point
    expect(group(svg, 'mark-symbol role-mark series-point').match(/<path /g)).toHaveLength(Object.values(drawn).reduce((a, b) => a + b));

    expect(texts(group(svg, 'mark-text role-mark legend-label'))).toEqual(Object.keys(drawn).map(label));
    expect(texts(svg)).not.toContain(label('ansible:noop'));
    expect(group(svg, 'mark-rule role-mark legend-line').match(/<line /g)).toHaveLength(Object.keys(drawn).length);

    const axisTitles = texts(group(svg, 'mark-text role-axis-title', true));
    expect(axisTitles.sort()).toEqual([X_TITLE, Y_TITLE].sort());
    const labels = texts(group(svg, 'mark-text role-axis-label', true));
    expect(labels).toEqual(expect.arrayContaining(['10', '100', '1,000', '0.1', '1', '10']));
  });

  it('labels the 2..9 × 10^k ticks of the time axis when the times span less than a decade', async () => {
    const svg = await chartSvg({ series: [{ tool: 'psql', n: 10, phases: { apply: cell(0.76), check: cell(0.16) } }] });
    expect(texts(group(svg, 'mark-text role-axis-label', true))).toEqual(expect.arrayContaining(['10', '0.2', '0.5', '0.7']));
    expect([...lines(svg).keys()]).toEqual(['psql:apply', 'psql:check']);
  });

  it('rasterises to a PNG with the lines drawn in their colours and the text in the packaged font', async () => {
    const png = decodePng(await chartPng(summary));
    const svg = await chartSvg(summary);
    const [, w, h] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    expect([png.width, png.height]).toEqual([Math.round(w * 1.25), Math.round(h * 1.25)]);
    const colours = new Set<string>();
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) colours.add(png.at(x, y).join(','));
    }
    // below the plot's frame and its ticks only text is drawn (tick labels, axis title, note):
    // without a font it would stay white
    const [, left, top] = /<g fill="none"[^>]* transform="translate\((\d+),(\d+)\)"/.exec(svg)!.map(Number);
    const [, plotHeight] = /class="mark-rect role-mark frame".*?<path [^>]*d="M0,0h\d+v(\d+)h/.exec(svg)!.map(Number);
    let dark = 0;
    for (let y = Math.round((top + plotHeight + 8) * 1.25); y < png.height; y++) {
      for (let x = Math.round(left * 1.25); x < png.width; x++) if (png.at(x, y)[0] < 128) dark++;
    }
    expect(colours).toContain('31,119,180'); // xp, #1f77b4
    expect(colours).toContain('214,39,40'); // Ansible, #d62728
    expect(colours).toContain('0,0,0');
    expect(dark).toBeGreaterThan(500);
  });
});

describe('bench report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xp-bench-chart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the tables and draws the chart from raw measurement files', async () => {
    const results = join(dir, 'results');
    const run = (phases: [string, number][]) => ({ run: 1, phases: phases.map(([phase, seconds]) => ({ phase, seconds, peakConnections: 2, reportedChanges: phase === 'apply' })), loadavg1: 1 });
    mkdirSync(results);
    writeFileSync(join(results, 'psql-n10-a.json'), JSON.stringify({ tool: 'psql', n: 10, objects: 83, runsRequested: 1, server: 'test', runs: [run([['apply', 0.2], ['check', 0.03]])] }));
    writeFileSync(join(results, 'xp-n10-a.json'), JSON.stringify({ tool: 'xp', n: 10, objects: 83, runsRequested: 1, server: 'test', runs: [run([['apply', 0.8], ['noop', 0.3], ['check', 0.29]])] }));
    writeFileSync(join(results, 'xp-n100-a.json'), JSON.stringify({ tool: 'xp', n: 100, objects: 803, runsRequested: 1, server: 'test', runs: [run([['apply', 1.7], ['noop', 0.4], ['check', 0.39]])] }));
    const chart = join(dir, 'chart.png');
    await writeReport({ results, report: join(dir, 'RESULTS.md'), chart });
    expect(readFileSync(join(dir, 'RESULTS.md'), 'utf8')).toContain('![wall time vs N](chart.png)');
    const written = JSON.parse(readFileSync(join(results, 'summary.json'), 'utf8'));
    const svg = await chartSvg(written);
    expect([...lines(svg).keys()]).toEqual(['psql:apply', 'psql:check', 'xp:apply', 'xp:noop', 'xp:check']);
    expect(readFileSync(chart)).toEqual(await chartPng(written));
  });
});
