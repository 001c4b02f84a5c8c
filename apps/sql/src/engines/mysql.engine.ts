import {
  createConnection,
  createPool,
  type FieldPacket,
  type Pool,
  type PoolConnection,
  type PoolOptions,
  type RowDataPacket,
} from 'mysql2/promise';
import type { PoolConfig } from '@meridian/config';
import { DatabaseError, ServiceBusyError, TimeoutError } from '@meridian/errors';
import { MYSQL_POWERFUL_PRIVILEGES } from '@meridian/security';
import { MysqlDialect } from '../dialects/mysql/mysql.dialect';
import {
  CANCEL_GRACE_MS,
  cancelledError,
  DatabaseUnreachableError,
  type ConnectionPowers,
  type ConnectionTarget,
  type EnginePool,
  type EngineQuery,
  type EngineResult,
  type PoolStats,
  type SqlEngine,
} from './engine';
import { isDecimal, mysqlColumn } from './mysql-types';
import { decimalValue, jsonValue } from './values';

/**
 * The session the SQL was regenerated for: backslash escapes on and double quotes as strings
 * (the parser's reading), whatever the server's defaults.
 */
const SQL_MODE = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';
const TIMEOUT_ERRNOS = new Set([1969, 3024, 1317]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
]);

interface Header {
  affectedRows?: number;
}

/** The login's global privileges that reach files, other sessions or the server itself. */
const POWERS_LOOKUP = `
  SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES
   WHERE GRANTEE = CONCAT(QUOTE(SUBSTRING_INDEX(CURRENT_USER(), '@', 1)), '@',
                          QUOTE(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)))
     AND PRIVILEGE_TYPE IN (${MYSQL_POWERFUL_PRIVILEGES.map((p) => `'${p}'`).join(', ')})`;

class MysqlPool implements EnginePool {
  private readonly pool: Pool;
  private readonly options: PoolOptions;
  private readonly born = new WeakMap<PoolConnection, number>();
  private mariadb: Promise<boolean> | undefined;
  private checked: Promise<ConnectionPowers> | undefined;
  private waiting = 0;

  constructor(
    private readonly target: ConnectionTarget,
    private readonly limits: PoolConfig,
  ) {
    // No default database: table names are always qualified, and unqualified stored routines
    // cannot be reached.
    this.options = {
      host: target.host,
      port: target.port,
      user: target.username,
      password: target.password ?? undefined,
      charset: 'utf8mb4',
      connectTimeout: limits.timeoutSeconds * 1000,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      decimalNumbers: false,
      multipleStatements: false,
    };
    this.pool = createPool({
      ...this.options,
      connectionLimit: limits.size + limits.maxOverflow,
      maxIdle: limits.size,
      idleTimeout: 30_000,
      waitForConnections: true,
      queueLimit: 0,
    });
  }

  async execute(query: EngineQuery): Promise<EngineResult> {
    if (query.signal?.aborted) throw cancelledError();
    const conn = await this.connect();
    const stop = { timedOut: false, cancelled: false, broken: false };
    const kill = () => {
      stop.broken = true;
      void this.kill(conn.threadId);
    };
    const timer = setTimeout(() => {
      stop.timedOut = true;
      kill();
    }, query.timeoutMs + CANCEL_GRACE_MS);
    const onAbort = () => {
      stop.cancelled = true;
      kill();
    };
    query.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (query.signal?.aborted) throw cancelledError();
      await conn.query(await this.sessionSettings(conn, query.timeoutMs));
      await conn.query(query.readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
      const started = performance.now();
      const [result, fields] = await this.run(conn, query);
      const executionMs = performance.now() - started;
      await conn.query(query.readOnly ? 'ROLLBACK' : 'COMMIT');
      const list: FieldPacket[] = Array.isArray(fields) ? fields : [];
      const decimals = list.map(isDecimal);
      const rows = Array.isArray(result) ? (result as unknown[][]).slice(0, query.maxRows) : [];
      return {
        columns: list.map(mysqlColumn),
        rows: rows.map((row) =>
          row.map((v, i) => (decimals[i] && typeof v === 'string' ? decimalValue(v) : jsonValue(v))),
        ),
        affectedRows: Array.isArray(result) ? null : ((result as Header).affectedRows ?? null),
        executionMs,
      };
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => (stop.broken = true));
      throw stop.cancelled ? cancelledError() : this.translate(err, query, stop.timedOut);
    } finally {
      clearTimeout(timer);
      query.signal?.removeEventListener('abort', onAbort);
      this.release(conn, stop.broken);
    }
  }

  async probe(): Promise<void> {
    const conn = await this.connect();
    try {
      await conn.query('SELECT 1');
    } catch (err) {
      throw new DatabaseUnreachableError(this.target, err);
    } finally {
      conn.release();
    }
  }

  stats(): PoolStats {
    // mysql2 keeps its counts on the callback pool underneath the promise wrapper.
    const inner = (this.pool as unknown as { pool?: Record<string, { length?: number } | undefined> }).pool;
    const count = (key: string) => inner?.[key]?.length ?? 0;
    return { size: count('_allConnections'), idle: count('_freeConnections'), waiting: this.waiting };
  }

  /** Bound values go through a server-side prepared statement, closed again after the one run. */
  private async run(conn: PoolConnection, query: EngineQuery) {
    if (!query.params) return conn.query({ sql: query.sql, rowsAsArray: true });
    try {
      return await conn.execute({ sql: query.sql, rowsAsArray: true }, [...query.params] as never);
    } finally {
      conn.unprepare(query.sql);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  powers(): Promise<ConnectionPowers> {
    this.checked ??= (async () => {
      const conn = await this.connect();
      try {
        const [rows] = await conn.query<RowDataPacket[]>(POWERS_LOOKUP);
        const powers = [...new Set(rows.map((r) => String(r.PRIVILEGE_TYPE)))].sort();
        return { privileged: powers.length > 0, powers };
      } catch (err) {
        throw this.translate(err, { timeoutMs: 0 } as EngineQuery, false);
      } finally {
        conn.release();
      }
    })();
    this.checked.catch(() => (this.checked = undefined));
    return this.checked;
  }

  /** MySQL has no attribute notation: a name after a dot is always a column. */
  async functionsAmong(): Promise<Set<string>> {
    return new Set();
  }

  private async connect(): Promise<PoolConnection> {
    this.waiting++;
    const pending = this.pool.getConnection().finally(() => this.waiting--);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ServiceBusyError(`No free connection to database ${this.target.name}`, 1)),
        this.limits.timeoutSeconds * 1000,
      );
    });
    try {
      const conn = await Promise.race([pending, timeout]);
      if (!this.born.has(conn)) this.born.set(conn, Date.now());
      return conn;
    } catch (err) {
      pending.then((c) => c.release()).catch(() => undefined);
      if (err instanceof ServiceBusyError) throw err;
      throw new DatabaseUnreachableError(this.target, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Connections older than SQLALCHEMY_POOL_RECYCLE, or left in doubt, are closed rather than reused. */
  private release(conn: PoolConnection, broken: boolean): void {
    const age = (Date.now() - (this.born.get(conn) ?? Date.now())) / 1000;
    const recycle = this.limits.recycleSeconds > 0 && age > this.limits.recycleSeconds;
    if (broken || recycle) conn.destroy();
    else conn.release();
  }

  private async sessionSettings(conn: PoolConnection, timeoutMs: number): Promise<string> {
    this.mariadb ??= conn
      .query<RowDataPacket[]>('SELECT VERSION() AS v')
      .then(([rows]) => /mariadb/i.test(String(rows[0]?.v)));
    const timeout = (await this.mariadb)
      ? `max_statement_time = ${(timeoutMs / 1000).toFixed(3)}`
      : `max_execution_time = ${Math.round(timeoutMs)}`;
    return `SET SESSION sql_mode = '${SQL_MODE}', time_zone = '+00:00', ${timeout}`;
  }

  /** Stops a running statement from another connection (the server-side timeout's backstop). */
  private async kill(threadId: number): Promise<void> {
    try {
      const admin = await createConnection(this.options);
      try {
        await admin.query(`KILL QUERY ${Number(threadId)}`);
      } finally {
        await admin.end();
      }
    } catch {
      // The connection is destroyed on release either way.
    }
  }

  private translate(err: unknown, query: EngineQuery, timedOut: boolean): Error {
    const e = err as { errno?: number; code?: string; sqlState?: string; fatal?: boolean };
    if (timedOut || (e.errno !== undefined && TIMEOUT_ERRNOS.has(e.errno))) {
      const seconds = Math.round(query.timeoutMs / 100) / 10;
      return new TimeoutError(`Query exceeded its ${seconds} s timeout and was cancelled`, {
        timeout_seconds: seconds,
      });
    }
    if (e.fatal || (e.code && CONNECTION_CODES.has(e.code)) || !e.sqlState)
      return new DatabaseUnreachableError(this.target, err);
    return new DatabaseError((err as Error).message, { sqlstate: e.sqlState, errno: e.errno });
  }
}

export class MysqlEngine implements SqlEngine {
  readonly backend = 'mysql' as const;
  readonly dialect = new MysqlDialect();

  open(target: ConnectionTarget, pool: PoolConfig): EnginePool {
    return new MysqlPool(target, pool);
  }
}
