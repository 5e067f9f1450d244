import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's outbox worker (`nudge()` after committing work for it). */
    outbox: OutboxWorker;
  }
}

export type OutboxPluginOptions = Pick<OutboxWorkerOptions, 'pollIntervalMs' | 'concurrency' | 'retryDelayMs' | 'maxAttempts'> & {
  /** Do not start the worker (tests that drive it by hand). Default false. */
  readonly isPaused?: boolean;
};

/** Runs the outbox worker on this instance: started when the app is ready, stopped on close. */
export const outboxPlugin = fp(async (app: FastifyInstance, options: OutboxPluginOptions) => {
  const worker = createOutboxWorker({
    dataSource: app.db.dataSource,
    pubsub: app.pubsub,
    settings: { platformFeeBps: app.config.platformFeeBps },
    ...options,
    log: app.log,
  });
  app.decorate('outbox', worker);
  app.addHook('onReady', async () => {
    if (!options.isPaused) await worker.start();
  });
  // preClose: stop taking events before the database and the cache close.
  app.addHook('preClose', async () => {
    await worker.stop();
  });
}, {
  name: 'holomesh-outbox',
  fastify: '5.x',
  decorators: { fastify: ['config', 'db', 'pubsub'] },
});
