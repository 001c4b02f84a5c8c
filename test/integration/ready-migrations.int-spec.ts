import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, revertMigrations, runMigrations } from '@meridian/persistence';
import { startAuthedEdge, type AuthedEdge } from './edge-auth-harness';

/** A rollout must not serve from a schema older than its code: /ready waits for `db upgrade`. */
describe('/ready and the metadata schema', () => {
  let edge: AuthedEdge;
  const last = MIGRATIONS[MIGRATIONS.length - 1].name;

  beforeAll(async () => {
    edge = await startAuthedEdge({ clients: [], auth: { enabled: false }, config: { devUsername: 'admin' } });
  });

  afterAll(async () => {
    await edge?.close();
  });

  const ready = async () => {
    const res = await edge.get(undefined, '/ready');
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is ready on a schema with every migration this code knows', async () => {
    expect(await ready()).toMatchObject({ status: 200, body: { checks: { migrations: 'ok' } } });
  });

  it('is not ready, naming the missing migration, until it is applied', async () => {
    const [row] = await edge.sql<{ id: number; timestamp: string; name: string }>(
      'DELETE FROM meridian_migrations WHERE name = $1 RETURNING id, timestamp, name',
      [last],
    );
    try {
      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        status: 'not_ready',
        checks: { migrations: `failed: schema lacks ${last}; run db upgrade` },
      });
    } finally {
      await edge.sql('INSERT INTO meridian_migrations (id, timestamp, name) VALUES ($1, $2, $3)', [
        row.id,
        row.timestamp,
        row.name,
      ]);
    }
    expect((await ready()).status).toBe(200);
  });

  it('stays ready on a schema a newer version migrated further', async () => {
    await edge.sql(
      "INSERT INTO meridian_migrations (timestamp, name) VALUES (9999999999999, 'FromTheFuture9999999999999')",
    );
    try {
      expect((await ready()).status).toBe(200);
    } finally {
      await edge.sql("DELETE FROM meridian_migrations WHERE name = 'FromTheFuture9999999999999'");
    }
  });

  it('is not ready after `db downgrade` reverted a migration, and ready again after `db upgrade`', async () => {
    expect((await revertMigrations(edge.db.url)).reverted).toEqual([last]);
    try {
      expect(await ready()).toMatchObject({
        status: 503,
        body: { checks: { migrations: `failed: schema lacks ${last}; run db upgrade` } },
      });
    } finally {
      expect(await runMigrations(edge.db.url)).toEqual([last]);
    }
    expect(await ready()).toMatchObject({ status: 200, body: { checks: { migrations: 'ok' } } });
  });
});
