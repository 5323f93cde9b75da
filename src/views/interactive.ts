// Whether output may redraw (a live view) or must be lines: decided here, in one place.
// Kept free of ink/react so that commands can ask without loading them (~0.6 s).

/** CI detection, as ink's own (is-in-ci): CI or CONTINUOUS_INTEGRATION set, and not "0"/"false". */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const set = (k: string) => env[k] !== undefined && env[k] !== '0' && env[k] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** Live, redrawing output only on a terminal outside CI; everything else gets lines. */
export function isInteractive(options: { isTTY: boolean; ci: boolean }): boolean {
  return options.isTTY && !options.ci;
}
