import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createIntentEngine, type IntentSet } from '../nlu/index.js';
import { loadIntentSet } from '../load-intents.js';
import { createCatalogLists, type CatalogLists } from '../marketplace/index.js';
import type { Recognizer } from '../contracts.js';
import { createAssistant, type Assistant } from './assistant.js';
import { createCommandLogWriter } from './log-writer.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs text and voice commands (recognise → dialog → marketplace → reply + log). */
    assistant: Assistant;
    /** The live slot lists (designers, chips, tags) with their version. */
    catalogLists: CatalogLists;
    /** The compiled intent templates (also the source of the recogniser grammar). */
    intents: IntentSet;
    /** The intent engine the assistant uses, for recognition alone (Wyoming's intent service). */
    recognizer: Recognizer;
  }
}

export interface AssistantPluginOptions {
  /** Compiled templates; default: the repository's intents/ (loaded at registration). */
  readonly intents?: IntentSet;
  /** Replaces the template engine (tests). */
  readonly recognizer?: Recognizer;
  /** Clock in ms (tests move it). */
  readonly now?: () => number;
}

/**
 * Decorates `app.assistant` and `app.catalogLists`. The intent templates are loaded and compiled
 * here, so broken templates fail registration (with file and line), never a request.
 */
export const assistantPlugin = fp(async (app: FastifyInstance, options: AssistantPluginOptions) => {
  const intents = options.intents ?? await loadIntentSet();
  const recognizer = options.recognizer ?? createIntentEngine(intents, { threshold: app.config.nluThreshold });
  const catalog = await createCatalogLists({ dataSource: app.db.dataSource, pubsub: app.pubsub });
  const logWriter = createCommandLogWriter(app.db.dataSource, { metrics: app.metrics });
  app.addHook('onClose', async () => {
    await logWriter.flush();
    await catalog.close();
  });
  app.decorate('catalogLists', catalog);
  app.decorate('intents', intents);
  app.decorate('recognizer', recognizer);
  app.decorate('assistant', createAssistant({
    dataSource: app.db.dataSource,
    sessionStore: app.sessionStore,
    pubsub: app.pubsub,
    catalog,
    recognizer,
    logWriter,
    metrics: app.metrics,
    settings: {
      confirmTimeoutS: app.config.confirmTimeoutS,
      minAsrConfidence: app.config.minAsrConfidence,
      confirmMinAsrConfidence: app.config.confirmMinAsrConfidence,
      sessionTtlS: app.config.sessionTtlS,
      platformFeeBps: app.config.platformFeeBps,
    },
    ...(options.now ? { now: options.now } : {}),
    log: app.log,
  }));
}, {
  name: 'holomesh-assistant',
  fastify: '5.x',
  decorators: { fastify: ['config', 'db', 'sessionStore', 'pubsub', 'metrics'] },
});
