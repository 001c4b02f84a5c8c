import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Database } from '@meridian/persistence';
import { EnginePools } from './engine-pools.service';
import { SqlCatalogRepository } from '../access/sql-catalog.repository';
import { DatabaseUnreachableError, type ConnectionTarget } from './engine';

/** A failing database's stored reason is refreshed at most this often. */
const REWRITE_FAILURE_MS = 10_000;

interface Known {
  ok: boolean;
  explanation: string | null;
  writtenAt: number;
}

/**
 * Keeps, per registered database, what the last connection attempt found in the metadata
 * database (`connection_checked_at`, `connection_error`), so that get_database_info can tell an
 * Admin why a database cannot be reached and /ready can name it. Written on changes only (not on
 * every query), and each database is tried once when the service starts.
 */
@Injectable()
export class ConnectionStatusService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionStatusService.name);
  private readonly known = new Map<number, Known>();
  private closing = false;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pools: EnginePools,
    private readonly catalog: SqlCatalogRepository,
  ) {}

  onApplicationBootstrap(): void {
    // In the background: a slow or unreachable database must not hold up the service's start.
    this.probing = this.probeAll().catch((err: unknown) =>
      this.logger.warn({ err }, 'Could not check the registered databases'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.probing;
  }

  async succeeded(databaseId: number): Promise<void> {
    const known = this.known.get(databaseId);
    if (known?.ok) return;
    this.known.set(databaseId, { ok: true, explanation: null, writtenAt: Date.now() });
    await this.write(databaseId, null);
  }

  async failed(err: DatabaseUnreachableError, databaseName: string): Promise<void> {
    const known = this.known.get(err.databaseId);
    const explanation = err.explanation;
    const now = Date.now();
    if (
      known &&
      !known.ok &&
      known.explanation === explanation &&
      now - known.writtenAt < REWRITE_FAILURE_MS
    ) {
      return;
    }
    if (!known || known.ok || known.explanation !== explanation) {
      this.logger.warn(
        { database: databaseName, reason: explanation },
        `Cannot connect to database ${databaseName}`,
      );
    }
    this.known.set(err.databaseId, { ok: false, explanation, writtenAt: now });
    await this.write(err.databaseId, explanation);
  }

  /** Records the outcome of a call, without ever failing it. */
  observe(databaseId: number, databaseName: string, err?: unknown): void {
    const done =
      err instanceof DatabaseUnreachableError
        ? this.failed(err, databaseName)
        : err
          ? undefined
          : this.succeeded(databaseId);
    done?.catch((e: unknown) => this.logger.warn({ err: e }, 'Could not record a connection status'));
  }

  /** Tries each registered database once. */
  async probeAll(): Promise<void> {
    for (const target of await this.targets()) {
      if (this.closing) return;
      try {
        await this.pools.pool(target).probe();
        await this.succeeded(target.id);
        await this.checkPowers(target);
      } catch (err) {
        const unreachable =
          err instanceof DatabaseUnreachableError ? err : new DatabaseUnreachableError(target, err);
        await this.failed(unreachable, target.name);
      }
    }
  }

  /** A privileged login is flagged (log line, metric, get_database_info) at start, not at first use. */
  private async checkPowers(target: ConnectionTarget): Promise<void> {
    const found = await this.pools.powers(target);
    if (found.first) {
      await this.catalog.recordPowers(target.id, { privileged: found.privileged, powers: found.powers });
    }
  }

  private async targets(): Promise<ConnectionTarget[]> {
    const rows = await this.dataSource
      .getRepository(Database)
      .createQueryBuilder('db')
      .addSelect('db.passwordEncrypted')
      .getMany();
    return rows.map((db) => this.catalog.target(db));
  }

  private async write(databaseId: number, error: string | null): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    // Plain SQL: changed_on stays, this is an observation, not an edit of the registration.
    await this.dataSource.query(
      'UPDATE databases SET connection_error = $1, connection_checked_at = now() WHERE id = $2',
      [error, databaseId],
    );
  }
}
