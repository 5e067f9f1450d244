import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelDownloadError, downloadModel, registerModels, unzipTo } from '../../src/cli/models.js';
import { createSpeechEngine } from '../../src/speech/index.js';
import { loadVosk, setVoskLogLevel, VoskModel } from '../../src/speech/vosk-binding.js';
import { parseVoskResult, selectSpeechEngine, startVoskEngine, toTranscript } from '../../src/speech/vosk-engine.js';

const scratch = mkdtempSync(join(tmpdir(), 'holomesh-vosk-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('libvosk through koffi', () => {
  it('loads the libvosk shipped in the vosk package', () => {
    const vosk = loadVosk();
    expect(vosk.path).toMatch(/libvosk\.(so|dylib|dll)$/);
    expect(() => setVoskLogLevel(-1)).not.toThrow();
  });

  it('turns a missing model folder into HM_ERR_SPEECH_MODEL_NOT_FOUND naming the path and the fix', () => {
    const missing = join(scratch, 'no-such-model');
    expect(() => VoskModel.open(missing)).toThrow(expect.objectContaining({
      code: 'HM_ERR_SPEECH_MODEL_NOT_FOUND',
      message: expect.stringMatching(new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*holomesh models download vosk-small-en-us.*VOSK_MODEL_PATH`)),
    }));
  });

  it('turns vosk_model_new returning NULL (a folder without a model) into the same clear error', () => {
    const empty = mkdtempSync(join(scratch, 'empty-'));
    expect(() => VoskModel.open(empty)).toThrow(expect.objectContaining({ code: 'HM_ERR_SPEECH_MODEL_NOT_FOUND', message: expect.stringContaining('could not load a model') }));
  });

  it('reports a bad model from the worker threads and starts no engine', async () => {
    const empty = mkdtempSync(join(scratch, 'empty-'));
    await expect(startVoskEngine({ engine: 'vosk', voskModelPath: empty, workers: 1 })).rejects.toMatchObject({ code: 'HM_ERR_SPEECH_MODEL_NOT_FOUND' });
  });
});

describe('engine selection', () => {
  it('vosk without a model fails with how to get one', async () => {
    await expect(createSpeechEngine({ engine: 'vosk', cacheDir: scratch, workers: 1 })).rejects.toMatchObject({
      code: 'HM_ERR_SPEECH_ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/holomesh models download vosk-small-en-us.*VOSK_MODEL_PATH/),
    });
    await expect(createSpeechEngine({ engine: 'vosk', voskModelPath: join(scratch, 'nope'), cacheDir: scratch, workers: 1 })).rejects.toMatchObject({
      code: 'HM_ERR_SPEECH_ENGINE_UNAVAILABLE',
      message: expect.stringContaining('does not exist'),
    });
  });

  it('auto picks soundswallower unless a vosk model path is configured', () => {
    expect(selectSpeechEngine({ engine: 'auto' })).toBe('soundswallower');
    expect(selectSpeechEngine({ engine: 'auto', voskModelPath: '' })).toBe('soundswallower');
    expect(selectSpeechEngine({ engine: 'auto', voskModelPath: 'models/vosk-model-small-en-us-0.15' })).toBe('vosk');
    expect(selectSpeechEngine({ engine: 'soundswallower', voskModelPath: 'models/x' })).toBe('soundswallower');
    expect(selectSpeechEngine({ engine: 'vosk' })).toBe('vosk');
  });
});

describe('vosk results', () => {
  it('drops [unk], averages word confidences and shifts later segments in time', () => {
    const first = parseVoskResult(JSON.stringify({ text: 'show [unk] chips', result: [
      { word: 'show', start: 0.1, end: 0.4, conf: 1 },
      { word: '[unk]', start: 0.4, end: 0.6, conf: 0.3 },
      { word: 'chips', start: 0.6, end: 1, conf: 0.8 },
    ] }));
    const second = parseVoskResult(JSON.stringify({ text: 'by ada', result: [{ word: 'by', start: 0, end: 0.2, conf: 0.9 }, { word: 'ada', start: 0.2, end: 0.5, conf: 0.9 }] }), 2);
    const t = toTranscript([first, second], 'vosk/test');
    expect(t).toMatchObject({ text: 'show chips by ada', source: 'voice', engine: 'vosk/test', confidence: 0.9 });
    expect(t.words?.map((w) => w.word)).toEqual(['show', 'chips', 'by', 'ada']);
    expect(t.words?.[2]).toMatchObject({ start: 2, end: 2.2 });
    expect(t.alternatives?.[0]).toEqual({ text: 'show chips by ada', confidence: 0.9 });
  });

  it('gives empty text and confidence 0 when only [unk] was heard', () => {
    const t = toTranscript([parseVoskResult('{"text": "[unk]", "result": [{"word": "[unk]", "start": 0, "end": 1, "conf": 1}]}')], 'vosk/test');
    expect(t).toMatchObject({ text: '', confidence: 0, words: [] });
  });

  it('normalises N-best scores to 0..1, best first', () => {
    const t = toTranscript([parseVoskResult(JSON.stringify({ alternatives: [{ text: 'buy chip', confidence: 210 }, { text: 'by chip', confidence: 208 }] }))], 'vosk/test');
    expect(t.text).toBe('buy chip');
    expect(t.alternatives?.map((a) => a.text)).toEqual(['buy chip', 'by chip']);
    expect(t.confidence).toBeGreaterThan(0.8);
    expect(t.confidence).toBeLessThanOrEqual(1);
  });
});

/** A zip with stored (uncompressed) entries, built by hand. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(files).length, 8);
  eocd.writeUInt16LE(Object.keys(files).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

describe('holomesh models download', () => {
  const unreachable = { HOLOMESH_MODELS_URL: 'http://127.0.0.1:9/models' };

  it('fails cleanly without network, leaving no partial files', async () => {
    const dir = join(scratch, 'offline');
    const err: unknown = await downloadModel('vosk-small-en-us', { dir, env: unreachable, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelDownloadError);
    expect((err as Error).message).toMatch(/cannot download http:\/\/127\.0\.0\.1:9\/models\/vosk-model-small-en-us-0\.15\.zip: .*no network\?/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the CLI command rejects with that message (HOLOMESH_MODELS_URL from the environment)', async () => {
    const program = new Command('holomesh').exitOverride();
    registerModels(program);
    const saved = process.env.HOLOMESH_MODELS_URL;
    process.env.HOLOMESH_MODELS_URL = unreachable.HOLOMESH_MODELS_URL;
    try {
      await expect(program.parseAsync(['node', 'holomesh', 'models', 'download', 'vosk-small-en-us', '--dir', join(scratch, 'cli')]))
        .rejects.toThrow(/cannot download .*127\.0\.0\.1:9/);
    } finally {
      if (saved === undefined) delete process.env.HOLOMESH_MODELS_URL;
      else process.env.HOLOMESH_MODELS_URL = saved;
    }
  });

  it('rejects an unknown model name', async () => {
    await expect(downloadModel('whisper-huge', { dir: scratch })).rejects.toThrow(/unknown model "whisper-huge"; available: vosk-small-en-us/);
  });

  it('refuses a download whose checksum does not match', async () => {
    const body = storedZip({ 'vosk-model-small-en-us-0.15/conf/model.conf': '--x=1\n' });
    const server = createServer((_req, res) => res.writeHead(200, { 'content-length': body.length }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const dir = join(scratch, 'mismatch');
    try {
      await expect(downloadModel('vosk-small-en-us', { dir, env: { HOLOMESH_MODELS_URL: `http://127.0.0.1:${port}` }, progress: { write: () => true } as unknown as NodeJS.WritableStream }))
        .rejects.toThrow(/checksum mismatch/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('unzips with CRC checks and refuses entries that leave the folder', async () => {
    const zipFile = (name: string, zip: Buffer) => {
      const path = join(scratch, `${name}.zip`);
      writeFileSync(path, zip);
      return path;
    };
    const dest = join(scratch, 'unzipped');
    expect(await unzipTo(zipFile('good', storedZip({ 'm/conf/model.conf': 'a', 'm/README': 'b' })), dest)).toBe(2);
    expect(readFileSync(join(dest, 'm/conf/model.conf'), 'utf8')).toBe('a');
    await expect(unzipTo(zipFile('evil', storedZip({ '../evil': 'x' })), join(scratch, 'evil'))).rejects.toThrow(/leaves the target folder: \.\.\/evil/);
    expect(existsSync(join(scratch, 'evil'))).toBe(false);
    const corrupt = storedZip({ 'm/a': 'hello' });
    corrupt[30 + 3] = 0x58; // flip a data byte
    await expect(unzipTo(zipFile('corrupt', corrupt), join(scratch, 'corrupt'))).rejects.toThrow(/CRC/);
    await expect(unzipTo(zipFile('not-a-zip', Buffer.from('hello')), join(scratch, 'not-a-zip'))).rejects.toThrow(ModelDownloadError);
  });
});
