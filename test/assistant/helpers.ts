import type { DataSource } from 'typeorm';

/**
 * Makes PostgreSQL itself refuse the log rows of one session ("disk full"), so a test can fail
 * some commands' rows and not others.
 */
export async function refuseLogRowsOfSession(ds: DataSource, sessionId: string): Promise<void> {
  await ds.query(`CREATE FUNCTION fail_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.session_id = '${sessionId.replace(/'/g, "''")}' THEN RAISE EXCEPTION 'no space left' USING ERRCODE = '53100'; END IF;
      RETURN NEW;
    END $$`);
  await ds.query('CREATE TRIGGER fail_doomed BEFORE INSERT ON voice_commands FOR EACH ROW EXECUTE FUNCTION fail_doomed()');
}
