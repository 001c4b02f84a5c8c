import type { Client as PgClient } from 'pg';
import { restCall, until } from './polling';

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Arguments that PostgreSQL's jsonb or text refuse as sent, and what the trail stores instead. */
export const POISON_ARGUMENTS = {
  nul: { sent: { search: 'a\u0000b' }, stored: { search: 'a\\u0000b' } },
  nulKey: { sent: { ['se\u0000arch']: 'x' } },
  surrogate: { sent: { search: 'x\uD800y' }, stored: { search: 'x\uFFFDy' } },
  lowSurrogate: { sent: { search: '\uDC00' } },
  huge: { sent: { search: 'x'.repeat(1_000_000) } },
  manyKeys: { sent: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])) },
  deep: { sent: nested(1_000) as Record<string, unknown> },
} as const;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Calls list_charts over REST once with each poison argument and an ordinary health_check after
 * each; answers the request ids, all of which the trail must hold exactly once.
 */
export async function poisonThenOrdinary(baseUrl: string, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [name, { sent }] of Object.entries(POISON_ARGUMENTS)) {
    const id = `${prefix}-${snake(name)}`;
    // Refused or not, every call is audited.
    await restCall(baseUrl, 'list_charts', id, sent);
    const after = `${id}-after`;
    if ((await restCall(baseUrl, 'health_check', after)) !== 200) throw new Error(`${after} failed`);
    ids.push(id, after);
  }
  return ids;
}

/** Waits until the audit table holds a row for each request id; answers how many each has. */
export async function trailRows(pg: PgClient, ids: string[], timeoutMs = 15_000) {
  return until(
    async () =>
      (
        await pg.query<{ request_id: string; n: string }>(
          `SELECT request_id, count(*) AS n FROM audit_events WHERE request_id = ANY($1) GROUP BY request_id`,
          [ids],
        )
      ).rows,
    (r) => r.length === ids.length,
    timeoutMs,
  );
}

/**
 * Makes the audit table refuse the row of one request id, as PostgreSQL refuses a value it cannot
 * store (SQLSTATE 22000); answers what lets it take that row again.
 */
export async function refuseInAuditTable(pg: PgClient, requestId: string): Promise<() => Promise<void>> {
  const literal = `'${requestId.replace(/'/g, "''")}'`;
  await pg.query(`CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.request_id = ${literal} THEN
        RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'data_exception';
      END IF;
      RETURN NEW;
    END $$`);
  await pg.query(`CREATE TRIGGER refuse_for_test BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_for_test()`);
  return async () => {
    await pg.query(`DROP TRIGGER refuse_for_test ON audit_events`);
    await pg.query(`DROP FUNCTION refuse_for_test()`);
  };
}
