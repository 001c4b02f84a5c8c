import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, ValidationError } from '@meridian/errors';
import type { StatementKind } from '../../guard/statement';
import { PostgresDialect } from './postgres.dialect';

const dialect = new PostgresDialect();

async function ruleOf(sql: string): Promise<unknown> {
  const err = await dialect.analyse(sql).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, sql).toBeInstanceOf(ValidationError);
  expect(err).not.toBeInstanceOf(PermissionDeniedError);
  return (err as ValidationError).details?.rule;
}

const ALLOWED: [string, string, StatementKind][] = [
  ['plain select', 'SELECT 1', 'read'],
  ['mixed casing', 'sElEcT region FrOm orders', 'read'],
  ['trailing semicolon', 'SELECT 1;', 'read'],
  [
    'join with aggregates',
    'SELECT c.region, sum(o.revenue) FROM orders o JOIN customers c USING (customer_id) GROUP BY 1',
    'read',
  ],
  [
    'window and filter',
    'SELECT count(*) FILTER (WHERE x > 1), rank() OVER (PARTITION BY a ORDER BY b) FROM t',
    'read',
  ],
  [
    'DISTINCT ON and casts',
    'SELECT DISTINCT ON (region) region, revenue::numeric(12,2) FROM orders ORDER BY region',
    'read',
  ],
  [
    'LATERAL',
    'SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.customer_id = c.customer_id LIMIT 1) x',
    'read',
  ],
  ['CTE', 'WITH r AS (SELECT region FROM orders) SELECT * FROM r', 'read'],
  [
    'recursive CTE',
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n',
    'read',
  ],
  ['VALUES', "VALUES (1, 'a'), (2, 'b')", 'read'],
  ['TABLE', 'TABLE orders', 'read'],
  [
    'set operations',
    'SELECT a FROM t UNION SELECT b FROM u INTERSECT SELECT c FROM v EXCEPT SELECT d FROM w',
    'read',
  ],
  [
    'subqueries',
    'SELECT * FROM t WHERE a IN (SELECT b FROM u) AND EXISTS (SELECT 1 FROM v) AND c = (SELECT max(c) FROM w)',
    'read',
  ],
  ['json operators', "SELECT data->>'k', data #> '{a,b}' FROM t", 'read'],
  ['quoted keywords', 'SELECT "select" FROM "from" AS "where"', 'read'],
  ['DDL words inside a string', "SELECT 'DROP TABLE orders; DELETE FROM x' AS s", 'read'],
  ['block comment hiding a statement', 'SELECT 1 /* ; DROP TABLE orders */', 'read'],
  ['line comment hiding a statement', 'SELECT 1 -- ; DROP TABLE orders', 'read'],
  ['set-returning function in FROM', 'SELECT * FROM generate_series(1, 3) AS g(n)', 'read'],
  ['EXPLAIN', 'EXPLAIN SELECT * FROM orders', 'explain'],
  ['EXPLAIN with options', 'EXPLAIN (COSTS false, FORMAT json) SELECT 1', 'explain'],
  ['SHOW', 'SHOW search_path', 'show'],
  ['INSERT', 'INSERT INTO t (a) VALUES (1)', 'write'],
  ['UPDATE with FROM', 'UPDATE t SET a = u.a FROM u WHERE t.id = u.id', 'write'],
  ['DELETE', 'DELETE FROM t WHERE a = 1', 'write'],
];

const REFUSED: [string, string, string][] = [
  ['two statements', 'SELECT 1; SELECT 2', 'multiple_statements'],
  ['a read then DDL', 'SELECT 1; DROP TABLE orders', 'multiple_statements'],
  ['casing tricks across statements', 'SeLeCt 1; dRoP tAbLe orders', 'multiple_statements'],
  ['nothing', ';', 'empty_statement'],
  ['only a comment', '-- nothing here', 'empty_statement'],
  ['not SQL', 'SELEC 1', 'parse_error'],
  ['MySQL syntax', 'SELECT `a` FROM t', 'parse_error'],
  ['CREATE TABLE', 'CREATE TABLE x (a int)', 'ddl'],
  ['CREATE TABLE AS', 'CREATE TABLE x AS SELECT 1', 'ddl'],
  ['DROP TABLE', 'DROP TABLE orders', 'ddl'],
  ['comment before DDL', '/* harmless */ DROP TABLE orders', 'ddl'],
  ['ALTER TABLE', 'ALTER TABLE orders ADD COLUMN x int', 'ddl'],
  ['TRUNCATE', 'TRUNCATE orders', 'ddl'],
  ['GRANT', 'GRANT SELECT ON orders TO public', 'ddl'],
  ['REVOKE', 'REVOKE SELECT ON orders FROM public', 'ddl'],
  ['CREATE INDEX', 'CREATE INDEX i ON orders (region)', 'ddl'],
  ['CREATE VIEW', 'CREATE VIEW v AS SELECT 1', 'ddl'],
  ['CREATE FUNCTION', "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", 'ddl'],
  ['COMMENT ON', "COMMENT ON TABLE orders IS 'x'", 'ddl'],
  ['REFRESH MATERIALIZED VIEW', 'REFRESH MATERIALIZED VIEW m', 'ddl'],
  ['data-changing CTE', 'WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d', 'data_changing_cte'],
  [
    'nested data-changing CTE',
    'WITH a AS (WITH b AS (UPDATE t SET x = 1 RETURNING *) SELECT * FROM b) SELECT * FROM a',
    'data_changing_cte',
  ],
  [
    'data-changing CTE under DML',
    'WITH i AS (INSERT INTO t VALUES (1) RETURNING *) DELETE FROM u',
    'data_changing_cte',
  ],
  ['SELECT INTO', 'SELECT * INTO copy_of_orders FROM orders', 'select_into'],
  ['FOR UPDATE', 'SELECT * FROM orders FOR UPDATE', 'locking_read'],
  ['FOR SHARE in a subquery', 'SELECT * FROM (SELECT * FROM orders FOR SHARE) x', 'locking_read'],
  ['COPY TO', 'COPY orders TO STDOUT', 'copy'],
  ['COPY TO PROGRAM', "COPY (SELECT 1) TO PROGRAM 'id'", 'copy'],
  ['CALL', 'CALL p()', 'call'],
  ['DO', 'DO $$ BEGIN PERFORM 1; END $$', 'do_block'],
  ['PREPARE', 'PREPARE q AS SELECT 1', 'prepared_statement'],
  ['EXECUTE', 'EXECUTE q', 'prepared_statement'],
  ['DEALLOCATE', 'DEALLOCATE q', 'prepared_statement'],
  ['EXPLAIN ANALYZE', 'EXPLAIN ANALYZE SELECT 1', 'explain_analyze'],
  ['EXPLAIN (ANALYZE)', 'EXPLAIN (ANALYZE, BUFFERS) SELECT 1', 'explain_analyze'],
  ['EXPLAIN of DML', 'EXPLAIN DELETE FROM orders', 'explain_target'],
  ['SET ROLE', 'SET ROLE postgres', 'session_setting'],
  ['RESET ROLE', 'RESET ROLE', 'session_setting'],
  ['SET SESSION AUTHORIZATION', 'SET SESSION AUTHORIZATION postgres', 'session_setting'],
  ['SET search_path', 'SET search_path = secret', 'session_setting'],
  ['SET LOCAL statement_timeout', 'SET LOCAL statement_timeout = 0', 'session_setting'],
  ['RESET ALL', 'RESET ALL', 'session_setting'],
  ['DISCARD', 'DISCARD ALL', 'session_setting'],
  ['BEGIN', 'BEGIN', 'transaction_control'],
  ['COMMIT', 'COMMIT', 'transaction_control'],
  ['ROLLBACK', 'ROLLBACK', 'transaction_control'],
  ['SAVEPOINT', 'SAVEPOINT s', 'transaction_control'],
  ['SET TRANSACTION READ WRITE', 'SET TRANSACTION READ WRITE', 'session_setting'],
  ['LOCK TABLE', 'LOCK TABLE orders', 'transaction_control'],
  ['LISTEN', 'LISTEN c', 'statement_type'],
  ['NOTIFY', "NOTIFY c, 'x'", 'statement_type'],
  ['VACUUM', 'VACUUM orders', 'statement_type'],
  ['CHECKPOINT', 'CHECKPOINT', 'statement_type'],
  ['LOAD', "LOAD 'plpgsql'", 'statement_type'],
  ['DECLARE CURSOR', 'DECLARE c CURSOR FOR SELECT 1', 'statement_type'],
];

const DENIED_FUNCTIONS: [string, string][] = [
  ['pg_read_file', "SELECT pg_read_file('/etc/passwd')"],
  ['pg_read_binary_file', "SELECT pg_read_binary_file('/etc/passwd')"],
  ['pg_ls_dir', "SELECT * FROM pg_ls_dir('.')"],
  ['pg_stat_file', "SELECT pg_stat_file('postgresql.conf')"],
  ['lo_import', "SELECT lo_import('/etc/passwd')"],
  ['lo_export', "SELECT lo_export(1, '/tmp/x')"],
  ['dblink', "SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)"],
  ['dblink_exec', "SELECT dblink_exec('host=evil', 'DROP TABLE x')"],
  ['query_to_xml', "SELECT query_to_xml('SELECT * FROM secret', true, false, '')"],
  ['table_to_xml', "SELECT table_to_xml('secret', true, false, '')"],
  ['database_to_xml', "SELECT database_to_xml(true, false, '')"],
  ['ts_stat', "SELECT * FROM ts_stat('SELECT to_tsvector(x) FROM secret')"],
  ['set_config', "SELECT set_config('search_path', 'secret', false)"],
  ['current_setting', "SELECT current_setting('data_directory')"],
  ['pg_terminate_backend', 'SELECT pg_terminate_backend(1)'],
  ['pg_cancel_backend', 'SELECT pg_cancel_backend(1)'],
  ['pg_sleep', 'SELECT pg_sleep(10)'],
  ['pg_sleep_for', "SELECT pg_sleep_for('10 seconds')"],
  ['pg_advisory_lock', 'SELECT pg_advisory_lock(1)'],
  ['pg_reload_conf', 'SELECT pg_reload_conf()'],
  ['nextval', "SELECT nextval('s')"],
  ['pg_sleep (schema-qualified)', 'SELECT pg_catalog.pg_sleep(10)'],
  ['PG_SLEEP (quoted, upper case)', 'SELECT "PG_SLEEP"(10)'],
  ['pg_sleep (in a subquery)', 'SELECT * FROM t WHERE a = (SELECT pg_sleep(10)::text)'],
  ['pg_sleep (in a CTE)', 'WITH s AS (SELECT pg_sleep(10)) SELECT * FROM s'],
];

describe('PostgreSQL guard', () => {
  it.each(ALLOWED)('allows %s', async (_name, sql, kind) => {
    expect((await dialect.analyse(sql)).kind).toBe(kind);
  });

  it.each(REFUSED)('refuses %s', async (_name, sql, rule) => {
    expect(await ruleOf(sql)).toBe(rule);
  });

  it.each(DENIED_FUNCTIONS)('refuses %s, which is not on the allow-list', async (_name, sql) => {
    expect(await ruleOf(sql)).toBe('function_not_allowed');
  });

  it('leaves names that may be functions applied to a value for the database to confirm', async () => {
    const st = await dialect.analyse('SELECT t.pg_read_file, t.region, (x).y, t.name, t.* FROM t');
    expect(st.possibleCalls).toEqual(['pg_read_file', 'region', 'y']);
  });

  it('names the rule and the field in the error', async () => {
    const err = (await dialect.analyse('DROP TABLE orders').catch((e: unknown) => e)) as ValidationError;
    expect(err.message).toMatch(/^SQL refused \(ddl\): Schema changes/);
    expect(err.details).toMatchObject({ field: 'sql', rule: 'ddl' });
  });

  it('records relations through CTE scopes as PostgreSQL resolves them', async () => {
    const st = await dialect.analyse(
      'WITH orders AS (SELECT * FROM orders), x AS (SELECT * FROM orders) SELECT * FROM orders, "Orders", x',
    );
    expect(st.relations.map((r) => [r.schema, r.name])).toEqual([
      [null, 'orders'],
      [null, 'Orders'],
    ]);
  });

  it('sees a recursive CTE as itself, not as a table', async () => {
    const st = await dialect.analyse(
      'WITH RECURSIVE orders AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM orders WHERE n < 3) SELECT * FROM orders',
    );
    expect(st.relations).toEqual([]);
  });

  it('refuses schema-qualified routines, operators and types outside pg_catalog', async () => {
    expect(await ruleOf('SELECT public.f(1) FROM x')).toBe('function_not_allowed');
    expect(await ruleOf('SELECT a OPERATOR(public.+) b FROM x')).toBe('operator_not_allowed');
    expect(await ruleOf('SELECT c::public.t FROM x')).toBe('type_not_allowed');
    const st = await dialect.analyse('SELECT public.f(1), a OPERATOR(pg_catalog.+) b FROM x', {
      names: new Set(['public.f']),
      invalid: [],
    });
    expect(st.routines.filter((r) => r.schema !== null).map((r) => [r.kind, r.schema, r.name])).toEqual([
      ['function', 'public', 'f'],
      ['operator', 'pg_catalog', '+'],
    ]);
  });
});
