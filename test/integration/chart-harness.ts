import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Client } from 'pg';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { toolRegistry, type Principal } from '@meridian/contracts';
import { IN_PROCESS_EVENTS_PATTERN, type DomainEventV1, type InProcessEventBatch } from '@meridian/events';
import { EnvelopeSigner, InProcessBus, InProcessServer } from '@meridian/messaging';
// Tests drive the apps they cover; the rule guards apps and libs from each other.
import { CatalogModule } from '../../apps/catalog/src/catalog.module';
import { ChartModule } from '../../apps/chart/src/chart.module';
import { SqlModule } from '../../apps/sql/src/sql.module';
import {
  createTestDatabase,
  databaseUrl,
  EXAMPLES_DB,
  TEST_SECRET_KEY,
  type TestDatabase,
} from '../support/database';
import { expectValid } from './catalog-harness';

export type Row = Record<string, unknown>;

/** Collects what the services publish on the all-in-one's event path. */
const received: DomainEventV1[] = [];

@Controller()
class EventSink {
  @MessagePattern(IN_PROCESS_EVENTS_PATTERN)
  take(@Payload() batch: InProcessEventBatch) {
    for (const e of batch.events)
      if ((e as { type?: string }).type !== 'tool.call') received.push(e as DomainEventV1);
    return { stored: batch.events.length };
  }
}

@Module({ controllers: [EventSink] })
class EventSinkModule {}

/**
 * The chart service with the sql and catalog services on one in-process bus, over a fresh metadata
 * database cloned from the seeded template, called the way the edge calls it.
 */
export class ChartHarness {
  readonly bus = new InProcessBus();
  private readonly signer = new EnvelopeSigner(TEST_SECRET_KEY);
  private readonly apps: INestMicroservice[] = [];
  config!: MeridianConfig;
  db!: TestDatabase;
  meta!: Client;
  examples!: Client;
  readonly events = received;

  async start(prefix: string, overrides: Partial<MeridianConfig> = {}): Promise<void> {
    this.db = await createTestDatabase(prefix);
    this.meta = new Client({ connectionString: this.db.url });
    await this.meta.connect();
    this.examples = new Client({ connectionString: databaseUrl(EXAMPLES_DB) });
    await this.examples.connect();
    this.config = {
      ...loadConfig({}),
      databaseUrl: this.db.url,
      secretKey: TEST_SECRET_KEY,
      logLevel: 'silent',
      host: '127.0.0.1',
      port: 5999,
      ...overrides,
    };
    for (const module of [
      SqlModule.forRoot(this.config),
      CatalogModule.forRoot(this.config),
      ChartModule.forRoot(this.config, this.bus),
      EventSinkModule,
    ]) {
      const app = await NestFactory.createMicroservice(module, {
        strategy: new InProcessServer(this.bus),
        logger: false,
      });
      await app.listen();
      this.apps.push(app);
    }
  }

  async close(): Promise<void> {
    for (const app of this.apps.reverse()) await app.close();
    await this.meta?.end();
    await this.examples?.end();
    await this.db?.drop();
  }

  async metaRows<T = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.meta.query(text, params)).rows as T[];
  }

  /** The test's own SQL on the examples database. */
  async exampleRows<T = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.examples.query(text, params)).rows as T[];
  }

  async datasetId(table: string): Promise<number> {
    const [row] = await this.metaRows<{ id: number }>('SELECT id FROM datasets WHERE table_name = $1', [
      table,
    ]);
    return row.id;
  }

  async chartId(name: string): Promise<number> {
    const [row] = await this.metaRows<{ id: number }>('SELECT id FROM charts WHERE slice_name = $1', [name]);
    return row.id;
  }

  /** The principal the edge would sign for `username`: its id and current role names. */
  async principal(username: string): Promise<Principal> {
    const [row] = await this.metaRows<{ id: number; roles: string[] }>(
      `SELECT u.id, coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
         FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id
        WHERE u.username = $1 GROUP BY u.id`,
      [username],
    );
    if (!row) throw new Error(`No user ${username}`);
    return { user_id: row.id, username, roles: row.roles, scopes: [], auth: 'dev' };
  }

  dispatch(tool: string, args: unknown, principal: Principal): Promise<unknown> {
    const subject = toolRegistry().subjectOf(tool);
    const request = { tool, args: args as Row, principal, request_id: `chart-test-${tool}` };
    return this.bus.dispatch(subject, { ...request, envelope: this.signer.sign(request, subject) });
  }

  /** A tool call as `username` expected to succeed; the answer must satisfy the tool's output schema. */
  async call(tool: string, args: Row, username = 'admin'): Promise<Row> {
    const answer = (await this.dispatch(tool, args, await this.principal(username))) as Row;
    expectValid(toolRegistry().get(tool).outputSchema, answer);
    return answer;
  }

  /** A tool call expected to fail; returns the error body. */
  async refusal(tool: string, args: Row, username = 'admin'): Promise<Row> {
    const outcome = await this.dispatch(tool, args, await this.principal(username)).then(
      (answer) => ({ ok: true as const, answer }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    if (outcome.ok) throw new Error(`${tool} answered ${JSON.stringify(outcome.answer).slice(0, 400)}`);
    return outcome.err as Row;
  }
}
