import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Records, per audit row, what was replaced or cut so that the event could be stored. */
export class AuditEventsSanitized1796200000000 implements MigrationInterface {
  name = 'AuditEventsSanitized1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "sanitized" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "sanitized"`);
  }
}
