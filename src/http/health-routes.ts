import type { FastifyInstance } from 'fastify';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/**
 * GET /health: the process is alive. GET /ready: the database and the session store answer, so
 * commands can be served. `speech` tells whether speech recognition still starts (it loads after
 * the service is ready; audio waits for it meanwhile) and does not change the status; once it
 * runs, `speechModel` names the model (e.g. `soundswallower/en-us-16k`) and `speechModelAdvice`,
 * with the bundled 8 kHz model, says how to get the better one.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const [database, cache] = await Promise.all([
      withTimeout(app.db.dataSource.query('SELECT 1')).then(() => 'ok', (err: Error) => `down: ${err.message}`),
      withTimeout(app.sessionStore.ping()).then(() => 'ok', (err: Error) => `down: ${err.message}`),
    ]);
    const ready = database === 'ok' && cache === 'ok';
    const speechRuns = app.speech && app.speech.name !== 'starting';
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks: { database, cache },
      mode: { database: app.db.mode, cache: app.sessionStore.kind },
      speech: !app.speech ? 'off' : speechRuns ? 'ready' : 'starting',
      ...(speechRuns ? { speechModel: app.speech?.name } : {}),
      ...(speechRuns && app.speech?.advice ? { speechModelAdvice: app.speech.advice } : {}),
    });
  });
}
