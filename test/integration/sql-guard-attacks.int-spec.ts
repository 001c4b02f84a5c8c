import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_ROWS, failure, startSqlFixture, type SqlFixture, type Who } from './sql-harness';

/**
 * Statements that ran code on the server through the old deny-list, and their kin: each must be
 * refused by the allow-list, with its rule and the function, operator or type it names, both for a
 * caller bound by grants and row-level security and for Admin on a superuser connection, where
 * nothing but the guard stands between the statement and the server.
 */
type Attack = [name: string, sql: string, rule: string, names?: string];

const PG_ATTACKS: Attack[] = [
  // Attribute notation: (x).f is f(x).
  [
    'attribute notation: pg_read_file',
    "SELECT ('/etc/passwd'::text).pg_read_file",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'attribute notation: pg_read_binary_file on a table file',
    "SELECT (pg_relation_filepath('public.orders')).pg_read_binary_file",
    'function_not_allowed',
    'pg_relation_filepath',
  ],
  [
    'attribute notation: pg_read_binary_file on a path',
    "SELECT ('base/1/1259'::text).pg_read_binary_file",
    'function_not_allowed',
    'pg_read_binary_file',
  ],
  [
    'attribute notation: pg_terminate_backend on a column',
    'SELECT (pid).pg_terminate_backend FROM (SELECT 1 AS pid) s',
    'function_not_allowed',
    'pg_terminate_backend',
  ],
  [
    'attribute notation: pg_cancel_backend',
    'SELECT (1).pg_cancel_backend',
    'function_not_allowed',
    'pg_cancel_backend',
  ],
  [
    'attribute notation: pg_advisory_lock',
    'SELECT (42::bigint).pg_advisory_lock',
    'function_not_allowed',
    'pg_advisory_lock',
  ],
  ['attribute notation: pg_ls_dir', "SELECT ('.'::text).pg_ls_dir", 'function_not_allowed', 'pg_ls_dir'],
  [
    'attribute notation: current_setting',
    "SELECT ('data_directory'::text).current_setting",
    'function_not_allowed',
    'current_setting',
  ],
  [
    'attribute notation: pg_stat_file',
    "SELECT ('postgresql.conf'::text).pg_stat_file",
    'function_not_allowed',
    'pg_stat_file',
  ],
  [
    'attribute notation: quoted name',
    `SELECT ('/etc/passwd'::text)."pg_read_file"`,
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'attribute notation: nested',
    "SELECT (('/etc/passwd'::text).pg_read_file).length",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'attribute notation: on a scalar subquery',
    "SELECT ((SELECT '/etc/passwd'::text)).pg_read_file",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'attribute notation: on a column of a table',
    "SELECT (t.x).pg_read_file FROM (SELECT '/etc/passwd'::text AS x) t",
    'function_not_allowed',
    'pg_read_file',
  ],
  // Qualified column references that are function calls on the row.
  [
    'qualified column: a function of the whole row',
    'SELECT t.pg_typeof FROM (SELECT 1 AS a) t',
    'function_not_allowed',
    'pg_typeof',
  ],
  [
    'qualified column: a function of a column',
    "SELECT t.x.pg_read_file FROM (SELECT '/etc/passwd'::text AS x) t",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'qualified column: a function of a dataset row',
    'SELECT o.pg_column_size FROM orders o',
    'function_not_allowed',
    'pg_column_size',
  ],
  // Direct calls to file, session, lock, setting and sequence functions.
  ['file: pg_read_file', "SELECT pg_read_file('/etc/passwd')", 'function_not_allowed', 'pg_read_file'],
  [
    'file: pg_read_binary_file',
    "SELECT pg_read_binary_file('/etc/passwd')",
    'function_not_allowed',
    'pg_read_binary_file',
  ],
  [
    'file: pg_read_file_old',
    "SELECT pg_read_file_old('/etc/passwd', 0, 100)",
    'function_not_allowed',
    'pg_read_file_old',
  ],
  ['file: pg_stat_file', "SELECT pg_stat_file('postgresql.conf')", 'function_not_allowed', 'pg_stat_file'],
  ['file: pg_ls_waldir', 'SELECT * FROM pg_ls_waldir()', 'function_not_allowed', 'pg_ls_waldir'],
  ['file: lo_import', "SELECT lo_import('/etc/passwd')", 'function_not_allowed', 'lo_import'],
  ['file: lo_get', 'SELECT lo_get(1)', 'function_not_allowed', 'lo_get'],
  [
    'session: pg_terminate_backend',
    'SELECT pg_terminate_backend(1)',
    'function_not_allowed',
    'pg_terminate_backend',
  ],
  ['session: pg_sleep', 'SELECT pg_sleep(10)', 'function_not_allowed', 'pg_sleep'],
  [
    'lock: pg_try_advisory_lock',
    'SELECT pg_try_advisory_lock(42)',
    'function_not_allowed',
    'pg_try_advisory_lock',
  ],
  [
    'setting: set_config',
    "SELECT set_config('search_path', 'public', false)",
    'function_not_allowed',
    'set_config',
  ],
  ['setting: pg_reload_conf', 'SELECT pg_reload_conf()', 'function_not_allowed', 'pg_reload_conf'],
  ['sequence: nextval', "SELECT nextval('orders_seq')", 'function_not_allowed', 'nextval'],
  ['sequence: setval', "SELECT setval('orders_seq', 1)", 'function_not_allowed', 'setval'],
  ['sequence: currval', "SELECT currval('orders_seq')", 'function_not_allowed', 'currval'],
  ['sequence: lastval', 'SELECT lastval()', 'function_not_allowed', 'lastval'],
  ['notify: pg_notify', "SELECT pg_notify('c', 'x')", 'function_not_allowed', 'pg_notify'],
  // Names written to slip past a list.
  [
    'name: schema-qualified',
    "SELECT pg_catalog.pg_read_file('/etc/passwd')",
    'function_not_allowed',
    'pg_catalog.pg_read_file',
  ],
  ['name: quoted', `SELECT "pg_read_file"('/etc/passwd')`, 'function_not_allowed', 'pg_read_file'],
  ['name: quoted upper case', 'SELECT "PG_SLEEP"(1)', 'function_not_allowed', 'PG_SLEEP'],
  ['name: quoted schema', `SELECT "pg_catalog"."pg_sleep"(1)`, 'function_not_allowed', 'pg_catalog.pg_sleep'],
  [
    'name: named argument',
    "SELECT pg_read_file(filename => '/etc/passwd')",
    'function_not_allowed',
    'pg_read_file',
  ],
  // Volatile built-ins that write or reach the server despite READ ONLY.
  [
    'volatile: brin_summarize_new_values',
    "SELECT brin_summarize_new_values('orders_pkey')",
    'function_not_allowed',
    'brin_summarize_new_values',
  ],
  [
    'volatile: gin_clean_pending_list',
    "SELECT gin_clean_pending_list('x')",
    'function_not_allowed',
    'gin_clean_pending_list',
  ],
  [
    'volatile: pg_copy_physical_replication_slot',
    "SELECT pg_copy_physical_replication_slot('a', 'b')",
    'function_not_allowed',
    'pg_copy_physical_replication_slot',
  ],
  [
    'volatile: pg_export_snapshot',
    'SELECT pg_export_snapshot()',
    'function_not_allowed',
    'pg_export_snapshot',
  ],
  [
    'volatile: pg_logical_emit_message',
    "SELECT pg_logical_emit_message(true, 'p', 'x')",
    'function_not_allowed',
    'pg_logical_emit_message',
  ],
  ['volatile: txid_current', 'SELECT txid_current()', 'function_not_allowed', 'txid_current'],
  [
    'volatile: pg_current_xact_id',
    'SELECT pg_current_xact_id()',
    'function_not_allowed',
    'pg_current_xact_id',
  ],
  ['volatile: setseed', 'SELECT setseed(0.5)', 'function_not_allowed', 'setseed'],
  // Catalog, statistics and settings functions.
  [
    'catalog: pg_stat_get_activity',
    'SELECT * FROM pg_stat_get_activity(NULL)',
    'function_not_allowed',
    'pg_stat_get_activity',
  ],
  [
    'catalog: pg_show_all_settings',
    'SELECT * FROM pg_show_all_settings()',
    'function_not_allowed',
    'pg_show_all_settings',
  ],
  [
    'catalog: pg_hba_file_rules',
    'SELECT * FROM pg_hba_file_rules()',
    'function_not_allowed',
    'pg_hba_file_rules',
  ],
  [
    'catalog: pg_get_viewdef',
    "SELECT pg_get_viewdef('orders_view')",
    'function_not_allowed',
    'pg_get_viewdef',
  ],
  [
    'catalog: pg_get_functiondef',
    "SELECT pg_get_functiondef('bump'::regproc)",
    'function_not_allowed',
    'pg_get_functiondef',
  ],
  [
    'catalog: has_table_privilege',
    "SELECT has_table_privilege('secrets', 'SELECT')",
    'function_not_allowed',
    'has_table_privilege',
  ],
  [
    'catalog: pg_relation_size',
    "SELECT pg_relation_size('secrets')",
    'function_not_allowed',
    'pg_relation_size',
  ],
  [
    'catalog: txid_current_snapshot',
    'SELECT txid_current_snapshot()',
    'function_not_allowed',
    'txid_current_snapshot',
  ],
  ['catalog: version', 'SELECT version()', 'function_not_allowed', 'version'],
  ['catalog: current_database', 'SELECT current_database()', 'function_not_allowed', 'current_database'],
  ['catalog: inet_server_addr', 'SELECT inet_server_addr()', 'function_not_allowed', 'inet_server_addr'],
  ['catalog: pg_backend_pid', 'SELECT pg_backend_pid()', 'function_not_allowed', 'pg_backend_pid'],
  ['catalog: current_user', 'SELECT current_user', 'function_not_allowed', 'current_user'],
  ['catalog: session_user', 'SELECT session_user', 'function_not_allowed', 'session_user'],
  ['catalog: current_schema', 'SELECT current_schema', 'function_not_allowed', 'current_schema'],
  // Table functions in FROM.
  ['table function: pg_ls_dir', "SELECT * FROM pg_ls_dir('.')", 'function_not_allowed', 'pg_ls_dir'],
  [
    'table function: ROWS FROM',
    "SELECT * FROM ROWS FROM (generate_series(1, 2), pg_ls_dir('.')) AS t",
    'function_not_allowed',
    'pg_ls_dir',
  ],
  [
    'table function: LATERAL',
    "SELECT * FROM orders o, LATERAL pg_ls_dir('.') AS d",
    'function_not_allowed',
    'pg_ls_dir',
  ],
  [
    'table function: dblink',
    "SELECT * FROM dblink('host=example.com', 'SELECT 1') AS t(a int)",
    'function_not_allowed',
    'dblink',
  ],
  // Dynamic SQL.
  [
    'dynamic SQL: query_to_xml',
    "SELECT query_to_xml('SELECT * FROM secrets', true, false, '')",
    'function_not_allowed',
    'query_to_xml',
  ],
  [
    'dynamic SQL: ts_stat',
    "SELECT * FROM ts_stat('SELECT to_tsvector(secret) FROM secrets')",
    'function_not_allowed',
    'ts_stat',
  ],
  [
    'dynamic SQL: cursor_to_xml',
    "SELECT cursor_to_xml('c', 1, false, false, '')",
    'function_not_allowed',
    'cursor_to_xml',
  ],
  // Operators.
  ['operator: in another schema', 'SELECT 1 OPERATOR(public.+) 1', 'operator_not_allowed', 'public.+'],
  [
    'operator: not on the list',
    "SELECT '10.0.0.1'::inet <<= '10.0.0.0/8'::inet",
    'operator_not_allowed',
    '<<=',
  ],
  // Casts whose input functions look names up.
  ['cast: regclass', "SELECT 'secrets'::regclass", 'type_not_allowed', 'regclass'],
  ['cast: regproc', "SELECT 'pg_read_file'::regproc", 'type_not_allowed', 'regproc'],
  ['cast: regprocedure', "SELECT 'pg_sleep(float8)'::regprocedure", 'type_not_allowed', 'regprocedure'],
  ['cast: regtype', "SELECT 'int4'::regtype", 'type_not_allowed', 'regtype'],
  ['cast: regnamespace', "SELECT 'public'::regnamespace", 'type_not_allowed', 'regnamespace'],
  ['cast: regrole', "SELECT CAST('postgres' AS regrole)", 'type_not_allowed', 'regrole'],
  [
    'cast: qualified regclass',
    "SELECT 'secrets'::pg_catalog.regclass::oid",
    'type_not_allowed',
    'pg_catalog.regclass',
  ],
  ['cast: an array of regclass', "SELECT '{secrets}'::regclass[]", 'type_not_allowed', 'regclass'],
  ['cast: oid', "SELECT '1259'::oid", 'type_not_allowed', 'oid'],
  ['cast: pg_lsn', "SELECT '0/0'::pg_lsn", 'type_not_allowed', 'pg_lsn'],
  ['cast: a user type', "SELECT 'x'::public.mood", 'type_not_allowed', 'public.mood'],
  // TABLESAMPLE.
  [
    'tablesample: an extension method',
    'SELECT * FROM orders TABLESAMPLE system_rows(10)',
    'tablesample_method',
    'system_rows',
  ],
  // XML: entity resolution.
  ['xml: xmlparse', 'SELECT xmlparse(document \'<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>\')', 'xml'],
  ['xml: xmlelement', "SELECT xmlelement(name a, 'x')", 'xml'],
  ['xml: XMLTABLE', "SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x text PATH '.')", 'xml'],
  ['xml: xmlserialize', "SELECT xmlserialize(content 'x' AS text)", 'xml'],
  ['xml: a cast to xml', "SELECT '<a/>'::xml", 'type_not_allowed', 'xml'],
  ['xml: xpath', "SELECT xpath('/a', '<a/>')", 'function_not_allowed', 'xpath'],
  // SQL/JSON query functions (PostgreSQL 17): refused rather than reviewed.
  [
    'json: JSON_TABLE',
    "SELECT * FROM JSON_TABLE('[1]'::jsonb, '$[*]' COLUMNS (a int PATH '$')) j",
    'unsupported_syntax',
  ],
  ['json: JSON_QUERY', "SELECT JSON_QUERY('[1]'::jsonb, '$[0]')", 'unsupported_syntax'],
  // The same calls hidden in every clause.
  [
    'hidden: an aggregate argument',
    "SELECT string_agg(pg_read_file('/etc/passwd'), '')",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'hidden: a window ORDER BY',
    'SELECT count(*) OVER (ORDER BY pg_backend_pid()) FROM orders',
    'function_not_allowed',
    'pg_backend_pid',
  ],
  ['hidden: GROUP BY', 'SELECT 1 FROM orders GROUP BY pg_sleep(1)', 'function_not_allowed', 'pg_sleep'],
  ['hidden: ORDER BY', 'SELECT * FROM orders ORDER BY pg_sleep(0.01)', 'function_not_allowed', 'pg_sleep'],
  [
    'hidden: HAVING',
    'SELECT 1 FROM orders HAVING max(pg_sleep(1)::text) IS NULL',
    'function_not_allowed',
    'pg_sleep',
  ],
  [
    'hidden: a CASE branch',
    "SELECT CASE WHEN true THEN pg_read_file('/etc/passwd') END",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'hidden: COALESCE',
    "SELECT COALESCE(NULL, pg_read_file('/etc/passwd'))",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'hidden: VALUES',
    "SELECT * FROM (VALUES (pg_read_file('/etc/passwd'))) v",
    'function_not_allowed',
    'pg_read_file',
  ],
  [
    'hidden: a CTE',
    "WITH f AS (SELECT pg_ls_dir('.') AS n) SELECT * FROM f",
    'function_not_allowed',
    'pg_ls_dir',
  ],
  [
    'hidden: a recursive CTE',
    'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + pg_backend_pid() FROM r WHERE n < 2) SELECT * FROM r',
    'function_not_allowed',
    'pg_backend_pid',
  ],
  ['hidden: EXISTS', "SELECT 1 WHERE EXISTS (SELECT pg_ls_dir('.'))", 'function_not_allowed', 'pg_ls_dir'],
  [
    'hidden: LIMIT',
    'SELECT * FROM orders LIMIT (SELECT 1 FROM pg_sleep(1))',
    'function_not_allowed',
    'pg_sleep',
  ],
  [
    'hidden: a join condition',
    'SELECT 1 FROM orders a JOIN orders b ON pg_sleep(0.01) IS NULL',
    'function_not_allowed',
    'pg_sleep',
  ],
  [
    'hidden: DISTINCT ON',
    'SELECT DISTINCT ON (pg_backend_pid()) 1 FROM orders',
    'function_not_allowed',
    'pg_backend_pid',
  ],
  [
    'hidden: a FILTER clause',
    'SELECT count(*) FILTER (WHERE pg_sleep(0) IS NULL) FROM orders',
    'function_not_allowed',
    'pg_sleep',
  ],
  [
    'hidden: an EXPLAIN',
    "EXPLAIN SELECT pg_read_file('/etc/passwd')",
    'function_not_allowed',
    'pg_read_file',
  ],
];

/** MariaDB: `{db}` is the fixture's database. */
const MARIADB_ATTACKS: Attack[] = [
  ['file: LOAD_FILE', "SELECT LOAD_FILE('/etc/passwd') AS f", 'function_not_allowed', 'LOAD_FILE'],
  ['sleep: SLEEP', 'SELECT SLEEP(5) AS s', 'function_not_allowed', 'SLEEP'],
  ['sleep: BENCHMARK', "SELECT BENCHMARK(100000000, MD5('x')) AS b", 'function_not_allowed', 'BENCHMARK'],
  ['lock: GET_LOCK', "SELECT GET_LOCK('meridian', 10) AS l", 'function_not_allowed', 'GET_LOCK'],
  ['lock: RELEASE_ALL_LOCKS', 'SELECT RELEASE_ALL_LOCKS() AS l', 'function_not_allowed', 'RELEASE_ALL_LOCKS'],
  ['lock: IS_USED_LOCK', "SELECT IS_USED_LOCK('meridian') AS l", 'function_not_allowed', 'IS_USED_LOCK'],
  [
    'replication: MASTER_POS_WAIT',
    "SELECT MASTER_POS_WAIT('log', 4) AS w",
    'function_not_allowed',
    'MASTER_POS_WAIT',
  ],
  ['sequence: NEXTVAL', 'SELECT NEXTVAL(orders) AS n', 'function_not_allowed', 'NEXTVAL'],
  ['sequence: SETVAL', 'SELECT SETVAL(orders, 1) AS n', 'function_not_allowed', 'SETVAL'],
  ['sequence: LASTVAL', 'SELECT LASTVAL(orders) AS n', 'function_not_allowed', 'LASTVAL'],
  ['sequence: a qualified sequence', 'SELECT NEXTVAL({db}.secrets) AS n', 'function_not_allowed', 'NEXTVAL'],
  ['sequence: NEXT VALUE FOR', 'SELECT NEXT VALUE FOR orders', 'parse_error'],
  ['information: USER', 'SELECT USER() AS u', 'function_not_allowed', 'USER'],
  ['information: CURRENT_USER', 'SELECT CURRENT_USER() AS u', 'function_not_allowed', 'CURRENT_USER'],
  ['information: DATABASE', 'SELECT DATABASE() AS d', 'function_not_allowed', 'DATABASE'],
  ['information: VERSION', 'SELECT VERSION() AS v', 'function_not_allowed', 'VERSION'],
  ['information: CONNECTION_ID', 'SELECT CONNECTION_ID() AS c', 'function_not_allowed', 'CONNECTION_ID'],
  ['xml: ExtractValue', "SELECT ExtractValue('<a>1</a>', '/a') AS x", 'function_not_allowed', 'ExtractValue'],
  ['xml: UpdateXML', "SELECT UpdateXML('<a/>', '/a', '<b/>') AS x", 'function_not_allowed', 'UpdateXML'],
  ['udf: sys_exec', "SELECT sys_exec('id') AS x", 'function_not_allowed', 'sys_exec'],
  ['file: INTO OUTFILE', "SELECT * FROM orders INTO OUTFILE '/tmp/meridian-out'", 'select_into'],
  [
    'file: INTO DUMPFILE',
    "SELECT region FROM orders LIMIT 1 INTO DUMPFILE '/tmp/meridian-out'",
    'select_into',
  ],
  ['file: LOAD DATA', "LOAD DATA INFILE '/etc/passwd' INTO TABLE orders", 'statement_type'],
  ['comment: executable', 'SELECT 1 AS x /*!50000 , LOAD_FILE("/etc/passwd") */', 'executable_comment'],
  ['hidden: ORDER BY', 'SELECT region FROM orders ORDER BY SLEEP(0.01)', 'function_not_allowed', 'SLEEP'],
  ['hidden: IF', "SELECT IF(1, LOAD_FILE('/etc/passwd'), 0) AS f", 'function_not_allowed', 'LOAD_FILE'],
  [
    'hidden: CASE',
    "SELECT CASE WHEN 1 THEN LOAD_FILE('/etc/passwd') END AS f",
    'function_not_allowed',
    'LOAD_FILE',
  ],
  [
    'hidden: GROUP_CONCAT',
    "SELECT GROUP_CONCAT(LOAD_FILE('/etc/passwd')) AS f",
    'function_not_allowed',
    'LOAD_FILE',
  ],
  ['hidden: a subquery', 'SELECT (SELECT SLEEP(1)) AS s', 'function_not_allowed', 'SLEEP'],
  ['hidden: a CTE', 'WITH s AS (SELECT SLEEP(1) AS x) SELECT * FROM s', 'function_not_allowed', 'SLEEP'],
];

type Row = Record<string, unknown>;

describe('the SQL guard against attacks', () => {
  let f: SqlFixture;

  beforeAll(async () => {
    f = await startSqlFixture('sql_attacks');
  });
  afterAll(async () => {
    await f?.close();
  });

  const sqlFor = (sql: string) => sql.replace(/\{db\}/g, f.mariaName);

  async function refused(databaseId: number, who: Who, [, sql, rule, names]: Attack): Promise<void> {
    const err = await failure(f.call('execute_sql', { database_id: databaseId, sql: sqlFor(sql) }, who));
    expect(err.error_type, `${who}: ${JSON.stringify(err)}`).toBe('ValidationError');
    const details = err.details as Row;
    expect(details.rule, `${who}: ${String(err.error)}`).toBe(rule);
    expect(err.error).toContain(`(${rule})`);
    if (names) {
      const named = details.function ?? details.operator ?? details.type;
      expect(named, String(err.error)).toBe(sqlFor(names));
      expect(err.error).toContain(sqlFor(names));
    }
  }

  describe('PostgreSQL', () => {
    it.each(PG_ATTACKS)('%s', async (...attack) => {
      // A caller under grants and RLS, then Admin, both on superuser connections.
      await refused(f.db.pg, 'analyst', attack);
      await refused(f.db.pgFenced, 'admin', attack);
    });
  });

  describe('MariaDB', () => {
    it.each(MARIADB_ATTACKS)('%s', async (...attack) => {
      // A caller under grants and RLS, then Admin on a root connection.
      await refused(f.db.maria, 'analyst', attack);
      await refused(f.db.mariaRoot, 'admin', attack);
    });

    it('escapes a backtick in a caller’s schema, which then names a database that does not exist', async () => {
      const schema = 'x` UNION SELECT secret, 1 FROM secrets -- ';
      const call = (dry_run: boolean) =>
        f.call(
          'execute_sql',
          { database_id: f.db.mariaRoot, sql: 'SELECT region, 1 AS n FROM orders', schema, dry_run },
          'admin',
        );
      const dry = await call(true);
      expect(dry.executed_sql).toContain('`x`` UNION SELECT secret, 1 FROM secrets -- `.`orders`');
      expect(await failure(call(false))).toMatchObject({ error_type: 'DatabaseError' });
    });
  });

  it('lets an Admin add a database’s own functions, still out of reach of restricted callers', async () => {
    // db.pg and db.maria list public.leak and <db>.leak in extra.allowed_functions; pgFenced and mariaRoot do not.
    for (const [allowed, other, sql, name] of [
      [f.db.pg, f.db.pgFenced, 'SELECT * FROM public.leak()', 'public.leak'],
      [f.db.maria, f.db.mariaRoot, `SELECT \`${f.mariaName}\`.leak() AS s`, `${f.mariaName}.leak`],
    ] as const) {
      expect(await failure(f.call('execute_sql', { database_id: other, sql }, 'admin'))).toMatchObject({
        error_type: 'ValidationError',
        details: { rule: 'function_not_allowed', function: name },
      });
      const r = await f.call('execute_sql', { database_id: allowed, sql }, 'admin');
      expect((r.rows as Row[]).length).toBeGreaterThan(0);
      expect(await failure(f.call('execute_sql', { database_id: allowed, sql }, 'analyst'))).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { rule: 'function_schema' },
      });
    }
  });

  it('left no lock, no write and no other trace behind', async () => {
    expect(
      await f.pg("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 42"),
    ).toEqual([{ n: 0 }]);
    expect(await f.pg('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: ORDER_ROWS }]);
    expect(await f.pg('SELECT count(*)::int AS n FROM secrets')).toEqual([{ n: 1 }]);
    expect(await f.maria("SELECT IS_USED_LOCK('meridian') AS l")).toEqual([{ l: null }]);
  });
});
