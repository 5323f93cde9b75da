// The live apply view's components: pure functions of ApplyState (plus the room on screen and
// whether colour is on). No clocks, no effects, no event handling here — src/tui/state.ts
// turns events into state and src/tui/live.tsx drives the frames.
//
// Shape (ink's Jest example): finished rows go to <Static> once and scroll away; the running
// and waiting rows are redrawn below them, grouped by kind; the progress bar and, at the end,
// the summary and the errors come last.
import { memo } from 'react';
import { Box, Static, Text } from 'ink';
import type { ApplyState, KindGroup, LogItem, ResourceRow, StatusCounts } from './state.js';
import { rowElapsed, waitingOn } from './state.js';
import { isCollapsed, liveLines, staticItems, type LiveLine } from './layout.js';
import { actionWords, failureReason, formatDuration, formatShortDuration, interruptedLine, notableStatus, succeeded, summaryLine } from '../views/format.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The spinner frame for a clock: a pure function of time, so every frame of a test is reproducible. */
export function spinnerFrame(now: number): string {
  return SPINNER[Math.floor(now / 100) % SPINNER.length]!;
}

type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'gray';

interface Paint {
  color: boolean;
}

/** A Text's colour, or none when colour is off (--no-color, NO_COLOR). */
function tone(p: Paint, t: Tone): Tone | undefined {
  return p.color ? t : undefined;
}

export interface RowLineProps extends Paint {
  row: ResourceRow;
  /** Width of the address column. */
  addressWidth: number;
  /** "waiting on …" text for a waiting row. */
  waitingFor?: string[];
  elapsedMs?: number;
  spinner: string;
  /** The walk is over: a row still waiting was never started. */
  final?: boolean;
}

/** One resource: waiting on X / running with a spinner and elapsed time / done with the action taken / failed with the provider's reason. */
export const RowLine = memo(function RowLine(p: RowLineProps) {
  const { row } = p;
  const address = row.address.padEnd(p.addressWidth);
  const elapsed = p.elapsedMs !== undefined ? formatShortDuration(p.elapsedMs) : '';
  const words = actionWords(row.action);
  switch (row.status) {
    case 'waiting': {
      const on = p.waitingFor ?? [];
      const text = p.final ? 'not started' : on.length === 0 ? 'waiting' : `waiting on ${on[0]}${on.length > 1 ? ` and ${on.length - 1} more` : ''}`;
      return (
        <Text wrap="truncate-end" dimColor>
          {'· '}
          {address} {text}
        </Text>
      );
    }
    case 'running':
      return (
        <Text wrap="truncate-end">
          <Text color={tone(p, 'cyan')}>{p.spinner} </Text>
          {address} {words.still}… <Text dimColor>{elapsed}</Text>
        </Text>
      );
    case 'done': {
      const notable = row.statusCode ? notableStatus(row.action, row.statusCode) : undefined;
      return (
        <Text wrap="truncate-end">
          <Text color={tone(p, 'green')}>✓ </Text>
          {address} <Text color={tone(p, 'green')}>{words.done}</Text>
          {notable ? <Text color={tone(p, 'yellow')}> ({notable})</Text> : null} <Text dimColor>{elapsed}</Text>
        </Text>
      );
    }
    case 'failed':
      return (
        <Text wrap="truncate-end">
          <Text color={tone(p, 'red')}>✗ </Text>
          {address}{' '}
          <Text color={tone(p, 'red')}>
            {row.action} failed — {failureReason(row.statusCode ?? 'error', row.message ?? '')}
          </Text>
        </Text>
      );
    case 'skipped':
      return (
        <Text wrap="truncate-end" color={tone(p, 'yellow')}>
          {'- '}
          {address} not run: {row.reason ?? `${row.upstream} failed`}
        </Text>
      );
  }
});

function countsText(c: StatusCounts): string {
  const finished = c.done + c.failed + c.skipped;
  const parts = [`${finished}/${c.total}`];
  if (c.running > 0) parts.push(`${c.running} running`);
  if (c.waiting > 0) parts.push(`${c.waiting} waiting`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.skipped > 0) parts.push(`${c.skipped} not run`);
  return parts.join(' · ');
}

export interface GroupLineProps extends Paint {
  group: Pick<KindGroup, 'kind' | 'counts'>;
  spinner?: string;
}

/** A kind's header in the live part: `Schema 3/10 · 2 running · 5 waiting`. */
export const GroupLine = memo(function GroupLine(p: GroupLineProps) {
  return (
    <Text wrap="truncate-end">
      {p.spinner ? <Text color={tone(p, 'cyan')}>{p.spinner} </Text> : null}
      <Text bold>{p.group.kind}</Text> <Text dimColor>{countsText(p.group.counts)}</Text>
    </Text>
  );
});

/** A finished kind, in long runs: `✓ Schema 1000 done (14s)` or `✗ ServiceAccount 999 done, 1 failed (15s)`. */
export function GroupDoneLine(p: Paint & { group: KindGroup; elapsedMs: number }) {
  const c = p.group.counts;
  const bad = c.failed + c.skipped > 0;
  const parts = [`${c.done} done`];
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.skipped > 0) parts.push(`${c.skipped} not run`);
  return (
    <Text wrap="truncate-end">
      <Text color={tone(p, bad ? 'red' : 'green')}>{bad ? '✗' : '✓'} </Text>
      <Text bold>{p.group.kind}</Text> {parts.join(', ')} <Text dimColor>({formatDuration(p.elapsedMs)})</Text>
    </Text>
  );
}

export interface ProgressBarProps extends Paint {
  counts: StatusCounts;
  elapsedMs: number;
  width: number;
}

/** `[██████░░░░] 412/1000 · 8 running · 580 waiting · 1 failed · 14s` */
export function ProgressBar(p: ProgressBarProps) {
  const c = p.counts;
  const finished = c.done + c.failed + c.skipped;
  const barWidth = Math.max(10, Math.min(30, p.width - 60));
  const filled = c.total === 0 ? 0 : Math.round((finished / c.total) * barWidth);
  return (
    <Text wrap="truncate-end">
      [<Text color={tone(p, c.failed > 0 ? 'red' : 'green')}>{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>] {countsText(c)} · {formatDuration(p.elapsedMs)}
    </Text>
  );
}

/** The end of a failed run: each failure with the provider's full message. Stays on screen. */
export function ErrorList(p: Paint & { rows: ResourceRow[] }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      {p.rows.map((r) => (
        <Box key={r.address} flexDirection="column" marginBottom={1}>
          <Text>
            <Text color={tone(p, 'red')} bold>
              Error:
            </Text>{' '}
            <Text bold>{r.address}</Text>: {actionWords(r.action).noun.toLowerCase()} failed ({r.statusCode ?? 'error'})
          </Text>
          <Box flexDirection="column" paddingLeft={2}>
            {(r.message ?? '')
              .trim()
              .split('\n')
              .filter((l) => l.trim() !== '')
              .map((l, i) => (
                <Text key={i}>{l}</Text>
              ))}
          </Box>
        </Box>
      ))}
    </Box>
  );
}

export interface ApplyScreenProps extends Paint {
  state: ApplyState;
  /** Terminal size; the live part never grows taller than `height`. */
  width: number;
  height: number;
  /** The walk is over: no spinners, the summary and the errors. */
  final?: boolean;
  collapseAbove?: number;
}

function addressWidthOf(state: ApplyState): number {
  let w = 0;
  for (const a of state.order) w = Math.max(w, a.length);
  return Math.min(w, 48);
}

/** Lines left for unfinished rows on the final screen (what never started is counted, not listed). */
const FINAL_ROWS = 12;

/** The whole live view: Static history, live rows, progress bar, summary, errors. */
export function ApplyScreen(p: ApplyScreenProps) {
  const { state } = p;
  const collapsed = isCollapsed(state, p.collapseAbove);
  const addressWidth = addressWidthOf(state);
  const final = p.final || state.complete !== undefined;
  // While running, the live part fits the terminal (rows for the progress bar and a blank line).
  // At the end, everything goes to <Static>: the final screen may be taller than the terminal
  // (many errors), and Ink clears the whole screen when its live part is.
  const tail = <Tail {...p} collapsed={collapsed} addressWidth={addressWidth} final={final} budget={final ? FINAL_ROWS : Math.max(3, p.height - 4)} />;
  const history: (LogItem | { type: 'final' })[] = staticItems(state, collapsed);
  if (final) history.push({ type: 'final' });
  return (
    <>
      <Static items={history}>
        {(item) =>
          item.type === 'final' ? (
            <Box key="final" flexDirection="column">
              {tail}
            </Box>
          ) : item.type === 'row' ? (
            <RowLine
              key={`r:${item.address}`}
              color={p.color}
              row={state.rows.get(item.address)!}
              addressWidth={addressWidth}
              elapsedMs={state.rows.get(item.address)!.elapsedMs}
              spinner=""
            />
          ) : (
            <GroupDoneLine
              key={`g:${item.kind}`}
              color={p.color}
              group={state.groups.find((g) => g.kind === item.kind)!}
              elapsedMs={item.at - state.startedAt}
            />
          )
        }
      </Static>
      {final ? null : tail}
    </>
  );
}

/** Below the history: running and waiting rows, the progress bar, and at the end the summary and the errors. */
function Tail(p: ApplyScreenProps & { collapsed: boolean; addressWidth: number; final: boolean; budget: number }) {
  const { state, final } = p;
  const lines = liveLines(state, p.budget, p.collapsed);
  const elapsedMs = state.complete?.elapsedMs ?? state.now - state.startedAt;
  return (
    <Box flexDirection="column">
      {lines.length > 0 ? (
        <Box flexDirection="column">
          {lines.map((l) => (
            <LiveLineView
              key={liveKey(l)}
              line={l}
              state={state}
              color={p.color}
              addressWidth={p.addressWidth}
              spinner={final ? '·' : spinnerFrame(state.now)}
              collapsed={p.collapsed}
              final={final}
            />
          ))}
        </Box>
      ) : null}
      <Box marginTop={lines.length > 0 ? 1 : 0}>
        <ProgressBar color={p.color} counts={state.counts} elapsedMs={elapsedMs} width={p.width} />
      </Box>
      {state.interrupted ? <Text color={tone(p, 'yellow')}>{interruptedLine(state.interrupted)}</Text> : null}
      {state.complete ? (
        <Box marginTop={1}>
          <Text bold color={tone(p, succeeded(state.complete, state.interrupted !== undefined) ? 'green' : 'red')}>
            {summaryLine(state.complete, state.interrupted !== undefined)}
          </Text>
        </Box>
      ) : null}
      {final && state.failures.length > 0 ? <ErrorList color={p.color} rows={state.failures.map((a) => state.rows.get(a)!)} /> : null}
    </Box>
  );
}

function liveKey(l: LiveLine): string {
  return l.type === 'row' ? `r:${l.row.address}` : `${l.type}:${l.kind}`;
}

function LiveLineView(p: Paint & { line: LiveLine; state: ApplyState; addressWidth: number; spinner: string; collapsed: boolean; final: boolean }) {
  const l = p.line;
  switch (l.type) {
    case 'group':
      return <GroupLine color={p.color} group={l} spinner={p.collapsed ? p.spinner : undefined} />;
    case 'row':
      return (
        <Box paddingLeft={2}>
          <RowLine
            color={p.color}
            row={l.row}
            addressWidth={p.addressWidth}
            waitingFor={l.row.status === 'waiting' ? waitingOn(p.state, l.row) : undefined}
            elapsedMs={rowElapsed(p.state, l.row)}
            spinner={p.spinner}
            final={p.final}
          />
        </Box>
      );
    case 'more': {
      const parts: string[] = [];
      if (l.running > 0) parts.push(`${l.running} more running`);
      if (l.waiting > 0) parts.push(`${l.waiting} more ${p.final ? 'not started' : 'waiting'}`);
      return (
        <Box paddingLeft={2}>
          <Text dimColor>… {parts.join(', ')}</Text>
        </Box>
      );
    }
  }
}
