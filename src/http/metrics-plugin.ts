import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { pgPoolOf } from '../db/pg-pool.js';
import { Errors } from '../errors.js';
import { createMetrics, scrape, type Metrics } from '../metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/** Compared as digests: equal length, so the comparison takes the same time whatever was sent. */
const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `GET /metrics` in Prometheus' text format, and `app.metrics` for the parts that record them.
 * Open by default, as exporters are (keep it off the public route of a load balancer); with
 * METRICS_TOKEN set, a scraper must send it as a bearer token.
 */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const metrics = createMetrics();
  app.decorate('metrics', metrics);

  new Gauge({
    name: 'holomesh_websocket_connections',
    help: 'Open WebSocket connections (voice sessions) on this instance',
    registers: [metrics.registry],
    collect() { this.set(app.websocketServer?.clients.size ?? 0); },
  });
  new Gauge({
    name: 'holomesh_db_pool_connections',
    help: 'Database pool connections by state (waiting: queries queued for a free connection)',
    labelNames: ['state'] as const,
    registers: [metrics.registry],
    collect() {
      // The pg pool behind TypeORM (PostgreSQL, or the embedded database's socket). Looked up
      // at each scrape: the server builds the app before the database has finished opening.
      const pool = pgPoolOf(app.db.dataSource);
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern, not the URL: one series per route, whatever the ids in the path.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestDuration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
  });

  const token = app.config.metricsToken;
  const expected = token ? digest(`Bearer ${token}`) : null;
  app.get('/metrics', { config: { ownAuthorization: expected !== null } }, async (request, reply) => {
    if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      throw Errors.Unauthenticated('this endpoint needs the metrics token (METRICS_TOKEN) as a bearer token');
    }
    const { contentType, body } = await scrape(metrics);
    return reply.type(contentType).send(body);
  });
}, {
  name: 'holomesh-metrics',
  fastify: '5.x',
  decorators: { fastify: ['config', 'db'] },
});
