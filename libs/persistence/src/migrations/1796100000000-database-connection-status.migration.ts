import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the sql service last saw when it connected to a registered database: when it checked and,
 * if the connection failed, why. Admins read it in get_database_info and /ready names the
 * databases whose last check failed.
 */
export class DatabaseConnectionStatus1796100000000 implements MigrationInterface {
  name = 'DatabaseConnectionStatus1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "databases"
      ADD "connection_checked_at" TIMESTAMP WITH TIME ZONE,
      ADD "connection_error" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "databases" DROP COLUMN "connection_error", DROP COLUMN "connection_checked_at"`);
  }
}
