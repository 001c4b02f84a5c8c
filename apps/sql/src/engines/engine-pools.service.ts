import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { DatabaseBackend } from '@meridian/persistence';
import { reportPools, sqlPrivilegedConnection } from '../worker/sql-metrics';
import type { ConnectionPowers, ConnectionTarget, EnginePool, PoolStats, SqlEngine } from './engine';
import { MysqlEngine } from './mysql.engine';
import { PostgresEngine } from './postgres.engine';

interface OpenPool {
  fingerprint: string;
  name: string;
  pool: EnginePool;
  reported?: boolean;
}

const fingerprintOf = (t: ConnectionTarget): string =>
  createHash('sha256')
    .update(JSON.stringify([t.backend, t.host, t.port, t.dbName, t.username, t.password]))
    .digest('hex');

/**
 * The engines, and one connection pool per registered database: opened on first use, sized by
 * the SQLALCHEMY_POOL_* settings, replaced when the database's connection settings change, and
 * closed on shutdown.
 */
@Injectable()
export class EnginePools implements OnApplicationShutdown {
  private readonly logger = new Logger(EnginePools.name);
  private readonly engines: Record<DatabaseBackend, SqlEngine> = {
    postgresql: new PostgresEngine(),
    mysql: new MysqlEngine(),
  };
  private readonly pools = new Map<number, OpenPool>();
  private readonly unreport: () => void;

  constructor(@Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig) {
    this.unreport = reportPools(() => this.stats());
  }

  engine(backend: DatabaseBackend): SqlEngine {
    const engine = this.engines[backend];
    if (!engine) throw new Error(`No SQL engine for backend ${String(backend)}`);
    return engine;
  }

  pool(target: ConnectionTarget): EnginePool {
    const fingerprint = fingerprintOf(target);
    const open = this.pools.get(target.id);
    if (open?.fingerprint === fingerprint) return open.pool;
    if (open) this.retire(target.id, open.pool);
    const pool = this.engine(target.backend).open(target, this.config.pool);
    this.pools.set(target.id, { fingerprint, name: target.name, pool });
    return pool;
  }

  /**
   * The powers of the database's login, checked when its pool is first used; a privileged login is
   * logged as a warning and counted in `sql_privileged_connection`, once per pool (`first`).
   */
  async powers(target: ConnectionTarget): Promise<ConnectionPowers & { first: boolean }> {
    const pool = this.pool(target);
    const found = await pool.powers();
    const open = this.pools.get(target.id);
    const first = open !== undefined && open.pool === pool && !open.reported;
    if (open && first) {
      open.reported = true;
      sqlPrivilegedConnection().set({ database: target.name }, found.privileged ? 1 : 0);
      if (found.privileged) {
        this.logger.warn(
          { database_id: target.id, database: target.name, powers: found.powers },
          'Database is registered with a privileged login: only callers with full access to it may run SQL ' +
            'unless extra.allow_privileged_connection is set',
        );
      }
    }
    return { ...found, first };
  }

  /** Size, idle connections and waiters of each open pool, by database name. */
  *stats(): Iterable<[string, PoolStats]> {
    for (const open of this.pools.values()) yield [open.name, open.pool.stats()];
  }

  async onApplicationShutdown(): Promise<void> {
    this.unreport();
    const open = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(open.map((o) => o.pool.close()));
  }

  private retire(id: number, pool: EnginePool): void {
    pool.close().catch((err: unknown) => this.logger.warn({ err, database_id: id }, 'Closing a pool failed'));
  }
}
