import type { MigrationInterface, QueryRunner } from "typeorm";

/** The last TOTP time step each user spent (replays stay refused when the session store restarts); recovery codes hashed with a salted scrypt. */
export class AuthHardening1795600400000 implements MigrationInterface {
    name = 'AuthHardening1795600400000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD "totp_last_step" integer`);
        await queryRunner.query(`ALTER TABLE "recovery_codes" ALTER COLUMN "code_hash" TYPE text`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // Salted hashes do not fit the old column: those codes are dropped (users generate new ones).
        await queryRunner.query(`DELETE FROM "recovery_codes" WHERE length("code_hash") <> 64`);
        await queryRunner.query(`ALTER TABLE "recovery_codes" ALTER COLUMN "code_hash" TYPE character(64)`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "totp_last_step"`);
    }

}
