import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { writeWav } from '../speech/wav.js';
import { decodeUtterance } from '../speech/decode-utterance.js';
import { Errors } from '../errors.js';
import { toResultFields } from '../assistant/index.js';
import { readUploadedAudio } from './uploaded-audio.js';
import { principalOf } from './auth-plugin.js';

const MAX_AUDIO_BYTES = 10 * 1024 * 1024; // ~5 minutes of 16 kHz PCM16

/**
 * `POST /v1/speech-to-intent`: one utterance as a WAV file, Opus in Ogg or WebM (each recognised by
 * its header under any or no content type) or raw PCM16 (`application/octet-stream` with `?rate=`) → the
 * same JSON as a final result on the WebSocket. Anything else is a 415 naming what is accepted.
 * A recording without speech in it (silence, noise) is not acted on (its final pass never runs): 200 with an empty transcript,
 * `intent: null`, `outcome: "no_speech"` and no command (nothing acted on, nothing logged).
 */
export async function speechRoutes(app: FastifyInstance): Promise<void> {
  // `POST /v1/tts`: a reply (or any short text) as a spoken WAV, for speakers without a voice of their own.
  app.post('/v1/tts', {
    preHandler: app.requireAuth,
    config: { allowDeviceCredential: true },
    bodyLimit: 8 * 1024,
    schema: { body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 1_000 }) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    if (!app.synthesizer) throw Errors.SpeechUnavailable('speech synthesis is not installed on this server (optional package espeak-ng)');
    const speech = await app.synthesizer.synthesize((request.body as { text: string }).text);
    return reply.type('audio/wav').send(Buffer.from(writeWav(speech.samples, speech.sampleRate)));
  });

  // Every body as bytes (JSON keeps its own parser): the handler sniffs WAV and names the accepted
  // formats in a 415, instead of fastify's 400 for a content type without a parser.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_AUDIO_BYTES }, (_req, body, done) => done(null, body));

  const { maxUtteranceS, uploadLimit } = app.config.speech;
  app.post('/v1/speech-to-intent', {
    bodyLimit: MAX_AUDIO_BYTES,
    // Decoding costs ~0.5 s of CPU per second of audio: per user, after authentication (onRequest, before the body is read).
    config: { allowDeviceCredential: true, rateLimit: { max: uploadLimit.max, timeWindow: uploadLimit.windowS * 1000, keyGenerator: (request) => `speech-upload:${request.principal?.userId ?? request.ip}` } },
    preHandler: app.requireAuth,
    schema: {
      querystring: Type.Object({
        rate: Type.Optional(Type.Integer()),
        session: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })),
        commandId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,128}$' })),
      }),
    },
  }, async (request) => {
    if (!app.speech) throw Errors.SpeechUnavailable('no speech engine is running on this server');
    const query = request.query as { rate?: number; session?: string; commandId?: string };
    const { samples, sampleRate } = await readUploadedAudio(request.body, request.headers['content-type'], query.rate, maxUtteranceS);
    const sessionId = query.session ?? randomUUID();
    const transcript = await decodeUtterance(app.speech, await app.voiceGrammar(), samples, sampleRate, { detectSpeech: true });
    if (!transcript) {
      app.metrics.noSpeech.inc({ transport: 'http' });
      return { text: '', result: [], sessionId, commandId: null, intent: null, slots: {}, confidence: 0, outcome: 'no_speech', reply: null };
    }
    const result = await app.assistant.handle({ principal: principalOf(request), sessionId, transcript, commandId: query.commandId });
    return { text: transcript.text, result: transcript.words ?? [], asrConfidence: transcript.confidence, sessionId, ...toResultFields(result) };
  });
}
