import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * voice_commands learns the client's command id (unique per user: a retried command is answered
 * from its log row instead of running twice), the intent engine's confidence and the whole reply
 * (SSML and data), and gets an index for keyset pagination of the history.
 */
export class CommandIdempotency1795600000000 implements MigrationInterface {
  name = 'CommandIdempotency1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "voice_commands" ADD "command_id" character varying(128)`);
    await queryRunner.query(`ALTER TABLE "voice_commands" ADD "nlu_confidence" real`);
    await queryRunner.query(`ALTER TABLE "voice_commands" ADD "reply" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "voice_commands" ADD CONSTRAINT "voice_commands_nlu_confidence_check" CHECK (nlu_confidence IS NULL OR (nlu_confidence >= 0 AND nlu_confidence <= 1))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "voice_commands_user_command_key" ON "voice_commands" ("user_id", "command_id")`);
    await queryRunner.query(`CREATE INDEX "voice_commands_user_created_id_idx" ON "voice_commands" ("user_id", "created_at" DESC, "id" DESC)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."voice_commands_user_created_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."voice_commands_user_command_key"`);
    await queryRunner.query(`ALTER TABLE "voice_commands" DROP CONSTRAINT "voice_commands_nlu_confidence_check"`);
    await queryRunner.query(`ALTER TABLE "voice_commands" DROP COLUMN "reply"`);
    await queryRunner.query(`ALTER TABLE "voice_commands" DROP COLUMN "nlu_confidence"`);
    await queryRunner.query(`ALTER TABLE "voice_commands" DROP COLUMN "command_id"`);
  }
}
