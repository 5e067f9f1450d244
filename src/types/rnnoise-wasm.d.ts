// @jitsi/rnnoise-wasm (RNNoise compiled to WASM, the module inlined) ships no type declarations.
declare module '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js' {
  interface RnnoiseModule {
    readonly ready: Promise<unknown>;
    readonly HEAPF32: Float32Array;
    _malloc(size: number): number;
    _free(pointer: number): void;
    _rnnoise_create(model: number): number;
    _rnnoise_destroy(state: number): void;
    /** Denoises one 480-sample frame (48 kHz, 16-bit scale) in place; returns the voice probability. */
    _rnnoise_process_frame(state: number, out: number, input: number): number;
  }
  const createModule: () => RnnoiseModule;
  export default createModule;
}
