import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Community features: groups with members and posts (replies point at their parent post), and
 * written reviews: a review's stars become optional and its text is limited to 500 characters.
 * Undoing it drops the reviews that have no stars (they could not exist before).
 */
export class Community1795600700000 implements MigrationInterface {
    name = 'Community1795600700000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(80) NOT NULL, "description" text NOT NULL DEFAULT '', "created_by_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "groups_name_key" UNIQUE ("name"), CONSTRAINT "PK_659d1483316afb28afd3a90646e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "group_members" ("group_id" uuid NOT NULL, "user_id" uuid NOT NULL, "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f5939ee0ad233ad35e03f5c65c1" PRIMARY KEY ("group_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "group_members_user_idx" ON "group_members"  ("user_id") `);
        await queryRunner.query(`CREATE TABLE "group_posts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "group_id" uuid NOT NULL, "author_id" uuid NOT NULL, "parent_id" uuid, "text" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "group_posts_text_check" CHECK (char_length(text) BETWEEN 1 AND 500), CONSTRAINT "PK_f8bc53ffd96e3cd82e2b0c4b373" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "group_posts_author_created_idx" ON "group_posts"  ("author_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "group_posts_group_created_idx" ON "group_posts"  ("group_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "reviews" ALTER COLUMN "rating" DROP NOT NULL`);
        await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "reviews_text_check" CHECK (char_length(text) <= 500)`);
        await queryRunner.query(`ALTER TABLE "groups" ADD CONSTRAINT "FK_65a98f23825ecdcdaaeefe1da15" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_members" ADD CONSTRAINT "FK_2c840df5db52dc6b4a1b0b69c6e" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_members" ADD CONSTRAINT "FK_20a555b299f75843aa53ff8b0ee" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_posts" ADD CONSTRAINT "FK_ff16b8937643ad8113c0eb93791" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_posts" ADD CONSTRAINT "FK_20c6d7107c17c25d5e8377c5dca" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_posts" ADD CONSTRAINT "FK_bad39e360b67a2ddd3398d4d007" FOREIGN KEY ("parent_id") REFERENCES "group_posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "group_posts" DROP CONSTRAINT "FK_bad39e360b67a2ddd3398d4d007"`);
        await queryRunner.query(`ALTER TABLE "group_posts" DROP CONSTRAINT "FK_20c6d7107c17c25d5e8377c5dca"`);
        await queryRunner.query(`ALTER TABLE "group_posts" DROP CONSTRAINT "FK_ff16b8937643ad8113c0eb93791"`);
        await queryRunner.query(`ALTER TABLE "group_members" DROP CONSTRAINT "FK_20a555b299f75843aa53ff8b0ee"`);
        await queryRunner.query(`ALTER TABLE "group_members" DROP CONSTRAINT "FK_2c840df5db52dc6b4a1b0b69c6e"`);
        await queryRunner.query(`ALTER TABLE "groups" DROP CONSTRAINT "FK_65a98f23825ecdcdaaeefe1da15"`);
        await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "reviews_text_check"`);
        await queryRunner.query(`DELETE FROM "reviews" WHERE "rating" IS NULL`);
        await queryRunner.query(`ALTER TABLE "reviews" ALTER COLUMN "rating" SET NOT NULL`);
        await queryRunner.query(`DROP INDEX "public"."group_posts_group_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."group_posts_author_created_idx"`);
        await queryRunner.query(`DROP TABLE "group_posts"`);
        await queryRunner.query(`DROP INDEX "public"."group_members_user_idx"`);
        await queryRunner.query(`DROP TABLE "group_members"`);
        await queryRunner.query(`DROP TABLE "groups"`);
    }

}
