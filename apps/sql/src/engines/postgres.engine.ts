import {
  Client,
  Pool,
  types,
  type ClientConfig,
  type FieldDef,
  type PoolClient,
  type QueryArrayConfig,
  type QueryArrayResult,
} from 'pg';
import type { PoolConfig } from '@meridian/config';
import { DatabaseError, ServiceBusyError, TimeoutError } from '@meridian/errors';
import { POSTGRES_POWERFUL_ROLES } from '@meridian/security';
import { PostgresDialect, quotePgIdent } from '../dialects/postgres/postgres.dialect';
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
  type ResultColumn,
  type SqlEngine,
} from './engine';
import { decimalValue, integerValue, jsonValue } from './values';

const OID = { int8: 20, numeric: 1700, date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184 };
const AS_TEXT = new Set([OID.date, OID.time, OID.timestamp, OID.timestamptz, 1186, 1266]);

/** Dates and times stay as PostgreSQL prints them (in UTC); numbers become JSON numbers when exact. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.int8) return integerValue;
    if (oid === OID.numeric) return decimalValue;
    if (AS_TEXT.has(oid)) return (text: string) => text;
    return types.getTypeParser(oid, format);
  },
};

const TYPE_LOOKUP = `
  SELECT f.i::int AS i, pg_catalog.format_type(f.oid, NULLIF(f.typmod, -1)) AS type,
         COALESCE(NOT a.attnotnull, true) AS nullable
    FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.int4[]),
                    pg_catalog.unnest($3::pg_catalog.oid[]), pg_catalog.unnest($4::pg_catalog.int2[]))
         WITH ORDINALITY AS f(oid, typmod, relid, attnum, i)
    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum AND f.attnum > 0
   ORDER BY f.i`;

const POWERS_LOOKUP = `
  SELECT r.rolsuper AS superuser,
         ARRAY(SELECT b.rolname::text FROM pg_catalog.pg_roles b
                WHERE b.rolname = ANY($1::text[]) AND pg_catalog.pg_has_role(r.oid, b.oid, 'MEMBER')
                ORDER BY b.rolname) AS roles
    FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`;
const FUNCTION_LOOKUP =
  'SELECT DISTINCT proname::text AS name FROM pg_catalog.pg_proc WHERE proname = ANY($1::text[])';
const MAX_CACHED_NAMES = 5000;

const CONNECTION_CLASSES = ['08', '28', '3D', '53', '57P'];
const MAX_CACHED_COLUMNS = 5000;

const fieldKey = (f: FieldDef) => `${f.dataTypeID}:${f.dataTypeModifier}:${f.tableID}:${f.columnID}`;

class PostgresPool implements EnginePool {
  private readonly pool: Pool;
  private readonly config: ClientConfig;
  private readonly columns = new Map<string, Omit<ResultColumn, 'name'>>();
  private readonly functionNames = new Map<string, boolean>();
  private checked: Promise<ConnectionPowers> | undefined;

  constructor(
    private readonly target: ConnectionTarget,
    limits: PoolConfig,
  ) {
    this.config = {
      host: target.host,
      port: target.port,
      database: target.dbName,
      user: target.username,
      password: target.password ?? undefined,
      application_name: 'meridian-sql',
      connectionTimeoutMillis: limits.timeoutSeconds * 1000,
      types: TYPES,
    };
    this.pool = new Pool({
      ...this.config,
      max: limits.size + limits.maxOverflow,
      idleTimeoutMillis: 30_000,
      maxLifetimeSeconds: limits.recycleSeconds,
    });
    // An idle connection dropped by the server must not take the process down.
    this.pool.on('error', () => undefined);
  }

  async execute(query: EngineQuery): Promise<EngineResult> {
    if (query.signal?.aborted) throw cancelledError();
    const client = await this.connect();
    const stop = { timedOut: false, cancelled: false, broken: false };
    const cancel = () => {
      stop.broken = true;
      void this.cancel((client as PoolClient & { processID?: number }).processID);
    };
    const timer = setTimeout(() => {
      stop.timedOut = true;
      cancel();
    }, query.timeoutMs + CANCEL_GRACE_MS);
    const onAbort = () => {
      stop.cancelled = true;
      cancel();
    };
    query.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (query.signal?.aborted) throw cancelledError();
      await client.query(this.preamble(query));
      const started = performance.now();
      // The extended protocol refuses a second statement even if one ever got this far.
      const statement: QueryArrayConfig & { queryMode: 'extended' } = {
        text: query.sql,
        values: query.params ? [...query.params] : undefined,
        rowMode: 'array',
        queryMode: 'extended',
      };
      const result: QueryArrayResult = await client.query(statement);
      const executionMs = performance.now() - started;
      const fields = result.fields ?? [];
      const columns = fields.length > 0 ? await this.describe(client, fields) : [];
      await client.query(query.readOnly ? 'ROLLBACK' : 'COMMIT');
      const rows = (result.rows ?? []).slice(0, query.maxRows);
      return {
        columns,
        rows: rows.map((row) => row.map(jsonValue)),
        affectedRows: query.readOnly || fields.length > 0 ? null : (result.rowCount ?? null),
        executionMs,
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (stop.broken = true));
      throw stop.cancelled ? cancelledError() : this.translate(err, query, stop.timedOut);
    } finally {
      clearTimeout(timer);
      query.signal?.removeEventListener('abort', onAbort);
      client.release(stop.broken);
    }
  }

  async probe(): Promise<void> {
    const client = await this.connect();
    try {
      await client.query('SELECT 1');
    } catch (err) {
      throw new DatabaseUnreachableError(this.target, err);
    } finally {
      client.release();
    }
  }

  powers(): Promise<ConnectionPowers> {
    this.checked ??= this.lookup<{ superuser: boolean; roles: string[] }>(POWERS_LOOKUP, [
      POSTGRES_POWERFUL_ROLES,
    ]).then((rows) => {
      const powers = [...(rows[0]?.superuser ? ['superuser'] : []), ...(rows[0]?.roles ?? [])];
      return { privileged: powers.length > 0, powers };
    });
    this.checked.catch(() => (this.checked = undefined));
    return this.checked;
  }

  async functionsAmong(names: readonly string[]): Promise<Set<string>> {
    const unknown = names.filter((n) => !this.functionNames.has(n));
    if (unknown.length > 0) {
      const rows = await this.lookup<{ name: string }>(FUNCTION_LOOKUP, [unknown]);
      if (this.functionNames.size > MAX_CACHED_NAMES) this.functionNames.clear();
      const found = new Set(rows.map((r) => r.name));
      for (const n of unknown) this.functionNames.set(n, found.has(n));
    }
    return new Set(names.filter((n) => this.functionNames.get(n)));
  }

  /** A catalog query of the sql service's own, outside any caller's transaction. */
  private async lookup<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
    const client = await this.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } catch (err) {
      throw this.translate(err, { timeoutMs: 0 } as EngineQuery, false);
    } finally {
      client.release();
    }
  }

  stats(): PoolStats {
    return { size: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      if (/timeout/i.test((err as Error).message)) {
        throw new ServiceBusyError(`No free connection to database ${this.target.name}`, 1);
      }
      throw new DatabaseUnreachableError(this.target, err);
    }
  }

  /** One round trip: the transaction and its settings, all local to it. */
  private preamble(q: EngineQuery): string {
    const ms = Math.max(1, Math.round(q.timeoutMs));
    const parts = [
      q.readOnly ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN',
      `SET LOCAL statement_timeout = ${ms}`,
      `SET LOCAL lock_timeout = ${ms}`,
      `SET LOCAL idle_in_transaction_session_timeout = ${ms + 2 * CANCEL_GRACE_MS}`,
      "SET LOCAL TimeZone = 'UTC'",
      "SET LOCAL DateStyle = 'ISO'",
      'SET LOCAL standard_conforming_strings = on',
    ];
    if (q.searchPath) parts.push(`SET LOCAL search_path = ${q.searchPath.map(quotePgIdent).join(', ')}`);
    return parts.join('; ');
  }

  /** Type names and nullability of the result's columns, cached per column origin. */
  private async describe(client: PoolClient, fields: FieldDef[]): Promise<ResultColumn[]> {
    const missing = fields.filter((f) => !this.columns.has(fieldKey(f)));
    if (missing.length > 0) {
      const { rows } = await client.query<{ i: number; type: string; nullable: boolean }>(TYPE_LOOKUP, [
        missing.map((f) => f.dataTypeID),
        missing.map((f) => f.dataTypeModifier),
        missing.map((f) => f.tableID),
        missing.map((f) => f.columnID),
      ]);
      if (this.columns.size > MAX_CACHED_COLUMNS) this.columns.clear();
      for (const row of rows) {
        this.columns.set(fieldKey(missing[row.i - 1]), { type: row.type, is_nullable: row.nullable });
      }
    }
    return fields.map((f) => ({
      name: f.name,
      ...(this.columns.get(fieldKey(f)) ?? { type: 'unknown', is_nullable: true }),
    }));
  }

  /** Cancels a running statement from another connection (the server-side timeout's backstop). */
  private async cancel(pid: number | undefined): Promise<void> {
    if (!pid) return;
    const admin = new Client({ ...this.config, application_name: 'meridian-sql-cancel' });
    try {
      await admin.connect();
      await admin.query('SELECT pg_catalog.pg_cancel_backend($1)', [pid]);
    } catch {
      // The connection is destroyed on release either way.
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  private translate(err: unknown, query: EngineQuery, timedOut: boolean): Error {
    const code = (err as { code?: unknown }).code;
    const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
    if (timedOut || sqlstate === '57014' || sqlstate === '55P03') {
      const seconds = Math.round(query.timeoutMs / 100) / 10;
      return new TimeoutError(`Query exceeded its ${seconds} s timeout and was cancelled`, {
        timeout_seconds: seconds,
      });
    }
    if (!sqlstate || CONNECTION_CLASSES.some((c) => sqlstate.startsWith(c)))
      return new DatabaseUnreachableError(this.target, err);
    return new DatabaseError((err as Error).message, { sqlstate });
  }
}

export class PostgresEngine implements SqlEngine {
  readonly backend = 'postgresql' as const;
  readonly dialect = new PostgresDialect();

  open(target: ConnectionTarget, pool: PoolConfig): EnginePool {
    return new PostgresPool(target, pool);
  }
}
