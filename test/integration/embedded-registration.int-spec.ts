import { Client } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repointEmbeddedDatabases } from '@meridian/examples';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The all-in-one's repair of registered connections when its embedded server changes port. */
describe('re-pointing databases registered on the embedded server', () => {
  let db: TestDatabase;
  let meta: Client;

  const row = async (name: string) =>
    (
      await meta.query<{
        host: string;
        port: number;
        username: string;
        extra: Record<string, unknown>;
        changed_on: Date;
      }>('SELECT host, port, username, extra, changed_on FROM databases WHERE database_name = $1', [name])
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase('embedded_registration');
    meta = new Client({ connectionString: db.url });
    await meta.connect();
  });

  afterAll(async () => {
    await meta?.end();
    await db?.drop();
  });

  beforeEach(async () => {
    // The template's examples point at the test server; make them look like an older all-in-one's.
    await meta.query(
      "UPDATE databases SET host = '127.0.0.1', port = 40001, db_name = 'examples', username = 'meridian', extra = '{}' WHERE database_name = 'examples'",
    );
    await meta.query("DELETE FROM databases WHERE database_name IN ('mine', 'elsewhere')");
    await meta.query(
      `INSERT INTO databases (database_name, backend, host, port, db_name, username, extra) VALUES
       ('mine', 'postgresql', '127.0.0.1', 40001, 'warehouse', 'meridian_reader', '{"embedded_server": true, "note": "kept"}'),
       ('elsewhere', 'postgresql', '127.0.0.1', 40001, 'examples', 'someone', '{}')`,
    );
  });

  it('adopts the examples an older version registered and follows the server to its new port', async () => {
    const changed = await repointEmbeddedDatabases(db.url, {
      host: '127.0.0.1',
      port: 40002,
      databases: ['meridian', 'examples'],
    });
    expect(changed.map((c) => c.name).sort()).toEqual(['examples', 'mine']);
    expect(changed.find((c) => c.name === 'examples')).toEqual({
      name: 'examples',
      from: '127.0.0.1:40001',
      to: '127.0.0.1:40002',
    });
    expect(await row('examples')).toMatchObject({
      port: 40002,
      username: 'meridian',
      extra: { embedded_server: true },
    });
    // Only host and port change: the login a flagged registration has (a reader role) stays.
    expect(await row('mine')).toMatchObject({
      port: 40002,
      username: 'meridian_reader',
      extra: { embedded_server: true, note: 'kept' },
    });
    // Another database that merely looks alike is not the embedded server's.
    expect(await row('elsewhere')).toMatchObject({ port: 40001, extra: {} });
  });

  it('leaves registrations that already point at the server untouched', async () => {
    await repointEmbeddedDatabases(db.url, { host: '127.0.0.1', port: 40002, databases: ['examples'] });
    const before = await row('examples');
    const again = await repointEmbeddedDatabases(db.url, {
      host: '127.0.0.1',
      port: 40002,
      databases: ['examples'],
    });
    expect(again).toEqual([]);
    expect((await row('examples')).changed_on).toEqual(before.changed_on);
  });

  it('adopts nothing unflagged when the examples were placed elsewhere on purpose', async () => {
    const changed = await repointEmbeddedDatabases(db.url, { host: '127.0.0.1', port: 40002, databases: [] });
    expect(changed.map((c) => c.name)).toEqual(['mine']);
    expect(await row('examples')).toMatchObject({ port: 40001, extra: {} });
  });
});
