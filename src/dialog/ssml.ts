import type { Reply } from '../contracts.js';

/** A piece of a reply in both forms: plain text and SSML (without `<speak>`). */
export interface Spoken {
  readonly text: string;
  readonly ssml: string;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A number read as a cardinal ("twelve"), e.g. counts and credits. */
export function cardinal(n: number): Spoken {
  const text = String(n);
  return { text, ssml: `<say-as interpret-as="cardinal">${text}</say-as>` };
}

function isSpoken(value: unknown): value is Spoken {
  return typeof value === 'object' && value !== null && 'text' in value && 'ssml' in value;
}

/**
 * Tagged template for reply sentences: literal text and string values are XML-escaped, numbers
 * become cardinals, {@link Spoken} values are kept as they are.
 */
export function say(strings: TemplateStringsArray, ...values: readonly (string | number | Spoken)[]): Spoken {
  let text = strings[0]!;
  let ssml = escapeXml(strings[0]!);
  values.forEach((value, i) => {
    const part = typeof value === 'number' ? cardinal(value) : isSpoken(value) ? value : { text: value, ssml: escapeXml(value) };
    text += part.text + strings[i + 1]!;
    ssml += part.ssml + escapeXml(strings[i + 1]!);
  });
  return { text, ssml };
}

/** Joins pieces with a separator (plain text, escaped in SSML). */
export function join(parts: readonly Spoken[], separator = ' '): Spoken {
  return {
    text: parts.map((p) => p.text).join(separator),
    ssml: parts.map((p) => p.ssml).join(escapeXml(separator)),
  };
}

/** "a", "a and b", "a, b and c". */
export function list(parts: readonly Spoken[]): Spoken {
  if (parts.length <= 1) return join(parts);
  return join([join(parts.slice(0, -1), ', '), parts.at(-1)!], ' and ');
}

export function toReply(spoken: Spoken, options: { data?: unknown; expectsReply?: boolean } = {}): Reply {
  return {
    text: spoken.text,
    ssml: `<speak>${spoken.ssml}</speak>`,
    ...(options.data === undefined ? {} : { data: options.data }),
    expectsReply: options.expectsReply ?? false,
  };
}
