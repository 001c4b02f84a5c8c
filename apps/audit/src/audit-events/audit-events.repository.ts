import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { ToolEventV1 } from '@meridian/events';
import { AuditEvent } from '@meridian/persistence';

export interface AuditEventFilter {
  username?: string;
  tool?: string;
  status?: 'success' | 'error';
  errorType?: string;
  requestId?: string;
  since?: Date;
  until?: Date;
}

export interface AuditEventPage {
  rows: AuditEvent[];
  total: number;
}

const COLUMNS = [
  'event_id',
  'event_type',
  'event_version',
  'source',
  'timestamp',
  'user_id',
  'username',
  'roles',
  'tool',
  'status',
  'error_type',
  'duration_ms',
  'request_id',
  'client',
  'remote_addr',
  'arguments',
  'sanitized',
];
const CASTS: Record<string, string> = {
  client: '::jsonb',
  arguments: '::jsonb',
  sanitized: '::jsonb',
  roles: '::text[]',
};

function values(e: ToolEventV1): unknown[] {
  return [
    e.event_id,
    e.type,
    e.version,
    e.source ?? 'unknown',
    e.timestamp,
    e.user_id ?? null,
    e.username,
    e.roles,
    e.tool,
    e.status,
    e.error_type ?? null,
    e.duration_ms,
    e.request_id,
    e.client ? JSON.stringify(e.client) : null,
    e.remote_addr ?? null,
    JSON.stringify(e.arguments ?? null),
    e.sanitized ? JSON.stringify(e.sanitized) : null,
  ];
}

@Injectable()
export class AuditEventsRepository {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  /**
   * Stores events in one statement (so all or none are committed when it returns); an event whose
   * id is already stored is skipped. Returns how many rows were new.
   */
  async insertMany(events: readonly ToolEventV1[]): Promise<number> {
    if (events.length === 0) return 0;
    const params: unknown[] = [];
    const tuples = events.map((e) => {
      const row = values(e).map((v, i) => {
        params.push(v);
        return `$${params.length}${CASTS[COLUMNS[i]] ?? ''}`;
      });
      return `(${row.join(', ')})`;
    });
    const inserted = await this.events.query<{ event_id: string }[]>(
      `INSERT INTO audit_events (${COLUMNS.map((c) => `"${c}"`).join(', ')})
       VALUES ${tuples.join(', ')}
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      params,
    );
    return inserted.length;
  }

  /** One page of events matching every given filter, newest first unless `direction` is asc. */
  async list(
    filter: AuditEventFilter,
    page: number,
    pageSize: number,
    direction: 'asc' | 'desc',
  ): Promise<AuditEventPage> {
    const qb = this.events.createQueryBuilder('e');
    if (filter.username !== undefined) qb.andWhere('e.username = :username', { username: filter.username });
    if (filter.tool !== undefined) qb.andWhere('e.tool = :tool', { tool: filter.tool });
    if (filter.status !== undefined) qb.andWhere('e.status = :status', { status: filter.status });
    if (filter.errorType !== undefined) {
      qb.andWhere('e.errorType = :errorType', { errorType: filter.errorType });
    }
    if (filter.requestId !== undefined) {
      qb.andWhere('e.requestId = :requestId', { requestId: filter.requestId });
    }
    if (filter.since) qb.andWhere('e.timestamp >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('e.timestamp < :until', { until: filter.until });
    const order = direction === 'asc' ? 'ASC' : 'DESC';
    const [rows, total] = await qb
      .orderBy('e.timestamp', order)
      .addOrderBy('e.id', order)
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { rows, total };
  }

  /** The id of the last stored row ('0' when there is none). */
  async lastId(): Promise<string> {
    const row = await this.events
      .createQueryBuilder('e')
      .select('MAX(e.id)', 'id')
      .getRawOne<{ id: string | null }>();
    return row?.id ?? '0';
  }

  /** Events stored after row `afterId` (in storing order), for following the trail. */
  newerThan(afterId: string, filter: Pick<AuditEventFilter, 'username' | 'tool'>, limit: number) {
    const qb = this.events
      .createQueryBuilder('e')
      .where('e.id > :afterId', { afterId })
      .orderBy('e.id', 'ASC')
      .take(limit);
    if (filter.username !== undefined) qb.andWhere('e.username = :username', { username: filter.username });
    if (filter.tool !== undefined) qb.andWhere('e.tool = :tool', { tool: filter.tool });
    return qb.getMany();
  }

  /**
   * Deletes rows older than `cutoff`, a batch at a time so no single statement holds locks for long.
   * Several audit replicas may run it at once: one holds the advisory lock, the others skip.
   */
  async deleteOlderThan(cutoff: Date, batchSize = 5_000): Promise<number | null> {
    const runner = this.events.manager.connection.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(
        `SELECT pg_try_advisory_lock(hashtext('meridian.audit_events.retention')) AS locked`,
      )) as { locked: boolean }[];
      if (!locked) return null;
      try {
        let deleted = 0;
        for (;;) {
          const [, count] = (await runner.query(
            `DELETE FROM audit_events WHERE id IN (
               SELECT id FROM audit_events WHERE "timestamp" < $1 ORDER BY "timestamp" LIMIT $2)`,
            [cutoff, batchSize],
          )) as [unknown, number];
          deleted += count;
          if (count < batchSize) return deleted;
        }
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext('meridian.audit_events.retention'))`);
      }
    } finally {
      await runner.release();
    }
  }
}
