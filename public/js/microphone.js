/**
 * Push-to-talk capture: getUserMedia → low-pass → AudioWorklet (16 kHz PCM16 frames).
 * The microphone is opened on each press and released on each release, so the browser's
 * recording indicator is only on while the user talks.
 */

const TARGET_RATE = 16_000;
const FRAME_SAMPLES = 1_600; // 100 ms

let context = null;
let moduleReady = null;

function loadWorklet() {
  context ??= new AudioContext({ latencyHint: 'interactive' });
  moduleReady ??= context.audioWorklet.addModule(new URL('./pcm-worklet.js', import.meta.url).href)
    .catch((err) => { moduleReady = null; throw err; });
  return moduleReady;
}

/**
 * Loads the audio worklet ahead of the first press (the context stays suspended until a press),
 * so that a press starts streaming at once and the first word is not clipped.
 */
export function prepareAudio() {
  if (typeof AudioContext === 'undefined') return;
  loadWorklet().catch(() => {}); // reported on the press that needs it
}

async function audioContext() {
  await loadWorklet();
  if (context.state === 'suspended') await context.resume();
  return context;
}

/**
 * Starts capturing. `onFrame(ArrayBuffer)` gets each PCM16 frame, `onLevel(0..1)` the loudness.
 * Resolves to `stop()`, which posts what is left and releases the microphone.
 */
export async function startCapture({ onFrame, onLevel }) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error(window.isSecureContext
      ? 'this browser cannot record audio'
      : 'the microphone needs a secure page: open the console over https or on localhost');
  }
  // The recogniser wants the signal as it is: the browser's gain control lifts the silence
  // after a command into "words", and its noise suppression smears consonants. Replies are
  // never spoken while the button is held, so there is no echo to cancel either.
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  let ctx;
  try {
    ctx = await audioContext();
  } catch (err) {
    for (const track of stream.getTracks()) track.stop();
    throw err;
  }
  const source = ctx.createMediaStreamSource(stream);
  const nodes = [source];
  if (ctx.sampleRate > TARGET_RATE) {
    // Two Butterworth sections: -3 dB at 7 kHz, well down by the new Nyquist (8 kHz).
    for (let i = 0; i < 2; i++) {
      nodes.push(new BiquadFilterNode(ctx, { type: 'lowpass', frequency: TARGET_RATE * 0.44, Q: Math.SQRT1_2 }));
    }
  }
  const worklet = new AudioWorkletNode(ctx, 'pcm16-downsampler', {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    processorOptions: { targetRate: TARGET_RATE, frameSamples: FRAME_SAMPLES },
  });
  // A silent sink keeps the node pulled by the graph.
  const sink = new GainNode(ctx, { gain: 0 });
  nodes.push(worklet, sink);
  for (let i = 0; i + 1 < nodes.length; i++) nodes[i].connect(nodes[i + 1]);
  sink.connect(ctx.destination);

  let flushed = null;
  worklet.port.onmessage = (event) => {
    const message = event.data;
    if (message.type === 'frame') onFrame(message.buffer);
    else if (message.type === 'level') onLevel?.(Math.min(1, message.rms * 4));
    else if (message.type === 'flushed') flushed?.();
  };

  return async function stop() {
    await new Promise((resolve) => {
      flushed = resolve;
      worklet.port.postMessage('flush');
      setTimeout(resolve, 300); // never hang on a stuck audio thread
    });
    worklet.port.onmessage = null;
    for (const node of nodes) node.disconnect();
    for (const track of stream.getTracks()) track.stop();
    onLevel?.(0);
  };
}
