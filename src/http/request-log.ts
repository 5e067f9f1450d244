import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** A request that took this long is logged at info whatever its status. */
export const SLOW_REQUEST_MS = 1_000;

/**
 * fastify's request lines at a level by outcome, so a normal session does not fill the log: the
 * arrival at trace, the answer at debug when all went well, at info for a 4xx or an answer that
 * took SLOW_REQUEST_MS or more, at warn for a 5xx or a failed reply. The answer's message is
 * `METHOD /path STATUS N ms`, without the query string (it can hold names and searches).
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.trace({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // A WebSocket's upgrade is answered when the socket closes: its time is the session's.
    if (this.isLogDisabled(request) || (request as { ws?: boolean }).ws) return;
    const ms = Math.round(reply.elapsedTime);
    const status = reply.statusCode;
    const level = error || status >= 500 ? 'warn' : status >= 400 || ms >= SLOW_REQUEST_MS ? 'info' : 'debug';
    const fields = { req: request, statusCode: status, responseTime: ms, ...(error ? { err: error } : {}) };
    request.log[level](fields, `${request.method} ${request.url.split('?')[0]} ${status} ${ms} ms`);
  }
}
