import type { WyomingServices } from './services.js';

const LANGUAGES = ['en'];
// No public home yet: an empty url, as the reference library allows any string.
const HOLOMESH = { name: 'HoloMesh Voice', url: '' };

/** Who made the acoustic model the engine decodes with. */
function modelAttribution(engineName: string): { name: string; url: string } {
  if (engineName.startsWith('vosk')) return { name: 'Alpha Cephei', url: 'https://alphacephei.com/vosk/' };
  return { name: 'CMU Sphinx', url: 'https://cmusphinx.github.io/' };
}

/**
 * The `info` answer to `describe`: speech-to-text when an engine runs, intent recognition, and
 * command handling when the port is bound to a user. Field names follow the reference library.
 */
export function buildInfo(services: WyomingServices): Record<string, unknown> {
  const program = (description: string) => ({
    name: 'holomesh', description, attribution: HOLOMESH, installed: true, version: services.version,
  });
  const model = (name: string, description: string, attribution = HOLOMESH) => ({
    name, description, attribution, installed: true, version: services.version, languages: LANGUAGES,
  });
  const asr = services.speech
    ? [{
      ...program('HoloMesh Voice speech-to-text, constrained to the marketplace commands'),
      models: [model(services.speech.name, 'grammar-constrained recogniser of HoloMesh commands', modelAttribution(services.speech.name))],
      supports_transcript_streaming: false,
    }]
    : [];
  const handle = services.runCommand
    ? [{
      ...program('HoloMesh marketplace assistant: acts on commands and answers in words'),
      models: [model('holomesh-assistant', 'HoloMesh marketplace commands, with confirmations')],
      supports_handled_streaming: false,
    }]
    : [];
  const intent = [{
    ...program('HoloMesh intent recognition (nothing is acted on)'),
    models: [model('holomesh-intents', 'HoloMesh marketplace intents')],
  }];
  return { asr, tts: [], handle, intent, wake: [], mic: [], snd: [] };
}
