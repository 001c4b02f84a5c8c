import { describe, expect, it } from 'vitest';
import { ValidationError } from '@meridian/errors';
import type { StatementKind } from '../../guard/statement';
import { MysqlDialect } from './mysql.dialect';

const dialect = new MysqlDialect();

async function ruleOf(sql: string): Promise<unknown> {
  const err = await dialect.analyse(sql).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, sql).toBeInstanceOf(ValidationError);
  return (err as ValidationError).details?.rule;
}

const ALLOWED: [string, string, StatementKind][] = [
  ['plain select', 'SELECT 1', 'read'],
  ['mixed casing', 'sElEcT region FrOm orders', 'read'],
  ['backquoted names', 'SELECT `o`.`region` FROM `examples`.`orders` AS `o`', 'read'],
  [
    'join with aggregates',
    'SELECT c.region, SUM(o.revenue) FROM orders o JOIN customers c ON c.id = o.cid GROUP BY c.region',
    'read',
  ],
  [
    'functions',
    "SELECT DATE_FORMAT(d, '%Y'), IF(a > 1, 'x', 'y'), CAST(b AS DECIMAL(10,2)), a DIV 2 FROM t",
    'read',
  ],
  ['CTE', 'WITH r AS (SELECT region FROM orders) SELECT * FROM r', 'read'],
  [
    'recursive CTE',
    'WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n',
    'read',
  ],
  ['UNION', 'SELECT a FROM t UNION SELECT b FROM u', 'read'],
  ['subqueries', 'SELECT * FROM t WHERE a IN (SELECT b FROM u) AND EXISTS (SELECT 1 FROM v)', 'read'],
  ['keywords as names', 'SELECT `select` FROM `from`', 'read'],
  ['DDL words inside a string', "SELECT 'DROP TABLE orders; DELETE FROM x' AS s", 'read'],
  ['block comment hiding a statement', 'SELECT 1 /* ; DROP TABLE orders */', 'read'],
  ['hash comment', 'SELECT 1 # ; DROP TABLE orders', 'read'],
  ['optimizer hint comment', 'SELECT /*+ NO_INDEX(t) */ a FROM t', 'read'],
  ['LIMIT with offset', 'SELECT a FROM t LIMIT 5, 10', 'read'],
  ['EXPLAIN', 'EXPLAIN SELECT * FROM orders', 'explain'],
  ['SHOW', 'SHOW TABLES', 'show'],
  ['DESCRIBE', 'DESCRIBE orders', 'show'],
  ['INSERT', 'INSERT INTO t (a) VALUES (1)', 'write'],
  ['UPDATE', 'UPDATE t SET a = 1 WHERE b = 2', 'write'],
  ['DELETE', 'DELETE FROM t WHERE a = 1', 'write'],
  ['REPLACE', 'REPLACE INTO t (a) VALUES (1)', 'write'],
];

const REFUSED: [string, string, string][] = [
  ['two statements', 'SELECT 1; SELECT 2', 'multiple_statements'],
  ['a read then DDL', 'SELECT 1; DROP TABLE orders', 'multiple_statements'],
  ['not SQL', 'SELEC 1', 'parse_error'],
  ['executable comment', 'SELECT /*! SLEEP(5) */ 1', 'executable_comment'],
  ['versioned executable comment', 'SELECT 1 /*!50000 , LOAD_FILE("/etc/passwd") */', 'executable_comment'],
  ['MariaDB executable comment', 'SELECT 1 /*M!100000 , SLEEP(5) */', 'executable_comment'],
  ['lower-case MariaDB executable comment', 'SELECT 1 /*m! , SLEEP(5) */', 'executable_comment'],
  ['executable comment wrapping DDL', '/*!DROP TABLE orders*/', 'executable_comment'],
  ['CREATE TABLE', 'CREATE TABLE x (a int)', 'ddl'],
  ['DROP TABLE', 'DROP TABLE orders', 'ddl'],
  ['comment before DDL', '/* harmless */ DROP TABLE orders', 'ddl'],
  ['ALTER TABLE', 'ALTER TABLE orders ADD COLUMN x int', 'ddl'],
  ['TRUNCATE', 'TRUNCATE TABLE orders', 'ddl'],
  ['GRANT', 'GRANT SELECT ON examples.* TO someone', 'ddl'],
  ['RENAME TABLE', 'RENAME TABLE a TO b', 'ddl'],
  ['SELECT INTO OUTFILE', "SELECT * FROM orders INTO OUTFILE '/tmp/x'", 'select_into'],
  ['SELECT INTO DUMPFILE', "SELECT 'x' INTO DUMPFILE '/tmp/x'", 'select_into'],
  ['SELECT INTO a variable', 'SELECT 1 INTO @a', 'select_into'],
  ['FOR UPDATE', 'SELECT * FROM orders FOR UPDATE', 'locking_read'],
  [
    'LOCK IN SHARE MODE (not in the grammar: refused all the same)',
    'SELECT * FROM orders LOCK IN SHARE MODE',
    'parse_error',
  ],
  ['FOR SHARE in a subquery', 'SELECT * FROM (SELECT * FROM orders FOR UPDATE) x', 'locking_read'],
  ['SET a session variable', 'SET @a = 1', 'session_setting'],
  ['SET a server variable', 'SET SESSION sql_mode = ""', 'session_setting'],
  ['USE', 'USE mysql', 'session_setting'],
  ['variable assignment in a read', 'SELECT @a := 1', 'session_setting'],
  ['START TRANSACTION', 'START TRANSACTION', 'transaction_control'],
  ['COMMIT', 'COMMIT', 'transaction_control'],
  ['LOCK TABLES', 'LOCK TABLES orders READ', 'transaction_control'],
  ['CALL', 'CALL p()', 'call'],
  ['EXPLAIN of DML (not in the grammar: refused all the same)', 'EXPLAIN DELETE FROM orders', 'parse_error'],
  ['ANALYZE, which runs the statement', 'ANALYZE SELECT * FROM orders', 'parse_error'],
  ['HANDLER', 'HANDLER orders OPEN', 'parse_error'],
  ['LOAD DATA', "LOAD DATA INFILE '/etc/passwd' INTO TABLE t", 'statement_type'],
  ['PREPARE', "PREPARE s FROM 'SELECT 1'", 'parse_error'],
];

const DENIED_FUNCTIONS: [string, string][] = [
  ['LOAD_FILE', "SELECT LOAD_FILE('/etc/passwd')"],
  ['SLEEP', 'SELECT SLEEP(10)'],
  ['sleep (lower case)', 'SELECT sleep(10)'],
  ['SLEEP (in a subquery)', 'SELECT * FROM t WHERE a = (SELECT SLEEP(10))'],
  ['SLEEP (in a CTE)', 'WITH s AS (SELECT SLEEP(10) AS x) SELECT * FROM s'],
  ['BENCHMARK', "SELECT BENCHMARK(100000000, MD5('x'))"],
  ['GET_LOCK', "SELECT GET_LOCK('l', 10)"],
  ['RELEASE_LOCK', "SELECT RELEASE_LOCK('l')"],
  ['MASTER_POS_WAIT', "SELECT MASTER_POS_WAIT('log', 4)"],
  ['sys_exec', "SELECT sys_exec('id')"],
];

describe('MySQL/MariaDB guard', () => {
  it.each(ALLOWED)('allows %s', async (_name, sql, kind) => {
    expect((await dialect.analyse(sql)).kind).toBe(kind);
  });

  it.each(REFUSED)('refuses %s', async (_name, sql, rule) => {
    expect(await ruleOf(sql)).toBe(rule);
  });

  it.each(DENIED_FUNCTIONS)('refuses %s, which is not on the allow-list', async (_name, sql) => {
    expect(await ruleOf(sql)).toBe('function_not_allowed');
  });

  it('notes reads of server variables', async () => {
    expect((await dialect.analyse('SELECT @@datadir')).readsServerVariables).toBe(true);
    expect((await dialect.analyse('SELECT @a')).readsServerVariables).toBe(false);
  });

  it('records relations through CTE scopes', async () => {
    const st = await dialect.analyse(
      'WITH orders AS (SELECT * FROM orders), x AS (SELECT * FROM orders) SELECT * FROM orders, examples.orders, x',
    );
    expect(st.relations.map((r) => [r.schema, r.name])).toEqual([
      [null, 'orders'],
      ['examples', 'orders'],
    ]);
  });

  it('refuses stored functions unless an Admin allowed them for the database', async () => {
    expect(await ruleOf('SELECT examples.leak(1), UPPER(a) FROM t')).toBe('function_not_allowed');
    const st = await dialect.analyse('SELECT examples.leak(1), UPPER(a) FROM t', {
      names: new Set(['examples.leak']),
      invalid: [],
    });
    expect(st.routines.map((r) => [r.schema, r.name])).toEqual([
      ['examples', 'leak'],
      [null, 'UPPER'],
    ]);
    // MySQL compares function names without case, database names with it.
    const upper = { names: new Set(['examples.LEAK']), invalid: [] };
    expect((await dialect.analyse('SELECT examples.Leak(1)', upper)).kind).toBe('read');
    await expect(dialect.analyse('SELECT EXAMPLES.leak(1)', upper)).rejects.toMatchObject({
      details: { rule: 'function_not_allowed', function: 'EXAMPLES.leak' },
    });
  });
});
