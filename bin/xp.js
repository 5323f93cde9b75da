#!/usr/bin/env node
// The launcher: everything else lives in src/ (compiled to dist/ by `npm run build`).
import '../dist/cli/heap.js'; // V8's young generation: see src/cli/heap.ts
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
