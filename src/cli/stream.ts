import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import WebSocket from 'ws';
import { parseWav } from '../speech/wav.js';

const FRAME_SECONDS = 0.2;

/**
 * A vosk-server style client: sends the config, the file in 0.2 s frames (at real-time pace with
 * --realtime), then `{"eof" : 1}`; prints every reply the server sends.
 */
export function registerStream(program: Command): void {
  program
    .command('stream')
    .description('stream a WAV file to /v1/voice as a speaker would, printing partials and results')
    .argument('<file>', '16-bit PCM WAV file (8, 16, 22.05, 44.1 or 48 kHz; stereo is mixed down)')
    .option('--url <url>', 'voice endpoint', `ws://127.0.0.1:${process.env.PORT || 8080}/v1/voice`)
    .option('--token <jwt>', 'access token (see `holomesh token`)', process.env.HOLOMESH_TOKEN)
    .option('--realtime', 'pace frames in real time instead of as fast as the server answers')
    .option('--session <id>', 'dialog session id to continue')
    .action(async (file: string, opts: { url: string; token?: string; realtime?: boolean; session?: string }) => {
      const audio = parseWav(await readFile(file));
      const url = new URL(opts.url);
      if (opts.session) url.searchParams.set('session', opts.session);
      const socket = new WebSocket(url, opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {});
      await new Promise<void>((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
        socket.once('unexpected-response', (_req, res) => reject(new Error(`server answered HTTP ${res.statusCode}`)));
      });
      const done = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.on('message', (data) => console.log(data.toString()));
      socket.send(JSON.stringify({ config: { sample_rate: audio.sampleRate, words: true } }));
      const frame = Math.round(audio.sampleRate * FRAME_SECONDS);
      const bytes = Buffer.from(audio.samples.buffer, audio.samples.byteOffset, audio.samples.byteLength);
      const started = Date.now();
      for (let i = 0, n = 0; i < audio.samples.length; i += frame, n++) {
        if (opts.realtime) {
          const due = started + n * FRAME_SECONDS * 1000;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        }
        socket.send(bytes.subarray(i * 2, Math.min(audio.samples.length, i + frame) * 2));
      }
      socket.send('{"eof" : 1}');
      const code = await done;
      if (code !== 1000) process.exitCode = 1;
    });
}
