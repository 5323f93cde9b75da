#!/usr/bin/env node
// The launcher: everything else lives in src/ (compiled to dist/ by `npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
