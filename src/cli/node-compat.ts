// Imported first by the CLI. Node 20 has no global `navigator` (Node 21 and later have one).
// pg (lib/stream.js) detects Cloudflare Workers through navigator.userAgent and, without it,
// constructs a `Response`, which loads Node's whole fetch implementation (undici): about 25 ms
// on every command that connects. Where it is missing, define what Node 21+ defines there.
const g = globalThis as { navigator?: unknown };
if (g.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
    configurable: true,
    writable: true,
  });
}

export {};
