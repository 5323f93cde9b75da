// Credentials reach the control server as COPY data, never in a statement or a bind parameter.
// PostgreSQL logs statements and their parameters (log_statement = all logs the bind values;
// log_min_error_statement, log_min_duration_statement log the statement of a failing or slow
// query), but never the rows of a COPY … FROM STDIN. So a call that carries a secret (a
// provider config's password, service accounts' SCRAM verifiers) is: the JSON document,
// hex-encoded, copied into the session's temporary table pg_temp.xp_secret_input; then the
// call, which takes it with xplane.secret_input() (sql/058_credentials.sql); then the table
// emptied if the call failed.
import pg from 'pg';

export type QueryClient = Pick<pg.Client, 'query'>;

const TABLE = 'pg_temp.xp_secret_input';
const SETUP = `create temporary table if not exists xp_secret_input (payload text)`;
const COPY = `copy ${TABLE} (payload) from stdin`;
const CLEANUP = `delete from ${TABLE}`;

/** A COPY … FROM STDIN query that sends `data` as its rows (what pg's Query refuses to do). */
class CopyIn extends pg.Query {
  constructor(
    text: string,
    private readonly data: Buffer,
  ) {
    super(text);
  }

  handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
}

function copyIn(client: QueryClient, text: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const q = new CopyIn(text, data) as CopyIn & { callback?: (err: Error | null) => void };
    q.callback = (err) => (err ? reject(err) : resolve());
    (client.query as unknown as (q: unknown) => void)(q);
  });
}

/**
 * Runs `sql` with `params` after sending `secret` (any JSON value) as COPY data: `sql` reads it
 * with `xplane.secret_input()` (jsonb), exactly once. Nothing of `secret` is in a statement or
 * a parameter, so no server log line can hold it. `client` is one connection (a pg.Client or a
 * pool's client, never a pg.Pool: the input lives in the session), held by the caller for the
 * whole call: two calls interleaved on one connection would take each other's input. The
 * apply's pool of one lends the control connection to one step at a time (onePool, execute.ts).
 */
export async function queryWithSecret<R extends pg.QueryResultRow = pg.QueryResultRow>(
  client: QueryClient,
  secret: unknown,
  sql: string,
  params: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const row = Buffer.from(`${Buffer.from(JSON.stringify(secret), 'utf8').toString('hex')}\n`, 'latin1');
  await client.query(SETUP);
  try {
    await copyIn(client, COPY, row);
    return await client.query<R>(sql, params);
  } catch (err) {
    // Taken by secret_input() when the call ran; otherwise still there. (In a transaction the
    // failure aborted, this fails too, and the rollback empties the table.)
    await client.query(CLEANUP).catch(() => undefined);
    throw err;
  }
}
