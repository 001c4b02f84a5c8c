import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events the audit service could not store, kept with their raw bytes and the reason until
 * `meridian audit replay-dead` stores them. Checked against the AuditDeadLetter entity with
 * TypeORM's schema diff; the index serves the replay's "waiting, oldest first" scan.
 */
export class AuditDeadLetters1796200000001 implements MigrationInterface {
  name = 'AuditDeadLetters1796200000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_dead_letters" (
      "id" BIGSERIAL NOT NULL,
      "event_id" uuid,
      "reason" character varying(16) NOT NULL,
      "error" text NOT NULL,
      "subject" character varying(256),
      "payload" bytea NOT NULL,
      "attempts" integer NOT NULL DEFAULT '1',
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "replayed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_audit_dead_letters" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_dead_letters_replayed_at_id" ON "audit_dead_letters" ("replayed_at", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_dead_letters_replayed_at_id"`);
    await queryRunner.query(`DROP TABLE "audit_dead_letters"`);
  }
}
