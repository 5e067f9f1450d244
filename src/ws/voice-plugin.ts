import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RecognitionGrammar, SpeechEngine } from '../speech/engine.js';
import { createGrammarProvider } from './voice-grammar.js';
import { voiceRoutes } from './voice-routes.js';
import type { VoiceSessionLimits } from './voice-session.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The running speech engine, or null when this server runs without one. */
    speech: SpeechEngine | null;
    /** The recogniser grammar for the current catalog (cached per lists version). */
    voiceGrammar: () => Promise<RecognitionGrammar>;
  }
}

export interface VoicePluginOptions {
  readonly speech: SpeechEngine | null;
  readonly limits?: Partial<VoiceSessionLimits>;
}

/** The WebSocket voice endpoint and the grammar it decodes with. Needs the assistant. */
export const voicePlugin = fp(async (app: FastifyInstance, options: VoicePluginOptions) => {
  app.decorate('speech', options.speech);
  app.decorate('voiceGrammar', createGrammarProvider(app.intents, app.catalogLists));
  await app.register(voiceRoutes, {
    speech: options.speech,
    grammar: app.voiceGrammar,
    runCommand: (input) => app.assistant.handle(input),
    limits: options.limits,
  });
}, {
  name: 'holomesh-voice',
  fastify: '5.x',
  dependencies: ['holomesh-assistant', '@fastify/websocket'],
});
