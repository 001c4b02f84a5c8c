import { jwtVerify } from 'jose';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, SecretBox } from '@meridian/persistence';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { startProcess } from '../support/processes';

const JWT_SECRET = 'a-shared-secret-for-local-tokens-0123456789';

/** The operator's admin commands, run as a person would: the compiled CLI against a real database. */
describe('meridian admin CLI', () => {
  let db: TestDatabase;
  let pg: Client;

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const proc = startProcess('meridian', 'dist/apps/meridian/src/main.js', args, {
      SQLALCHEMY_DATABASE_URI: db.url,
      SECRET_KEY: TEST_SECRET_KEY,
      ...env,
    });
    const code = await new Promise<number | null>((done) => proc.child.once('exit', done));
    return { code, out: proc.output() };
  };

  beforeAll(async () => {
    db = await createTestDatabase('cli');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('creates, lists, deactivates and re-activates a user', async () => {
    const created = await cli(['users', 'create', 'dora', '--role', 'Gamma', '--email', 'dora@example.com']);
    expect(created.code, created.out).toBe(0);
    const { rows } = await pg.query(
      `SELECT u.active, array_agg(r.name) AS roles FROM users u
       JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
       WHERE u.username = 'dora' GROUP BY u.active`,
    );
    expect(rows).toEqual([{ active: true, roles: ['Gamma'] }]);

    const listed = await cli(['users', 'list']);
    expect(listed.out).toMatch(/dora\s+true\s+Gamma\s+dora@example\.com/);

    expect((await cli(['users', 'deactivate', 'dora'])).code).toBe(0);
    expect((await pg.query("SELECT active FROM users WHERE username = 'dora'")).rows[0].active).toBe(false);
    expect((await cli(['users', 'activate', 'dora'])).code).toBe(0);
    expect((await pg.query("SELECT active FROM users WHERE username = 'dora'")).rows[0].active).toBe(true);
  });

  it('refuses bad input clearly and changes nothing', async () => {
    const before = (await pg.query('SELECT count(*)::int AS n FROM users')).rows[0].n as number;
    const unknownRole = await cli(['users', 'create', 'eve', '--role', 'Wizard']);
    expect(unknownRole.code).toBe(1);
    expect(unknownRole.out).toContain('Unknown role(s): Wizard');
    const badName = await cli(['users', 'create', "o'brien;drop"]);
    expect(badName.code).toBe(1);
    const duplicate = await cli(['users', 'create', 'admin']);
    expect(duplicate.out).toContain('User admin already exists');
    expect((await pg.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(before);
  });

  it('creates roles and grants and revokes them', async () => {
    expect((await cli(['roles', 'create', 'analysts'])).code).toBe(0);
    expect((await cli(['roles', 'grant', 'analysts', 'gary'])).code).toBe(0);
    expect((await cli(['roles', 'list'])).out).toMatch(/analysts\s+gary/);
    expect((await cli(['roles', 'revoke', 'analysts', 'gary'])).code).toBe(0);
    const { rows } = await pg.query(
      `SELECT count(*)::int AS n FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = 'analysts'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('mints a short-lived HS256 token the edge settings would accept', async () => {
    const env = {
      MCP_JWT_ALGORITHM: 'HS256',
      MCP_JWT_SECRET: JWT_SECRET,
      MCP_JWT_ISSUER: 'https://issuer.example.com',
      MCP_JWT_AUDIENCE: 'meridian',
    };
    const { code, out } = await cli(
      ['token', '--user', 'alice', '--scopes', 'meridian:read meridian:sql', '--ttl', '120'],
      env,
    );
    expect(code, out).toBe(0);
    const token = out.trim().split('\n').pop()!;
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(JWT_SECRET), {
      issuer: 'https://issuer.example.com',
      audience: 'meridian',
      algorithms: ['HS256'],
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('alice');
    expect(payload.scope).toBe('meridian:read meridian:sql');
    expect(payload.exp! - payload.iat!).toBe(120);

    const refused = await cli(['token', '--user', 'alice']);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('MCP_JWT_SECRET');
  });

  it('re-encrypts stored secrets after a SECRET_KEY rotation', async () => {
    const oldKey = TEST_SECRET_KEY;
    const newKey = 'the-rotated-secret-key-0123456789';
    const sealed = new SecretBox(oldKey).encrypt('warehouse-password');
    await pg.query(
      `INSERT INTO databases (database_name, backend, host, port, db_name, username, password_encrypted)
       VALUES ('warehouse', 'postgresql', '127.0.0.1', 5432, 'warehouse', 'reader', $1)`,
      [sealed],
    );
    const withoutPrevious = await cli(['secrets', 'reencrypt'], { SECRET_KEY: newKey });
    expect(withoutPrevious.code).toBe(1);
    expect(withoutPrevious.out).toContain('nothing was changed');
    expect(
      (await pg.query("SELECT password_encrypted FROM databases WHERE database_name = 'warehouse'")).rows[0]
        .password_encrypted,
    ).toBe(sealed);

    // The warehouse's password, and the seeded examples' (their reader login's).
    const { rows: sealedRows } = await pg.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM databases WHERE password_encrypted IS NOT NULL',
    );
    expect(sealedRows[0].n).toBe(2);
    const rotated = await cli(['secrets', 'reencrypt'], { SECRET_KEY: newKey, PREVIOUS_SECRET_KEY: oldKey });
    expect(rotated.code, rotated.out).toBe(0);
    expect(rotated.out).toContain('Re-encrypted 2 secret(s)');
    const { rows } = await pg.query(
      "SELECT password_encrypted FROM databases WHERE database_name = 'warehouse'",
    );
    const stored = rows[0].password_encrypted as string;
    expect(stored).not.toBe(sealed);
    expect(new SecretBox(newKey).decrypt(stored)).toBe('warehouse-password');
    expect(() => new SecretBox(oldKey).decrypt(stored)).toThrow();

    const again = await cli(['secrets', 'reencrypt'], { SECRET_KEY: newKey, PREVIOUS_SECRET_KEY: oldKey });
    expect(again.out).toContain('Re-encrypted 0 secret(s)');
  });

  it('downgrades and upgrades the schema, refusing a migration it does not know', async () => {
    const names = MIGRATIONS.map((m) => m.name);
    const applied = async () =>
      (await pg.query<{ name: string }>('SELECT name FROM meridian_migrations ORDER BY id')).rows.map(
        (r) => r.name,
      );
    const unknown = await cli(['db', 'downgrade', '--to', 'NoSuchMigration1']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('Unknown migration NoSuchMigration1; this version knows:');
    expect(await applied()).toEqual(names);

    const one = await cli(['db', 'downgrade']);
    expect(one.code, one.out).toBe(0);
    expect(one.out).toContain(`Reverted: ${names.at(-1)}\nNewest migration applied: ${names.at(-2)}`);
    expect(await applied()).toEqual(names.slice(0, -1));

    const toFirst = await cli(['db', 'downgrade', '--to', names[0]]);
    expect(toFirst.code, toFirst.out).toBe(0);
    expect(toFirst.out).toContain(`Newest migration applied: ${names[0]}`);
    expect(await applied()).toEqual(names.slice(0, 1));
    // The seeded users survive: only later migrations' tables and columns went.
    expect((await pg.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBeGreaterThan(0);

    const up = await cli(['db', 'upgrade']);
    expect(up.code, up.out).toBe(0);
    expect(up.out).toContain(`Applied: ${names.slice(1).join(', ')}`);
    expect(await applied()).toEqual(names);
  });
});
