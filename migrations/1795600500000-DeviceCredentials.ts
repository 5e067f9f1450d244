import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Accounts an operator can disable (`users.disabled_at`), and device credentials: long-lived,
 * revocable tokens (stored as SHA-256) for speakers and headsets that may only send commands.
 * A device's name is unique per account among its live credentials.
 */
export class DeviceCredentials1795600500000 implements MigrationInterface {
    name = 'DeviceCredentials1795600500000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD "disabled_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`CREATE TABLE "device_credentials" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(64) NOT NULL, "token_hash" character(64) NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_device_credentials" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "device_credentials_token_hash_key" ON "device_credentials" ("token_hash") `);
        await queryRunner.query(`CREATE INDEX "device_credentials_user_idx" ON "device_credentials" ("user_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "device_credentials_live_name_key" ON "device_credentials" ("user_id", "name") WHERE "revoked_at" IS NULL`);
        await queryRunner.query(`ALTER TABLE "device_credentials" ADD CONSTRAINT "FK_device_credentials_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "device_credentials"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "disabled_at"`);
    }

}
