import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { ConfigError, Errors } from '../errors.js';
import { User } from '../db/entities/index.js';
import type { Principal } from '../auth/tokens.js';
import { meteredEngine } from '../speech/metered-engine.js';
import { startWyomingServer, type WyomingLimits, type WyomingServer } from './server.js';
import type { WyomingServices } from './services.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Starts the Wyoming server beside a built app, sharing its speech engine, grammar, intent engine
 * and assistant (so commands are logged and dialogs kept exactly as over HTTP and WebSocket).
 * Call it once the database is migrated and seeded: the port's user is looked up here.
 * @throws ConfigError when WYOMING_USER names no account, or WYOMING_DEVICE_TOKEN no live device credential.
 */
export async function startAppWyoming(
  app: FastifyInstance,
  settings: NonNullable<Config['wyoming']>,
  limits: Partial<WyomingLimits> = {},
): Promise<WyomingServer> {
  let principal: Principal | null = null;
  let deviceId: string | undefined;
  if (settings.user !== undefined && settings.deviceToken !== undefined) throw new ConfigError('set WYOMING_USER or WYOMING_DEVICE_TOKEN, not both');
  if (settings.user !== undefined) {
    const user = await app.db.dataSource.getRepository(User).findOneBy({ username: settings.user });
    if (!user) throw new ConfigError(`WYOMING_USER: there is no account named "${settings.user}"`);
    principal = { userId: user.id, username: user.username, role: user.role };
  }
  if (settings.deviceToken !== undefined) {
    const device = await app.deviceCredentials.verify(settings.deviceToken);
    if (!device) throw new ConfigError('WYOMING_DEVICE_TOKEN: not a live device credential (unknown or revoked, or its account is disabled)');
    principal = { userId: device.userId, username: device.username, role: device.role };
    deviceId = device.deviceId;
  }
  const bound = principal;
  const services: WyomingServices = {
    speech: app.speech && meteredEngine(app.speech, app.metrics),
    grammar: app.voiceGrammar,
    async recognize(text) {
      const { lists } = await app.catalogLists.get();
      return app.recognizer.recognize(text, lists);
    },
    runCommand: bound && (async (input) => {
      // Bound by a device credential: revoking it stops the port's commands at once, without a restart.
      if (deviceId !== undefined && !(await app.deviceCredentials.isLive(deviceId))) {
        throw Errors.Unauthenticated("this Wyoming port's device credential was revoked");
      }
      // Anyone who reaches the port speaks as this user: its commands get a budget the size of
      // `/v1/commands`'s per-user limit, so a runaway client cannot flood the marketplace.
      const { max, windowS } = app.config.auth.commandLimit;
      if ((await app.sessionStore.increment(`commands:wyoming:${bound.userId}`, windowS)) > max) throw Errors.RateLimited(windowS);
      return app.assistant.handle({ principal: bound, ...input });
    }),
    onNoSpeech: () => app.metrics.noSpeech.inc({ transport: 'wyoming' }),
    maxUtteranceS: app.config.speech.maxUtteranceS,
    version,
  };
  return startWyomingServer({
    host: settings.host,
    port: settings.port,
    services,
    log: app.log.child({ component: 'wyoming' }),
    limits: { idleTimeoutMs: app.config.speech.idleTimeoutS * 1000, ...limits },
  });
}
