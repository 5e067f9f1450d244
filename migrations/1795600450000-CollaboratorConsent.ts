import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Collaborators accept being listed: `accepted_at` stays null until the invited designer accepts.
 * Publishers' own rows count as accepted; rows that named another designer before this migration
 * become invitations too (nobody asked them), so those chips show under them and pay them only
 * once they accept.
 */
export class CollaboratorConsent1795600450000 implements MigrationInterface {
    name = 'CollaboratorConsent1795600450000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "chip_collaborators" ADD "accepted_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`UPDATE "chip_collaborators" cc SET "accepted_at" = c."published_at" FROM "chips" c WHERE c."id" = cc."chip_id" AND c."designer_id" = cc."designer_id"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "chip_collaborators" DROP COLUMN "accepted_at"`);
    }

}
