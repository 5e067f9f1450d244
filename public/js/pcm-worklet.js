/**
 * AudioWorklet: the microphone at the context's rate (usually 48 kHz) → mono 16-bit PCM at the
 * target rate (16 kHz), posted in frames of `frameSamples` (100 ms). The graph low-passes the
 * signal before this node, so linear interpolation between input samples is enough here.
 * Messages in: 'flush' (post what is buffered, then 'flushed'). Out: {type:'frame', buffer},
 * {type:'level', rms}, {type:'flushed'}.
 */
class Pcm16Downsampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetRate = 16_000, frameSamples = 1_600 } = options.processorOptions ?? {};
    this.step = sampleRate / targetRate;
    this.position = 0; // where the next output sample falls, in input samples from `previous`
    this.previous = 0; // the last input sample of the previous block
    this.frame = new Int16Array(frameSamples);
    this.filled = 0;
    this.levelSum = 0;
    this.levelCount = 0;
    this.port.onmessage = (event) => {
      if (event.data === 'flush') {
        this.post(true);
        this.port.postMessage({ type: 'flushed' });
      }
    };
  }

  post(partial = false) {
    if (this.filled === 0) return;
    const samples = partial ? this.frame.slice(0, this.filled) : this.frame.slice();
    this.port.postMessage({ type: 'frame', buffer: samples.buffer }, [samples.buffer]);
    this.filled = 0;
    const rms = Math.sqrt(this.levelSum / Math.max(1, this.levelCount));
    this.port.postMessage({ type: 'level', rms });
    this.levelSum = 0;
    this.levelCount = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const input = channels[0];
    const n = input.length;
    // Mix down to mono when the device gives more than one channel.
    const mono = channels.length === 1 ? input : new Float32Array(n).map((_, i) => {
      let sum = 0;
      for (const channel of channels) sum += channel[i];
      return sum / channels.length;
    });
    // Sample k of the virtual signal [previous, ...mono]: index 0 is `previous`.
    let pos = this.position;
    while (pos < n) {
      const i = Math.floor(pos);
      const frac = pos - i;
      const a = i === 0 ? this.previous : mono[i - 1];
      const b = mono[i];
      const value = Math.max(-1, Math.min(1, a + (b - a) * frac));
      this.frame[this.filled++] = value < 0 ? value * 0x8000 : value * 0x7fff;
      this.levelSum += value * value;
      this.levelCount += 1;
      if (this.filled === this.frame.length) this.post();
      pos += this.step;
    }
    this.position = pos - n;
    this.previous = mono[n - 1];
    return true;
  }
}

registerProcessor('pcm16-downsampler', Pcm16Downsampler);
