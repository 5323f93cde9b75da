// Preloaded into an xp process (node --import) by test/e2e/connection.test.ts: counts the
// PostgreSQL connections the process holds open at once, from inside — every pg.Client, pooled
// or not, connects through Client.prototype.connect and emits 'end' when its connection closes
// — and writes the peak (and the total opened) to XP_CONNECTIONS_FILE at exit. Exact, unlike
// sampling pg_stat_activity from outside, which can miss a connection that lives between two
// samples.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// the pg that xp imports: resolved from the working tree's node_modules, as xp resolves it
const pg = createRequire(join(process.env.XP_CONNECTIONS_REPO, 'package.json'))('pg');
let open = 0;
let peak = 0;
let opened = 0;
const connect = pg.Client.prototype.connect;
pg.Client.prototype.connect = function (callback) {
  const counted = () => {
    open++;
    opened++;
    peak = Math.max(peak, open);
    this.once('end', () => open--);
  };
  if (typeof callback === 'function') {
    return connect.call(this, (err, ...rest) => {
      if (!err) counted();
      callback(err, ...rest);
    });
  }
  return connect.call(this).then((result) => {
    counted();
    return result;
  });
};
process.on('exit', () => writeFileSync(process.env.XP_CONNECTIONS_FILE, JSON.stringify({ peak, opened, open })));
