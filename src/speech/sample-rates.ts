/**
 * The sample rates audio may arrive at, over the voice WebSocket (`config.sample_rate`) and in an
 * HTTP upload (`?rate=`): each is resampled to the decoder's own.
 */
export const SUPPORTED_SAMPLE_RATES = [8_000, 16_000, 22_050, 44_100, 48_000] as const;

export type SupportedSampleRate = (typeof SUPPORTED_SAMPLE_RATES)[number];

export function isSupportedSampleRate(rate: unknown): rate is SupportedSampleRate {
  return SUPPORTED_SAMPLE_RATES.includes(rate as SupportedSampleRate);
}
