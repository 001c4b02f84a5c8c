import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Client } from 'pg';
import { expect } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { toolRegistry, type JsonSchema, type Principal } from '@meridian/contracts';
import { EnvelopeSigner, InProcessBus, InProcessServer } from '@meridian/messaging';
// Tests drive the app they cover; the rule guards apps and libs from each other.
import { CatalogModule } from '../../apps/catalog/src/catalog.module';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';

export type Row = Record<string, unknown>;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** The success schema with no room for undeclared keys: answers must match it exactly. */
export function exact(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
    return out;
  };
  return walk(schema) as JsonSchema;
}

export function expectValid(schema: JsonSchema, answer: unknown): void {
  const validate = ajv.compile(schema);
  expect(validate(answer), ajv.errorsText(validate.errors)).toBe(true);
}

/**
 * The catalog service on the in-process transport over a fresh metadata database, called the way
 * the edge calls it: with a principal read from the database and a signed envelope.
 */
export class CatalogHarness {
  private readonly bus = new InProcessBus();
  private readonly signer = new EnvelopeSigner(TEST_SECRET_KEY);
  private app?: INestMicroservice;
  db!: TestDatabase;
  pg!: Client;

  async start(
    prefix: string,
    prepare?: (pg: Client) => Promise<unknown>,
    settings: Partial<MeridianConfig> = {},
  ): Promise<void> {
    this.db = await createTestDatabase(prefix);
    this.pg = new Client({ connectionString: this.db.url });
    await this.pg.connect();
    if (prepare) await prepare(this.pg);
    this.app = await NestFactory.createMicroservice(
      CatalogModule.forRoot({
        ...loadConfig({}),
        databaseUrl: this.db.url,
        secretKey: TEST_SECRET_KEY,
        ...settings,
      }),
      { strategy: new InProcessServer(this.bus), logger: false },
    );
    await this.app.listen();
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.pg?.end();
    await this.db?.drop();
  }

  async sql<T = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pg.query(text, params)).rows as T[];
  }

  /** The principal the edge would sign for `username`: its id and current role names. */
  async principal(username: string): Promise<Principal> {
    const [row] = await this.sql<{ id: number; roles: string[] }>(
      `SELECT u.id, coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
         FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id
        WHERE u.username = $1 GROUP BY u.id`,
      [username],
    );
    if (!row) throw new Error(`No user ${username} in the test database`);
    return { user_id: row.id, username, roles: row.roles, scopes: [], auth: 'dev' };
  }

  /** Sends a tool request; resolves with the answer, rejects with the error body. */
  dispatch(tool: string, args: unknown, principal: Principal): Promise<unknown> {
    const subject = toolRegistry().subjectOf(tool);
    const request = { tool, args: args as Row, principal, request_id: 'test' };
    return this.bus.dispatch(subject, { ...request, envelope: this.signer.sign(request, subject) });
  }

  /** Calls a tool expecting success; the answer must satisfy the tool's output schema exactly. */
  async call(tool: string, args: Row, principal: Principal): Promise<Row> {
    const answer = (await this.dispatch(tool, args, principal)) as Row;
    const def = toolRegistry().get(tool);
    expectValid(def.outputSchema, answer);
    expectValid(exact(def.output), answer);
    return answer;
  }

  /** Calls a tool expecting a refusal; the error body must satisfy the output schema too. */
  async refusal(tool: string, args: unknown, principal: Principal): Promise<Row> {
    const err = (await this.dispatch(tool, args, principal).then(
      (answer) => {
        throw new Error(`${tool} answered ${JSON.stringify(answer)}`);
      },
      (e: unknown) => e,
    )) as Row;
    expectValid(toolRegistry().get(tool).outputSchema, err);
    return err;
  }
}
