import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail. Written by hand and checked against the AuditEvent entity with TypeORM's
 * schema diff. `event_id` is unique so that a redelivered event is inserted once
 * (INSERT ... ON CONFLICT (event_id) DO NOTHING); the other indexes serve list_audit_events'
 * filters (newest first) and the retention job's deletes by time.
 */
export class AuditEvents1795900000000 implements MigrationInterface {
  name = 'AuditEvents1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_events" (
      "id" BIGSERIAL NOT NULL,
      "event_id" uuid NOT NULL,
      "event_type" character varying(64) NOT NULL,
      "event_version" smallint NOT NULL,
      "source" character varying(32) NOT NULL,
      "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
      "user_id" integer,
      "username" character varying(128) NOT NULL,
      "roles" text array NOT NULL,
      "tool" character varying(128) NOT NULL,
      "status" character varying(16) NOT NULL,
      "error_type" character varying(64),
      "duration_ms" double precision NOT NULL,
      "request_id" character varying(128) NOT NULL,
      "client" jsonb,
      "remote_addr" character varying(64),
      "arguments" jsonb NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_audit_events" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_audit_events_event_id" ON "audit_events" ("event_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_timestamp" ON "audit_events" ("timestamp")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_username_timestamp" ON "audit_events" ("username", "timestamp")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_tool_timestamp" ON "audit_events" ("tool", "timestamp")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_status_timestamp" ON "audit_events" ("status", "timestamp")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_request_id" ON "audit_events" ("request_id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_request_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_status_timestamp"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_tool_timestamp"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_username_timestamp"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_timestamp"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_audit_events_event_id"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
