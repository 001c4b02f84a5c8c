import type { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1795853496074 implements MigrationInterface {
    name = 'InitialSchema1795853496074'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "databases" ("id" SERIAL NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "database_name" character varying(250) NOT NULL, "backend" character varying(32) NOT NULL, "host" character varying(255) NOT NULL, "port" integer NOT NULL, "db_name" character varying(255) NOT NULL, "username" character varying(255) NOT NULL, "password_encrypted" text, "expose_in_sqllab" boolean NOT NULL DEFAULT true, "allow_dml" boolean NOT NULL DEFAULT false, "extra" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "changed_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_4d43ae47bdf4db962177ea6dbd3" UNIQUE ("uuid"), CONSTRAINT "UQ_9c7516b31275b001988ddb32ec2" UNIQUE ("database_name"), CONSTRAINT "PK_238a190c9ace4bea3dc1896f988" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "dataset_columns" ("id" SERIAL NOT NULL, "column_name" character varying(255) NOT NULL, "verbose_name" character varying(1024), "type" character varying(64), "is_dttm" boolean NOT NULL DEFAULT false, "groupby" boolean NOT NULL DEFAULT true, "filterable" boolean NOT NULL DEFAULT true, "is_active" boolean NOT NULL DEFAULT true, "description" text, "expression" text, "dataset_id" integer NOT NULL, CONSTRAINT "PK_d7be492a5de7d5adc98729f7972" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_b2f6df147596f262271e1d88e7" ON "dataset_columns" ("dataset_id", "column_name") `);
        await queryRunner.query(`CREATE TABLE "dataset_metrics" ("id" SERIAL NOT NULL, "metric_name" character varying(255) NOT NULL, "verbose_name" character varying(1024), "metric_type" character varying(32), "expression" text NOT NULL, "description" text, "d3format" character varying(128), "dataset_id" integer NOT NULL, CONSTRAINT "PK_4423e265a6570c5b7b8c8e6f679" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ab3f9155d02704190dec143e79" ON "dataset_metrics" ("dataset_id", "metric_name") `);
        await queryRunner.query(`CREATE TABLE "roles" ("id" SERIAL NOT NULL, "name" character varying(64) NOT NULL, CONSTRAINT "UQ_648e3f5447f725579d7d4ffdfb7" UNIQUE ("name"), CONSTRAINT "PK_c1433d71a4838793a49dcad46ab" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(128) NOT NULL, "first_name" character varying(128) NOT NULL DEFAULT '', "last_name" character varying(128) NOT NULL DEFAULT '', "email" character varying(320), "active" boolean NOT NULL DEFAULT true, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "changed_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_951b8f1dfc94ac1d0301a14b7e1" UNIQUE ("uuid"), CONSTRAINT "UQ_fe0bb3f6520ee0469504521e710" UNIQUE ("username"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "datasets" ("id" SERIAL NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "table_name" character varying(250) NOT NULL, "schema" character varying(255), "database_id" integer NOT NULL, "description" text, "main_dttm_col" character varying(250), "sql" text, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "changed_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_38dec5695d54008e7cacbb010a1" UNIQUE ("uuid"), CONSTRAINT "PK_1bf831e43c559a240303e23d038" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_afd967baab3417603790e54f61" ON "datasets" ("database_id", "schema", "table_name") `);
        await queryRunner.query(`CREATE TABLE "charts" ("id" SERIAL NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "slice_name" character varying(250) NOT NULL, "viz_type" character varying(64) NOT NULL, "description" text, "params" jsonb NOT NULL DEFAULT '{}'::jsonb, "dataset_id" integer NOT NULL, "cache_timeout" integer, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "changed_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_by_fk" integer, CONSTRAINT "UQ_01b68f0cd75fb41fe4ab0ef702b" UNIQUE ("uuid"), CONSTRAINT "PK_fa7124425552d2d37725307008b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "dashboards" ("id" SERIAL NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "dashboard_title" character varying(500) NOT NULL, "slug" character varying(255), "description" text, "published" boolean NOT NULL DEFAULT false, "layout" jsonb NOT NULL DEFAULT '[]'::jsonb, "created_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "changed_on" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_by_fk" integer, CONSTRAINT "UQ_9d5f9855cbf82587c241e725b86" UNIQUE ("uuid"), CONSTRAINT "UQ_b1f913b32962fbd86734c164a22" UNIQUE ("slug"), CONSTRAINT "PK_1b4b4bc346118e0d335f16c5344" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "user_roles" ("user_id" integer NOT NULL, "role_id" integer NOT NULL, CONSTRAINT "PK_23ed6f04fe43066df08379fd034" PRIMARY KEY ("user_id", "role_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_87b8888186ca9769c960e92687" ON "user_roles" ("user_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_b23c65e50a758245a33ee35fda" ON "user_roles" ("role_id") `);
        await queryRunner.query(`CREATE TABLE "dataset_owners" ("dataset_id" integer NOT NULL, "user_id" integer NOT NULL, CONSTRAINT "PK_ce9bbfd7389999c04287868438f" PRIMARY KEY ("dataset_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_6b76735789cc14c7f86732003e" ON "dataset_owners" ("dataset_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_cf873aa5747612ef289ba6768b" ON "dataset_owners" ("user_id") `);
        await queryRunner.query(`CREATE TABLE "chart_owners" ("chart_id" integer NOT NULL, "user_id" integer NOT NULL, CONSTRAINT "PK_8fda4772dbe18c3ea2a45707be5" PRIMARY KEY ("chart_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_ebe1572c106c26e948e47ab462" ON "chart_owners" ("chart_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_cae2213a31c28ed0d323953ed2" ON "chart_owners" ("user_id") `);
        await queryRunner.query(`CREATE TABLE "dashboard_charts" ("dashboard_id" integer NOT NULL, "chart_id" integer NOT NULL, CONSTRAINT "PK_4946973b1eb49d9eb324688df85" PRIMARY KEY ("dashboard_id", "chart_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_a0207a46f1356a2ba3e433c138" ON "dashboard_charts" ("dashboard_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_6ac73e04b0677c003dfced3902" ON "dashboard_charts" ("chart_id") `);
        await queryRunner.query(`CREATE TABLE "dashboard_owners" ("dashboard_id" integer NOT NULL, "user_id" integer NOT NULL, CONSTRAINT "PK_451e4f8e670cdc8715e2fcb0225" PRIMARY KEY ("dashboard_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_c2cbe6e2196ed2f72a82da6ca6" ON "dashboard_owners" ("dashboard_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_081a5f187c52a12729b5cdc67c" ON "dashboard_owners" ("user_id") `);
        await queryRunner.query(`ALTER TABLE "dataset_columns" ADD CONSTRAINT "FK_104d490b43391abf1dfd00a6269" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "dataset_metrics" ADD CONSTRAINT "FK_bca1e811028a39f499ffb1688fa" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "datasets" ADD CONSTRAINT "FK_079dcb5436a87855cc34981ac9b" FOREIGN KEY ("database_id") REFERENCES "databases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "charts" ADD CONSTRAINT "FK_bdd35f0ed46cc1a03ae68d3b651" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "charts" ADD CONSTRAINT "FK_963a06c5c66bc411f239d2c9488" FOREIGN KEY ("created_by_fk") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "dashboards" ADD CONSTRAINT "FK_6712d1b044e51ea72f5771d1e17" FOREIGN KEY ("created_by_fk") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "user_roles" ADD CONSTRAINT "FK_87b8888186ca9769c960e926870" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "user_roles" ADD CONSTRAINT "FK_b23c65e50a758245a33ee35fda1" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "dataset_owners" ADD CONSTRAINT "FK_6b76735789cc14c7f86732003e4" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "dataset_owners" ADD CONSTRAINT "FK_cf873aa5747612ef289ba6768bf" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "chart_owners" ADD CONSTRAINT "FK_ebe1572c106c26e948e47ab4620" FOREIGN KEY ("chart_id") REFERENCES "charts"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "chart_owners" ADD CONSTRAINT "FK_cae2213a31c28ed0d323953ed22" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "dashboard_charts" ADD CONSTRAINT "FK_a0207a46f1356a2ba3e433c138b" FOREIGN KEY ("dashboard_id") REFERENCES "dashboards"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "dashboard_charts" ADD CONSTRAINT "FK_6ac73e04b0677c003dfced39021" FOREIGN KEY ("chart_id") REFERENCES "charts"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "dashboard_owners" ADD CONSTRAINT "FK_c2cbe6e2196ed2f72a82da6ca6e" FOREIGN KEY ("dashboard_id") REFERENCES "dashboards"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "dashboard_owners" ADD CONSTRAINT "FK_081a5f187c52a12729b5cdc67c4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "dashboard_owners" DROP CONSTRAINT "FK_081a5f187c52a12729b5cdc67c4"`);
        await queryRunner.query(`ALTER TABLE "dashboard_owners" DROP CONSTRAINT "FK_c2cbe6e2196ed2f72a82da6ca6e"`);
        await queryRunner.query(`ALTER TABLE "dashboard_charts" DROP CONSTRAINT "FK_6ac73e04b0677c003dfced39021"`);
        await queryRunner.query(`ALTER TABLE "dashboard_charts" DROP CONSTRAINT "FK_a0207a46f1356a2ba3e433c138b"`);
        await queryRunner.query(`ALTER TABLE "chart_owners" DROP CONSTRAINT "FK_cae2213a31c28ed0d323953ed22"`);
        await queryRunner.query(`ALTER TABLE "chart_owners" DROP CONSTRAINT "FK_ebe1572c106c26e948e47ab4620"`);
        await queryRunner.query(`ALTER TABLE "dataset_owners" DROP CONSTRAINT "FK_cf873aa5747612ef289ba6768bf"`);
        await queryRunner.query(`ALTER TABLE "dataset_owners" DROP CONSTRAINT "FK_6b76735789cc14c7f86732003e4"`);
        await queryRunner.query(`ALTER TABLE "user_roles" DROP CONSTRAINT "FK_b23c65e50a758245a33ee35fda1"`);
        await queryRunner.query(`ALTER TABLE "user_roles" DROP CONSTRAINT "FK_87b8888186ca9769c960e926870"`);
        await queryRunner.query(`ALTER TABLE "dashboards" DROP CONSTRAINT "FK_6712d1b044e51ea72f5771d1e17"`);
        await queryRunner.query(`ALTER TABLE "charts" DROP CONSTRAINT "FK_963a06c5c66bc411f239d2c9488"`);
        await queryRunner.query(`ALTER TABLE "charts" DROP CONSTRAINT "FK_bdd35f0ed46cc1a03ae68d3b651"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP CONSTRAINT "FK_079dcb5436a87855cc34981ac9b"`);
        await queryRunner.query(`ALTER TABLE "dataset_metrics" DROP CONSTRAINT "FK_bca1e811028a39f499ffb1688fa"`);
        await queryRunner.query(`ALTER TABLE "dataset_columns" DROP CONSTRAINT "FK_104d490b43391abf1dfd00a6269"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_081a5f187c52a12729b5cdc67c"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_c2cbe6e2196ed2f72a82da6ca6"`);
        await queryRunner.query(`DROP TABLE "dashboard_owners"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_6ac73e04b0677c003dfced3902"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_a0207a46f1356a2ba3e433c138"`);
        await queryRunner.query(`DROP TABLE "dashboard_charts"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_cae2213a31c28ed0d323953ed2"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ebe1572c106c26e948e47ab462"`);
        await queryRunner.query(`DROP TABLE "chart_owners"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_cf873aa5747612ef289ba6768b"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_6b76735789cc14c7f86732003e"`);
        await queryRunner.query(`DROP TABLE "dataset_owners"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_b23c65e50a758245a33ee35fda"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_87b8888186ca9769c960e92687"`);
        await queryRunner.query(`DROP TABLE "user_roles"`);
        await queryRunner.query(`DROP TABLE "dashboards"`);
        await queryRunner.query(`DROP TABLE "charts"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_afd967baab3417603790e54f61"`);
        await queryRunner.query(`DROP TABLE "datasets"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP TABLE "roles"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ab3f9155d02704190dec143e79"`);
        await queryRunner.query(`DROP TABLE "dataset_metrics"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_b2f6df147596f262271e1d88e7"`);
        await queryRunner.query(`DROP TABLE "dataset_columns"`);
        await queryRunner.query(`DROP TABLE "databases"`);
    }

}
