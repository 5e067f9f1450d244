import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The canonical metadata a chip's `metadata_hash` was computed from, kept as published: a
 * verification recomputes the hash from it and compares it with the chip's columns. Null for
 * chips published before (verification rebuilds their metadata from the columns).
 */
export class ChipMetadata1795600600000 implements MigrationInterface {
    name = 'ChipMetadata1795600600000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "chips" ADD "metadata" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "chips" DROP COLUMN "metadata"`);
    }

}
