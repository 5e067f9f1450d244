import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RecognitionGrammar, SpeechEngine } from '../speech/engine.js';
import { createGrammarProvider } from './voice-grammar.js';
import type { SpeechSynthesizer } from '../tts/index.js';
import { voiceRoutes } from './voice-routes.js';
import { meteredEngine } from '../speech/metered-engine.js';
import { prepareVoiceActivity } from '../speech/voice-activity.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The running speech engine, or null when this server runs without one. */
    speech: SpeechEngine | null;
    /** Text-to-speech for spoken replies, or null when not installed. */
    synthesizer: SpeechSynthesizer | null;
    /** The recogniser grammar for the current catalog (cached per lists version). */
    voiceGrammar: () => Promise<RecognitionGrammar>;
  }
}

export interface VoicePluginOptions {
  readonly speech: SpeechEngine | null;
  readonly synthesizer: SpeechSynthesizer | null;
}

/** The WebSocket voice endpoint and the grammar it decodes with. Needs the assistant. */
export const voicePlugin = fp(async (app: FastifyInstance, options: VoicePluginOptions) => {
  app.decorate('speech', options.speech);
  // Every utterance goes through the voice-activity detector: load it now, not on the first one.
  if (options.speech) await prepareVoiceActivity();
  app.decorate('synthesizer', options.synthesizer);
  app.decorate('voiceGrammar', createGrammarProvider(app.intents, app.catalogLists));
  await app.register(voiceRoutes, {
    speech: options.speech && meteredEngine(options.speech, app.metrics),
    synthesizer: options.synthesizer,
    grammar: app.voiceGrammar,
    runCommand: (input) => app.assistant.handle(input),
    onNoSpeech: () => app.metrics.noSpeech.inc({ transport: 'websocket' }),
    limits: {
      trailingSilenceMs: app.config.speech.endpointSilenceMs,
      maxUtteranceMs: app.config.speech.maxUtteranceS * 1000,
      idleTimeoutMs: app.config.speech.idleTimeoutS * 1000,
    },
  });
}, {
  name: 'holomesh-voice',
  fastify: '5.x',
  dependencies: ['holomesh-assistant', 'holomesh-security', 'holomesh-metrics', '@fastify/websocket'],
});
