import type { MigrationInterface, QueryRunner } from "typeorm";

export class Authorization1795855333344 implements MigrationInterface {
    name = 'Authorization1795855333344'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "permissions" ("id" SERIAL NOT NULL, "action" character varying(100) NOT NULL, "resource_type" character varying(100) NOT NULL, "resource_id" integer, "schema" character varying(255), CONSTRAINT "CHK_permissions_resource_id" CHECK ("action" NOT IN ('database_access', 'schema_access', 'datasource_access') OR "resource_id" IS NOT NULL), CONSTRAINT "CHK_permissions_schema_access" CHECK ("action" <> 'schema_access' OR "schema" IS NOT NULL), CONSTRAINT "PK_920331560282b8bd21bb02290df" PRIMARY KEY ("id"))`);
        // NULLS NOT DISTINCT (PostgreSQL 15+): grants on a whole resource type have no id or schema and
        // must be unique too. TypeORM cannot declare it, so it is added here by hand.
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_permissions_grant" ON "permissions" ("action", "resource_type", "resource_id", "schema") NULLS NOT DISTINCT`);
        await queryRunner.query(`CREATE TABLE "rls_filters" ("id" SERIAL NOT NULL, "name" character varying(255) NOT NULL, "filter_type" character varying(16) NOT NULL, "clause" text NOT NULL, "group_key" character varying(255), "description" text, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "changed_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_e14139144f53c544cde9ae6874c" UNIQUE ("name"), CONSTRAINT "CHK_rls_filters_type" CHECK ("filter_type" IN ('Regular', 'Base')), CONSTRAINT "PK_20eb7dd506baef50d623830e5f8" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "role_permissions" ("role_id" integer NOT NULL, "permission_id" integer NOT NULL, CONSTRAINT "PK_25d24010f53bb80b78e412c9656" PRIMARY KEY ("role_id", "permission_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_178199805b901ccd220ab7740e" ON "role_permissions" ("role_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_17022daf3f885f7d35423e9971" ON "role_permissions" ("permission_id") `);
        await queryRunner.query(`CREATE TABLE "rls_filter_datasets" ("rls_filter_id" integer NOT NULL, "dataset_id" integer NOT NULL, CONSTRAINT "PK_67adb65e3ef242c0814d8904fe5" PRIMARY KEY ("rls_filter_id", "dataset_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_8ec1c1f79716cc3d242a5070f3" ON "rls_filter_datasets" ("rls_filter_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_f6b9ed4b8bb150c1ee8e52e8a1" ON "rls_filter_datasets" ("dataset_id") `);
        await queryRunner.query(`CREATE TABLE "rls_filter_roles" ("rls_filter_id" integer NOT NULL, "role_id" integer NOT NULL, CONSTRAINT "PK_5dadb87389d3a96add5338e27fa" PRIMARY KEY ("rls_filter_id", "role_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_9eb9f9cb3c66394047d85f3f31" ON "rls_filter_roles" ("rls_filter_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_ff69aa369a48da395a54d6fd72" ON "rls_filter_roles" ("role_id") `);
        await queryRunner.query(`ALTER TABLE "users" ADD "provisioned" boolean NOT NULL DEFAULT false`);
        await queryRunner.query(`ALTER TABLE "role_permissions" ADD CONSTRAINT "FK_178199805b901ccd220ab7740ec" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "role_permissions" ADD CONSTRAINT "FK_17022daf3f885f7d35423e9971e" FOREIGN KEY ("permission_id") REFERENCES "permissions"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "rls_filter_datasets" ADD CONSTRAINT "FK_8ec1c1f79716cc3d242a5070f3b" FOREIGN KEY ("rls_filter_id") REFERENCES "rls_filters"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "rls_filter_datasets" ADD CONSTRAINT "FK_f6b9ed4b8bb150c1ee8e52e8a12" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "rls_filter_roles" ADD CONSTRAINT "FK_9eb9f9cb3c66394047d85f3f313" FOREIGN KEY ("rls_filter_id") REFERENCES "rls_filters"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "rls_filter_roles" ADD CONSTRAINT "FK_ff69aa369a48da395a54d6fd727" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "rls_filter_roles" DROP CONSTRAINT "FK_ff69aa369a48da395a54d6fd727"`);
        await queryRunner.query(`ALTER TABLE "rls_filter_roles" DROP CONSTRAINT "FK_9eb9f9cb3c66394047d85f3f313"`);
        await queryRunner.query(`ALTER TABLE "rls_filter_datasets" DROP CONSTRAINT "FK_f6b9ed4b8bb150c1ee8e52e8a12"`);
        await queryRunner.query(`ALTER TABLE "rls_filter_datasets" DROP CONSTRAINT "FK_8ec1c1f79716cc3d242a5070f3b"`);
        await queryRunner.query(`ALTER TABLE "role_permissions" DROP CONSTRAINT "FK_17022daf3f885f7d35423e9971e"`);
        await queryRunner.query(`ALTER TABLE "role_permissions" DROP CONSTRAINT "FK_178199805b901ccd220ab7740ec"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "provisioned"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ff69aa369a48da395a54d6fd72"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_9eb9f9cb3c66394047d85f3f31"`);
        await queryRunner.query(`DROP TABLE "rls_filter_roles"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_f6b9ed4b8bb150c1ee8e52e8a1"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_8ec1c1f79716cc3d242a5070f3"`);
        await queryRunner.query(`DROP TABLE "rls_filter_datasets"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_17022daf3f885f7d35423e9971"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_178199805b901ccd220ab7740e"`);
        await queryRunner.query(`DROP TABLE "role_permissions"`);
        await queryRunner.query(`DROP TABLE "rls_filters"`);
        await queryRunner.query(`DROP INDEX "public"."UQ_permissions_grant"`);
        await queryRunner.query(`DROP TABLE "permissions"`);
    }

}
