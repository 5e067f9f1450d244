import type { DestinationStream } from 'pino';
import type { Config } from './config.js';

/** Fields the pretty lines leave out: the request line's message already says them, or nobody reads them on a terminal. */
const PRETTY_IGNORE = 'pid,hostname,reqId,req,statusCode,responseTime';

/** True when logs should be human-readable: LOG_FORMAT=pretty, or `auto` on a terminal. */
export function wantsPrettyLogs(format: Config['logFormat'], stdoutIsTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

/**
 * Where the service's log lines go: human-readable lines (pino-pretty, in this thread, no worker)
 * when `pretty`, else undefined (pino's own JSON lines on standard output).
 */
export async function logDestination(pretty: boolean): Promise<DestinationStream | undefined> {
  if (!pretty) return undefined;
  const { default: pinoPretty } = await import('pino-pretty');
  // sync: a line is on the terminal before the banner, and before the process exits.
  return pinoPretty({ translateTime: 'SYS:HH:MM:ss', ignore: PRETTY_IGNORE, sync: true, singleLine: true });
}
