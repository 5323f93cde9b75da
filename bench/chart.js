// @ts-check
// Draws wall time against N for each tool and phase (log-log) from a bench summary
// (bench/results/*/summary.json, written by report.js): a Vega specification rendered to SVG
// in Node (vega, no canvas needed), rasterised to PNG by resvg (a prebuilt binary in its npm
// package, no install script) with the DejaVu Sans files of the dejavu-fonts-ttf package, so
// that the picture is the same on every machine whatever fonts it has.
//
//   node bench/chart.js SUMMARY_JSON OUT.png|OUT.svg
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ tool: string, n: number, phases: Record<string, { median: number | null } | undefined> }} Series
 * @typedef {{ series: Series[] }} Summary
 */

const BLUE = '#1f77b4';
const RED = '#d62728';
const SOLID = /** @type {number[]} */ ([]);
const DASHED = [6, 3];
const DOTTED = [1.5, 2.5];
/** one line per (tool, phase), in legend order: label, colour, dash, marker */
export const STYLE = /** @type {const} */ ([
  { tool: 'psql', phase: 'apply', label: 'psql -f (apply, lower bound)', colour: 'black', dash: SOLID, shape: 'circle' },
  { tool: 'psql', phase: 'check', label: 'psql read-back (plan lower bound)', colour: 'gray', dash: DOTTED, shape: 'triangle-up' },
  { tool: 'xp', phase: 'apply', label: 'xp apply', colour: BLUE, dash: SOLID, shape: 'circle' },
  { tool: 'xp', phase: 'noop', label: 'xp apply, no-op', colour: BLUE, dash: DASHED, shape: 'square' },
  { tool: 'xp', phase: 'check', label: 'xp plan, no-op', colour: BLUE, dash: DOTTED, shape: 'triangle-up' },
  { tool: 'ansible', phase: 'apply', label: 'ansible-playbook', colour: RED, dash: SOLID, shape: 'circle' },
  { tool: 'ansible', phase: 'noop', label: 'ansible-playbook, no-op', colour: RED, dash: DASHED, shape: 'square' },
  { tool: 'ansible', phase: 'check', label: 'ansible-playbook --check', colour: RED, dash: DOTTED, shape: 'triangle-up' },
]);

export const TITLE = 'xp vs Ansible vs one psql session: time against N';
export const X_TITLE = 'tenants (N)';
export const Y_TITLE = 'wall time, seconds (median, log scale)';
const NOTE = "Fresh PostgreSQL server per run, whole-process wall time. Missing points (skipped, killed at the time limit) and the machine's load: RESULTS.md.";
const FONT = 'DejaVu Sans, Verdana, sans-serif';
const WIDTH = 660; // plot area
const HEIGHT = 430;
const PAD = { left: 76, right: 16, top: 36, bottom: 62 };
/** PNG pixels per SVG unit */
const SCALE = 1.25;

/**
 * The lines to draw: one per STYLE entry with at least one median in the summary, its points
 * sorted by N (a phase that never finished at some N has no point there).
 * @param {Summary} summary
 */
export function chartLines(summary) {
  return STYLE.map((s) => ({
    ...s,
    key: `${s.tool}:${s.phase}`,
    points: summary.series
      .filter((x) => x.tool === s.tool && x.phases[s.phase]?.median != null)
      .map((x) => ({ n: x.n, seconds: /** @type {number} */ (x.phases[s.phase]?.median) }))
      .sort((a, b) => a.n - b.n),
  })).filter((l) => l.points.length);
}

/** the [lo, hi] range widened by 5% of its width on a log scale each side */
function logDomain(/** @type {number[]} */ xs) {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const margin = lo === hi ? 2 : (hi / lo) ** 0.05;
  return [lo / margin, hi * margin];
}

/** major (powers of ten) and minor (2..9 × 10^k) ticks inside [lo, hi] */
function logTicks(/** @type {number[]} */ [lo, hi]) {
  const major = [];
  const minor = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (let m = 1; m <= 9; m++) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo && v <= hi) (m === 1 ? major : minor).push(v);
    }
  }
  return { major, minor };
}

/**
 * Where the legend goes: the corner of the plot whose box covers the fewest points of the lines
 * (each segment sampled, on the log scales), top right first on a tie, as matplotlib's "best".
 * @param {ReturnType<typeof chartLines>} lines
 * @param {number[]} xDomain @param {number[]} yDomain @param {number} w @param {number} h
 */
function legendCorner(lines, xDomain, yDomain, w, h) {
  const at = (/** @type {number[]} */ [lo, hi], /** @type {number} */ v) => (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  const samples = lines.flatMap((l) =>
    l.points.flatMap((p, i) => {
      const q = l.points[i + 1] ?? p;
      const [x0, y0, x1, y1] = [at(xDomain, p.n) * WIDTH, (1 - at(yDomain, p.seconds)) * HEIGHT, at(xDomain, q.n) * WIDTH, (1 - at(yDomain, q.seconds)) * HEIGHT];
      return Array.from({ length: 40 }, (_, k) => [x0 + ((x1 - x0) * k) / 40, y0 + ((y1 - y0) * k) / 40]);
    }));
  const m = 8;
  const corners = [
    { x: WIDTH - w - m, y: m },
    { x: m, y: m },
    { x: WIDTH - w - m, y: HEIGHT - h - m },
    { x: m, y: HEIGHT - h - m },
  ];
  const covered = (/** @type {{ x: number, y: number }} */ c) => samples.filter(([x, y]) => x >= c.x - m && x <= c.x + w + m && y >= c.y - m && y <= c.y + h + m).length;
  return corners.reduce((best, c) => (covered(c) < covered(best) ? c : best));
}

/**
 * The Vega specification of the chart (log-log: wall time against N, one line per tool and
 * phase, a legend of the lines drawn).
 * @param {Summary} summary
 */
export function chartSpec(summary) {
  const lines = chartLines(summary);
  if (!lines.length) throw new Error('no medians to draw in the summary');
  const points = lines.flatMap((l) => l.points.map((p) => ({ key: l.key, colour: l.colour, dash: l.dash, shape: l.shape, ...p })));
  const sizes = [...new Set(points.map((p) => p.n))].sort((a, b) => a - b);
  const xDomain = logDomain(sizes);
  const yDomain = logDomain(points.map((p) => p.seconds));
  const xTicks = logTicks(xDomain);
  const yTicks = logTicks(yDomain);
  // within less than a decade, label the 2..9 × 10^k ticks too
  const yLabelled = yTicks.major.length >= 2 ? yTicks.major : [...yTicks.major, ...yTicks.minor].sort((a, b) => a - b);
  const legend = lines.map((l, i) => ({ key: l.key, label: l.label, colour: l.colour, dash: l.dash, shape: l.shape, row: i }));
  const row = 17;
  // DejaVu Sans averages about 0.6 em a character
  const legendWidth = Math.ceil(42 + 0.62 * 11 * Math.max(...legend.map((l) => l.label.length)) + 8);
  const legendHeight = legend.length * row + 8;
  const corner = legendCorner(lines, xDomain, yDomain, legendWidth, legendHeight);
  const grid = { grid: true, gridColor: '#b0b0b0', domain: false };
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    description: TITLE,
    width: WIDTH,
    height: HEIGHT,
    padding: PAD,
    autosize: 'none',
    background: 'white',
    config: { text: { font: FONT }, axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', labelColor: 'black', titleColor: 'black', tickColor: 'black', domainColor: 'black' } },
    data: [
      { name: 'points', values: points },
      { name: 'legend-rows', values: legend },
    ],
    scales: [
      { name: 'x', type: 'log', domain: xDomain, range: 'width', nice: false, zero: false },
      { name: 'y', type: 'log', domain: yDomain, range: 'height', nice: false, zero: false },
    ],
    axes: [
      { scale: 'x', orient: 'bottom', values: xTicks.minor, labels: false, tickSize: 3, ...grid, gridOpacity: 0.15, zindex: 0 },
      { scale: 'y', orient: 'left', values: yTicks.minor.filter((v) => !yLabelled.includes(v)), labels: false, tickSize: 3, ...grid, gridOpacity: 0.15, zindex: 0 },
      { scale: 'x', orient: 'bottom', values: sizes, format: ',', title: X_TITLE, titlePadding: 8, ...grid, gridOpacity: 0.35, zindex: 0 },
      { scale: 'y', orient: 'left', values: yLabelled, format: '~g', title: Y_TITLE, titlePadding: 10, ...grid, gridOpacity: 0.35, zindex: 0 },
    ],
    marks: [
      {
        type: 'text',
        name: 'title',
        encode: { enter: { x: { value: WIDTH / 2 }, y: { value: -12 }, text: { value: TITLE }, align: { value: 'center' }, fontSize: { value: 15 }, fill: { value: 'black' } } },
      },
      {
        type: 'rect',
        name: 'frame',
        encode: { enter: { x: { value: 0 }, y: { value: 0 }, width: { value: WIDTH }, height: { value: HEIGHT }, stroke: { value: 'black' }, strokeWidth: { value: 0.8 } } },
      },
      {
        type: 'group',
        name: 'series',
        from: { facet: { name: 'line', data: 'points', groupby: 'key' } },
        marks: [
          {
            type: 'line',
            name: 'series-line',
            from: { data: 'line' },
            sort: { field: 'datum.n' },
            encode: { enter: { x: { scale: 'x', field: 'n' }, y: { scale: 'y', field: 'seconds' }, stroke: { field: 'colour' }, strokeDash: { field: 'dash' }, strokeWidth: { value: 1.6 }, description: { field: 'key' } } },
          },
        ],
      },
      {
        type: 'symbol',
        name: 'series-point',
        from: { data: 'points' },
        encode: { enter: { x: { scale: 'x', field: 'n' }, y: { scale: 'y', field: 'seconds' }, shape: { field: 'shape' }, fill: { field: 'colour' }, size: { value: 42 }, description: { signal: "datum.key + ' N=' + datum.n + ': ' + datum.seconds + ' s'" } } },
      },
      {
        type: 'group',
        name: 'legend',
        encode: { enter: { x: { value: corner.x }, y: { value: corner.y }, width: { value: legendWidth }, height: { value: legendHeight }, fill: { value: 'white' }, fillOpacity: { value: 0.85 }, stroke: { value: '#cccccc' }, cornerRadius: { value: 3 } } },
        marks: [
          {
            type: 'rule',
            name: 'legend-line',
            from: { data: 'legend-rows' },
            encode: { enter: { x: { value: 8 }, x2: { value: 34 }, y: { signal: `datum.row * ${row} + ${row / 2 + 4}` }, stroke: { field: 'colour' }, strokeDash: { field: 'dash' }, strokeWidth: { value: 1.6 } } },
          },
          {
            type: 'symbol',
            name: 'legend-point',
            from: { data: 'legend-rows' },
            encode: { enter: { x: { value: 21 }, y: { signal: `datum.row * ${row} + ${row / 2 + 4}` }, shape: { field: 'shape' }, fill: { field: 'colour' }, size: { value: 36 } } },
          },
          {
            type: 'text',
            name: 'legend-label',
            from: { data: 'legend-rows' },
            encode: { enter: { x: { value: 42 }, y: { signal: `datum.row * ${row} + ${row / 2 + 4}` }, text: { field: 'label' }, baseline: { value: 'middle' }, fontSize: { value: 11 }, fill: { value: 'black' } } },
          },
        ],
      },
      {
        type: 'text',
        name: 'note',
        encode: { enter: { x: { value: 8 - PAD.left }, y: { value: HEIGHT + PAD.bottom - 8 }, text: { value: NOTE }, fontSize: { value: 9 }, fill: { value: 'dimgray' } } },
      },
    ],
  };
}

/**
 * The chart as SVG.
 * @param {Summary} summary
 * @returns {Promise<string>}
 */
export async function chartSvg(summary) {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(/** @type {any} */ (chartSpec(summary))), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The chart as PNG: the SVG rasterised with the packaged DejaVu Sans (no system font is used).
 * @param {Summary} summary
 * @returns {Promise<Buffer>}
 */
export async function chartPng(summary) {
  const { Resvg } = await import('@resvg/resvg-js');
  const fonts = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const resvg = new Resvg(await chartSvg(summary), {
    background: 'white',
    fitTo: { mode: 'zoom', value: SCALE },
    font: { loadSystemFonts: false, fontFiles: [join(fonts, 'DejaVuSans.ttf'), join(fonts, 'DejaVuSans-Bold.ttf')], defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/**
 * Draws the chart of a summary file to OUT (.svg: the SVG; otherwise PNG).
 * @param {string} summaryPath
 * @param {string} out
 */
export async function drawChart(summaryPath, out) {
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  writeFileSync(out, out.endsWith('.svg') ? await chartSvg(summary) : await chartPng(summary));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.length !== 4) {
    console.error('usage: node bench/chart.js SUMMARY_JSON OUT.png|OUT.svg');
    process.exit(2);
  }
  await drawChart(process.argv[2], process.argv[3]);
}
