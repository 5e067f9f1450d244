import type { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795590347240 implements MigrationInterface {
    name = 'Init1795590347240'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "email" character varying(254) NOT NULL, "password_hash" character varying(255) NOT NULL, "role" character varying(16) NOT NULL DEFAULT 'client', "totp_secret" text, "totp_enabled" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "users_role_check" CHECK (role IN ('client', 'designer', 'admin')), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "users_username_key" ON "users"  ("username") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "users_email_key" ON "users"  ("email") `);
        await queryRunner.query(`CREATE TABLE "designer_profiles" ("user_id" uuid NOT NULL, "display_name" character varying(80) NOT NULL, "bio" text NOT NULL DEFAULT '', "portfolio_urls" text array NOT NULL DEFAULT '{}', "rating_count" integer NOT NULL DEFAULT '0', "rating_total" integer NOT NULL DEFAULT '0', CONSTRAINT "designer_profiles_rating_check" CHECK (rating_count >= 0 AND rating_total >= rating_count AND rating_total <= 5 * rating_count), CONSTRAINT "PK_d69ce074c13f07de83e1542ab12" PRIMARY KEY ("user_id"))`);
        await queryRunner.query(`CREATE TABLE "client_profiles" ("user_id" uuid NOT NULL, "favorite_designer_id" uuid, "preferences" jsonb NOT NULL DEFAULT '{}', "last_whats_new_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_542bfcd136b7ef76af7e4edf1d7" PRIMARY KEY ("user_id"))`);
        await queryRunner.query(`CREATE TABLE "chips" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(120) NOT NULL, "token_id" character varying(80) NOT NULL, "metadata_hash" character(64) NOT NULL, "designer_id" uuid NOT NULL, "price_credits" integer NOT NULL, "edition_size" integer, "editions_sold" integer NOT NULL DEFAULT '0', "tags" text array NOT NULL DEFAULT '{}', "media_url" text, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chips_editions_sold_check" CHECK (editions_sold >= 0 AND (edition_size IS NULL OR editions_sold <= edition_size)), CONSTRAINT "chips_edition_size_check" CHECK (edition_size IS NULL OR edition_size > 0), CONSTRAINT "chips_price_check" CHECK (price_credits >= 0), CONSTRAINT "PK_470474a5680654f7af1a7ddc552" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "chips_token_id_key" ON "chips"  ("token_id") `);
        await queryRunner.query(`CREATE INDEX "chips_designer_idx" ON "chips"  ("designer_id") `);
        await queryRunner.query(`CREATE INDEX "chips_published_at_idx" ON "chips"  ("published_at") `);
        await queryRunner.query(`CREATE TABLE "chip_collaborators" ("chip_id" uuid NOT NULL, "designer_id" uuid NOT NULL, "share_bps" integer NOT NULL, CONSTRAINT "chip_collaborators_share_check" CHECK (share_bps > 0 AND share_bps <= 10000), CONSTRAINT "PK_4779fdc3b7be0f3416e5f5a695e" PRIMARY KEY ("chip_id", "designer_id"))`);
        await queryRunner.query(`CREATE TABLE "transactions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "buyer_id" uuid NOT NULL, "chip_id" uuid NOT NULL, "price_credits" integer NOT NULL, "platform_fee_credits" integer NOT NULL, "kind" character varying(16) NOT NULL DEFAULT 'purchase', "idempotency_key" character varying(128) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "transactions_idempotency_key" UNIQUE ("buyer_id", "idempotency_key"), CONSTRAINT "transactions_kind_check" CHECK (kind IN ('purchase', 'auto_buy')), CONSTRAINT "transactions_amounts_check" CHECK (price_credits >= 0 AND platform_fee_credits >= 0 AND platform_fee_credits <= price_credits), CONSTRAINT "PK_a219afd8dd77ed80f5a862f1db9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "transactions_buyer_idx" ON "transactions"  ("buyer_id") `);
        await queryRunner.query(`CREATE INDEX "transactions_chip_created_idx" ON "transactions"  ("chip_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "editions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "chip_id" uuid NOT NULL, "edition_number" integer NOT NULL, "owner_id" uuid NOT NULL, "purchase_id" uuid NOT NULL, "acquired_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "editions_chip_number_key" UNIQUE ("chip_id", "edition_number"), CONSTRAINT "editions_number_check" CHECK (edition_number > 0), CONSTRAINT "PK_a04f035dd7a1c3f344481cb6a2e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "editions_owner_idx" ON "editions"  ("owner_id") `);
        await queryRunner.query(`CREATE TABLE "subscriptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "client_id" uuid NOT NULL, "designer_id" uuid NOT NULL, "auto_buy" boolean NOT NULL DEFAULT false, "max_price" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "subscriptions_client_designer_key" UNIQUE ("client_id", "designer_id"), CONSTRAINT "subscriptions_max_price_check" CHECK (max_price IS NULL OR max_price >= 0), CONSTRAINT "PK_a87248d73155605cf782be9ee5e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "subscriptions_designer_idx" ON "subscriptions"  ("designer_id") `);
        await queryRunner.query(`CREATE TABLE "royalty_payouts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "transaction_id" uuid NOT NULL, "designer_id" uuid NOT NULL, "amount_credits" integer NOT NULL, "share_bps" integer NOT NULL, CONSTRAINT "royalty_payouts_transaction_designer_key" UNIQUE ("transaction_id", "designer_id"), CONSTRAINT "royalty_payouts_amount_check" CHECK (amount_credits >= 0), CONSTRAINT "PK_0e5b49e66f615fefc06e4ce1b49" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "royalty_payouts_designer_idx" ON "royalty_payouts"  ("designer_id") `);
        await queryRunner.query(`CREATE TABLE "ledger_entries" ("id" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL, "transfer_id" uuid NOT NULL, "user_id" uuid, "system_account" character varying(32), "amount" integer NOT NULL, "reason" character varying(32) NOT NULL, "transaction_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ledger_entries_amount_check" CHECK (amount <> 0), CONSTRAINT "ledger_entries_system_account_check" CHECK (system_account IS NULL OR system_account IN ('platform_fees', 'mint')), CONSTRAINT "ledger_entries_account_check" CHECK ((user_id IS NULL) <> (system_account IS NULL)), CONSTRAINT "PK_6efcb84411d3f08b08450ae75d5" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ledger_entries_transfer_idx" ON "ledger_entries"  ("transfer_id") `);
        await queryRunner.query(`CREATE INDEX "ledger_entries_user_idx" ON "ledger_entries"  ("user_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "client_id" uuid NOT NULL, "designer_id" uuid NOT NULL, "rating" smallint NOT NULL, "text" text NOT NULL DEFAULT '', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "reviews_client_designer_key" UNIQUE ("client_id", "designer_id"), CONSTRAINT "reviews_rating_check" CHECK (rating BETWEEN 1 AND 5), CONSTRAINT "PK_231ae565c273ee700b283f15c1d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "kind" character varying(32) NOT NULL, "text" text NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "read_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "notifications_user_unread_idx" ON "notifications"  ("user_id", "read_at", "created_at") `);
        await queryRunner.query(`CREATE TABLE "voice_commands" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid, "session_id" character varying(64) NOT NULL, "source" character varying(8) NOT NULL, "transcript" text NOT NULL, "asr_confidence" real, "engine" character varying(64) NOT NULL, "intent" character varying(64), "slots" jsonb NOT NULL DEFAULT '{}', "outcome" character varying(16) NOT NULL, "reply_text" text NOT NULL DEFAULT '', "latency_ms" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "voice_commands_latency_check" CHECK (latency_ms >= 0), CONSTRAINT "voice_commands_confidence_check" CHECK (asr_confidence IS NULL OR (asr_confidence >= 0 AND asr_confidence <= 1)), CONSTRAINT "voice_commands_outcome_check" CHECK (outcome IN ('ok', 'rejected', 'not_understood', 'error')), CONSTRAINT "voice_commands_source_check" CHECK (source IN ('voice', 'text')), CONSTRAINT "PK_57f18636081cb5764eceae5314b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "voice_commands_user_created_idx" ON "voice_commands"  ("user_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "designer_profiles" ADD CONSTRAINT "FK_d69ce074c13f07de83e1542ab12" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "client_profiles" ADD CONSTRAINT "FK_542bfcd136b7ef76af7e4edf1d7" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "client_profiles" ADD CONSTRAINT "FK_08ac733093f17d5c22e71afa5a6" FOREIGN KEY ("favorite_designer_id") REFERENCES "designer_profiles"("user_id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "chips" ADD CONSTRAINT "FK_71d587e088bb225cb4f994a0059" FOREIGN KEY ("designer_id") REFERENCES "designer_profiles"("user_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "chip_collaborators" ADD CONSTRAINT "FK_fa8ff3c658f1b1395751d744e77" FOREIGN KEY ("chip_id") REFERENCES "chips"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "chip_collaborators" ADD CONSTRAINT "FK_cf9f1c0a60c22c5aa36b0f10339" FOREIGN KEY ("designer_id") REFERENCES "designer_profiles"("user_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "transactions" ADD CONSTRAINT "FK_8c9b301d18f4ed8cacff33664c6" FOREIGN KEY ("buyer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "transactions" ADD CONSTRAINT "FK_58928b742bfd0f564157bcb4efa" FOREIGN KEY ("chip_id") REFERENCES "chips"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "editions" ADD CONSTRAINT "FK_6132e694ab058f6c014ff9b5115" FOREIGN KEY ("chip_id") REFERENCES "chips"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "editions" ADD CONSTRAINT "FK_b9c52785f125950c5899690f9f5" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "editions" ADD CONSTRAINT "FK_976ed14fde609b4ca14a6d36e7b" FOREIGN KEY ("purchase_id") REFERENCES "transactions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "subscriptions" ADD CONSTRAINT "FK_03f469e6b8295eace12ecaaf428" FOREIGN KEY ("client_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "subscriptions" ADD CONSTRAINT "FK_49ec32fb0d8991f4c3a05aeb13a" FOREIGN KEY ("designer_id") REFERENCES "designer_profiles"("user_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "royalty_payouts" ADD CONSTRAINT "FK_529b2a0ebf178b1dff203d912d3" FOREIGN KEY ("transaction_id") REFERENCES "transactions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "royalty_payouts" ADD CONSTRAINT "FK_e374cba11eaaee303286d122927" FOREIGN KEY ("designer_id") REFERENCES "designer_profiles"("user_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "FK_8417854ce8bdd0d651c35e1c7ce" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "FK_d4e7e923e6bb78a8f0add754493" FOREIGN KEY ("client_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "FK_bd77e75db4b073eb60ced4741e7" FOREIGN KEY ("designer_id") REFERENCES "designer_profiles"("user_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_9a8a82462cab47c73d25f49261f" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "voice_commands" ADD CONSTRAINT "FK_91fbcbdcbf4bba8fcc88e475d34" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

        // Rules that span rows live in the database too: deferred constraint triggers run at commit,
        // so a chip and its collaborators (or a sale and its payouts) can be inserted in any order.
        await queryRunner.query(`CREATE UNIQUE INDEX "designer_profiles_display_name_lower_key" ON "designer_profiles" (lower("display_name"))`);
        await queryRunner.query(`CREATE FUNCTION check_chip_shares() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE target uuid; total integer;
            BEGIN
                IF TG_TABLE_NAME = 'chips' THEN target := NEW.id;
                ELSIF TG_OP = 'DELETE' THEN target := OLD.chip_id;
                ELSE target := NEW.chip_id; END IF;
                IF NOT EXISTS (SELECT 1 FROM chips WHERE id = target) THEN RETURN NULL; END IF;
                SELECT COALESCE(SUM(share_bps), 0) INTO total FROM chip_collaborators WHERE chip_id = target;
                IF total <> 10000 THEN
                    RAISE EXCEPTION 'collaborator shares of chip % sum to % basis points, not 10000', target, total
                        USING ERRCODE = '23514', CONSTRAINT = 'chip_collaborators_shares_sum_check';
                END IF;
                RETURN NULL;
            END $$`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "chip_collaborators_shares_sum_check" AFTER INSERT OR UPDATE OR DELETE ON "chip_collaborators" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_chip_shares()`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "chips_shares_sum_check" AFTER INSERT ON "chips" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_chip_shares()`);
        await queryRunner.query(`CREATE FUNCTION check_sale_payouts() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE target uuid; expected integer; paid integer;
            BEGIN
                IF TG_TABLE_NAME = 'transactions' THEN target := NEW.id;
                ELSIF TG_OP = 'DELETE' THEN target := OLD.transaction_id;
                ELSE target := NEW.transaction_id; END IF;
                SELECT price_credits - platform_fee_credits INTO expected FROM transactions WHERE id = target;
                IF expected IS NULL THEN RETURN NULL; END IF;
                SELECT COALESCE(SUM(amount_credits), 0) INTO paid FROM royalty_payouts WHERE transaction_id = target;
                IF paid <> expected THEN
                    RAISE EXCEPTION 'royalty payouts of sale % sum to % credits, not %', target, paid, expected
                        USING ERRCODE = '23514', CONSTRAINT = 'royalty_payouts_sum_check';
                END IF;
                RETURN NULL;
            END $$`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "royalty_payouts_sum_check" AFTER INSERT OR UPDATE OR DELETE ON "royalty_payouts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_sale_payouts()`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "transactions_payouts_sum_check" AFTER INSERT OR UPDATE ON "transactions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_sale_payouts()`);
        await queryRunner.query(`CREATE FUNCTION check_ledger_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE target uuid; total bigint; entries integer;
            BEGIN
                IF TG_OP = 'DELETE' THEN target := OLD.transfer_id; ELSE target := NEW.transfer_id; END IF;
                SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, entries FROM ledger_entries WHERE transfer_id = target;
                IF entries > 0 AND (total <> 0 OR entries < 2) THEN
                    RAISE EXCEPTION 'ledger transfer % does not balance (% entries, sum %)', target, entries, total
                        USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_balanced_check';
                END IF;
                RETURN NULL;
            END $$`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "ledger_entries_balanced_check" AFTER INSERT OR UPDATE OR DELETE ON "ledger_entries" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_ledger_transfer()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "ledger_entries_balanced_check" ON "ledger_entries"`);
        await queryRunner.query(`DROP FUNCTION check_ledger_transfer()`);
        await queryRunner.query(`DROP TRIGGER "transactions_payouts_sum_check" ON "transactions"`);
        await queryRunner.query(`DROP TRIGGER "royalty_payouts_sum_check" ON "royalty_payouts"`);
        await queryRunner.query(`DROP FUNCTION check_sale_payouts()`);
        await queryRunner.query(`DROP TRIGGER "chips_shares_sum_check" ON "chips"`);
        await queryRunner.query(`DROP TRIGGER "chip_collaborators_shares_sum_check" ON "chip_collaborators"`);
        await queryRunner.query(`DROP FUNCTION check_chip_shares()`);
        await queryRunner.query(`DROP INDEX "public"."designer_profiles_display_name_lower_key"`);
        await queryRunner.query(`ALTER TABLE "voice_commands" DROP CONSTRAINT "FK_91fbcbdcbf4bba8fcc88e475d34"`);
        await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_9a8a82462cab47c73d25f49261f"`);
        await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "FK_bd77e75db4b073eb60ced4741e7"`);
        await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "FK_d4e7e923e6bb78a8f0add754493"`);
        await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "FK_8417854ce8bdd0d651c35e1c7ce"`);
        await queryRunner.query(`ALTER TABLE "royalty_payouts" DROP CONSTRAINT "FK_e374cba11eaaee303286d122927"`);
        await queryRunner.query(`ALTER TABLE "royalty_payouts" DROP CONSTRAINT "FK_529b2a0ebf178b1dff203d912d3"`);
        await queryRunner.query(`ALTER TABLE "subscriptions" DROP CONSTRAINT "FK_49ec32fb0d8991f4c3a05aeb13a"`);
        await queryRunner.query(`ALTER TABLE "subscriptions" DROP CONSTRAINT "FK_03f469e6b8295eace12ecaaf428"`);
        await queryRunner.query(`ALTER TABLE "editions" DROP CONSTRAINT "FK_976ed14fde609b4ca14a6d36e7b"`);
        await queryRunner.query(`ALTER TABLE "editions" DROP CONSTRAINT "FK_b9c52785f125950c5899690f9f5"`);
        await queryRunner.query(`ALTER TABLE "editions" DROP CONSTRAINT "FK_6132e694ab058f6c014ff9b5115"`);
        await queryRunner.query(`ALTER TABLE "transactions" DROP CONSTRAINT "FK_58928b742bfd0f564157bcb4efa"`);
        await queryRunner.query(`ALTER TABLE "transactions" DROP CONSTRAINT "FK_8c9b301d18f4ed8cacff33664c6"`);
        await queryRunner.query(`ALTER TABLE "chip_collaborators" DROP CONSTRAINT "FK_cf9f1c0a60c22c5aa36b0f10339"`);
        await queryRunner.query(`ALTER TABLE "chip_collaborators" DROP CONSTRAINT "FK_fa8ff3c658f1b1395751d744e77"`);
        await queryRunner.query(`ALTER TABLE "chips" DROP CONSTRAINT "FK_71d587e088bb225cb4f994a0059"`);
        await queryRunner.query(`ALTER TABLE "client_profiles" DROP CONSTRAINT "FK_08ac733093f17d5c22e71afa5a6"`);
        await queryRunner.query(`ALTER TABLE "client_profiles" DROP CONSTRAINT "FK_542bfcd136b7ef76af7e4edf1d7"`);
        await queryRunner.query(`ALTER TABLE "designer_profiles" DROP CONSTRAINT "FK_d69ce074c13f07de83e1542ab12"`);
        await queryRunner.query(`DROP INDEX "public"."voice_commands_user_created_idx"`);
        await queryRunner.query(`DROP TABLE "voice_commands"`);
        await queryRunner.query(`DROP INDEX "public"."notifications_user_unread_idx"`);
        await queryRunner.query(`DROP TABLE "notifications"`);
        await queryRunner.query(`DROP TABLE "reviews"`);
        await queryRunner.query(`DROP INDEX "public"."ledger_entries_user_idx"`);
        await queryRunner.query(`DROP INDEX "public"."ledger_entries_transfer_idx"`);
        await queryRunner.query(`DROP TABLE "ledger_entries"`);
        await queryRunner.query(`DROP INDEX "public"."royalty_payouts_designer_idx"`);
        await queryRunner.query(`DROP TABLE "royalty_payouts"`);
        await queryRunner.query(`DROP INDEX "public"."subscriptions_designer_idx"`);
        await queryRunner.query(`DROP TABLE "subscriptions"`);
        await queryRunner.query(`DROP INDEX "public"."editions_owner_idx"`);
        await queryRunner.query(`DROP TABLE "editions"`);
        await queryRunner.query(`DROP INDEX "public"."transactions_chip_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."transactions_buyer_idx"`);
        await queryRunner.query(`DROP TABLE "transactions"`);
        await queryRunner.query(`DROP TABLE "chip_collaborators"`);
        await queryRunner.query(`DROP INDEX "public"."chips_published_at_idx"`);
        await queryRunner.query(`DROP INDEX "public"."chips_designer_idx"`);
        await queryRunner.query(`DROP INDEX "public"."chips_token_id_key"`);
        await queryRunner.query(`DROP TABLE "chips"`);
        await queryRunner.query(`DROP TABLE "client_profiles"`);
        await queryRunner.query(`DROP TABLE "designer_profiles"`);
        await queryRunner.query(`DROP INDEX "public"."users_email_key"`);
        await queryRunner.query(`DROP INDEX "public"."users_username_key"`);
        await queryRunner.query(`DROP TABLE "users"`);
    }

}
