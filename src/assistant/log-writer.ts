import type { DataSource } from 'typeorm';
import { commandLogValues, COMMAND_LOG_COLUMNS, type CommandLogEntry } from './command-log.js';
import { preparedQuery, type PreparedStatement } from '../db/prepared.js';
import type { Metrics } from '../metrics.js';

/**
 * Group commit of the command log: rows written within the same moment go to PostgreSQL as one
 * multi-row INSERT (one commit, one WAL flush) instead of one commit each.
 */
export interface CommandLogWriter {
  /**
   * Resolves once the row is committed: true, or false when this user had already logged this
   * command id (a concurrent retry won). Rejects when the row could not be written — the caller
   * must then not give the command's answer.
   */
  write(entry: CommandLogEntry): Promise<boolean>;
  /** Resolves when every row handed over so far is committed or has failed. */
  flush(): Promise<void>;
}

export interface CommandLogWriterOptions {
  /** Most rows in one INSERT. Default 200; at most 4000. */
  readonly maxBatch?: number;
  /**
   * INSERTs in flight at once. Default 2: rows arriving while they run wait and form the next,
   * larger batch, so batches grow with the load and a lone command waits for nobody. (One writer
   * halves the commits, but each command waits longer for its row; in back-to-back load runs
   * closed-loop HTTP clients did no better with it.)
   */
  readonly maxInFlight?: number;
  /** Records each committed batch's size and each row's wait for its commit. */
  readonly metrics?: Pick<Metrics, 'logCommitWait' | 'logBatchRows'>;
}

interface Waiting {
  readonly entry: CommandLogEntry;
  /** When it was handed over (performance.now()). */
  readonly at: number;
  readonly resolve: (logged: boolean) => void;
  readonly reject: (err: unknown) => void;
}

/** PostgreSQL types of {@link COMMAND_LOG_COLUMNS}, in order (text goes into the varchar columns). */
const COLUMN_TYPES = ['text', 'uuid', 'text', 'text', 'text', 'real', 'text', 'text', 'jsonb', 'real', 'text', 'text', 'jsonb', 'integer'] as const;

/** Any number of rows, one array parameter per column: prepared once per connection. */
const INSERT_ROWS: PreparedStatement = {
  name: 'hm_log_commands',
  text: `INSERT INTO voice_commands (${COMMAND_LOG_COLUMNS.join(', ')})
         SELECT * FROM unnest(${COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})
         ON CONFLICT (user_id, command_id) DO NOTHING RETURNING user_id, command_id`,
};

const keyOf = (e: CommandLogEntry) => `${e.userId}\u0000${e.commandId}`;

/** SQLSTATE class 23: a row broke a constraint (e.g. its user was just deleted). */
function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown; driverError?: { code?: unknown } }).code ?? (err as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' && code.startsWith('23');
}

export function createCommandLogWriter(dataSource: DataSource, options: CommandLogWriterOptions = {}): CommandLogWriter {
  const maxBatch = options.maxBatch ?? 200;
  const maxInFlight = options.maxInFlight ?? 2;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 4_000) throw new RangeError('maxBatch must be a whole number from 1 to 4000');
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError('maxInFlight must be a whole number ≥ 1');
  const queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idle: { promise: Promise<void>; resolve: () => void } | null = null;

  /** One INSERT; returns the keys that were inserted (the others were already logged). */
  const insert = async (entries: readonly CommandLogEntry[]): Promise<Set<string>> => {
    // One array per column: the statement's text is the same for any number of rows.
    const columns: unknown[][] = COMMAND_LOG_COLUMNS.map(() => []);
    for (const entry of entries) {
      const values = commandLogValues(entry);
      for (let i = 0; i < values.length; i += 1) columns[i]!.push(values[i]);
    }
    const rows = await preparedQuery<{ user_id: string; command_id: string }>(dataSource.manager, INSERT_ROWS, columns);
    return new Set(rows.map((r) => `${r.user_id}\u0000${r.command_id}`));
  };

  const settle = (batch: readonly Waiting[], inserted: Set<string>) => {
    const committed = performance.now();
    options.metrics?.logBatchRows.observe(batch.length);
    for (const w of batch) {
      options.metrics?.logCommitWait.observe((committed - w.at) / 1000);
      w.resolve(inserted.has(keyOf(w.entry)));
    }
  };

  const run = async (batch: Waiting[]): Promise<void> => {
    // The same command id twice in one batch: the first is the row, the others are retries of it.
    const firsts: Waiting[] = [];
    const repeats: Waiting[] = [];
    const seen = new Set<string>();
    for (const w of batch) {
      const key = keyOf(w.entry);
      (seen.has(key) ? repeats : firsts).push(w);
      seen.add(key);
    }
    try {
      settle(firsts, await insert(firsts.map((w) => w.entry)));
      for (const w of repeats) w.resolve(false);
    } catch (err) {
      if (!isConstraintError(err) || firsts.length === 1) {
        for (const w of batch) w.reject(err);
        return;
      }
      // One bad row must not fail the others: write them one by one.
      await Promise.all(firsts.map(async (w) => {
        try {
          settle([w], await insert([w.entry]));
        } catch (single) {
          w.reject(single);
        }
      }));
      for (const w of repeats) w.resolve(false);
    }
  };

  const schedule = () => {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    // After the current turn of the event loop, so the rows of commands finishing together share a batch.
    setImmediate(() => {
      scheduled = false;
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      void run(batch).finally(() => {
        inFlight -= 1;
        schedule();
        if (inFlight === 0 && queue.length === 0 && idle) {
          idle.resolve();
          idle = null;
        }
      });
      schedule();
    });
  };

  return {
    write(entry) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ entry, at: performance.now(), resolve, reject });
        schedule();
      });
    },
    flush() {
      if (inFlight === 0 && queue.length === 0 && !scheduled) return Promise.resolve();
      if (!idle) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => { resolve = r; });
        idle = { promise, resolve };
      }
      return idle.promise;
    },
  };
}
