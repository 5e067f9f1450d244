/** The lexical tokens of one template string. */
export type TemplateToken =
  | { readonly type: 'word'; readonly text: string; readonly column: number }
  | { readonly type: 'open' | 'close' | 'openOptional' | 'closeOptional' | 'pipe' | 'semicolon'; readonly column: number }
  | { readonly type: 'list'; readonly list: string; readonly slot: string; readonly column: number }
  | { readonly type: 'rule'; readonly name: string; readonly column: number };

/** Thrown by the tokenizer and parser; the YAML layer adds the file and line. */
export class TemplateSyntaxError extends Error {
  constructor(message: string, readonly column: number) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

const SINGLE: Readonly<Record<string, TemplateToken['type']>> = {
  '(': 'open', ')': 'close', '[': 'openOptional', ']': 'closeOptional', '|': 'pipe', ';': 'semicolon',
};
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Punctuation carries no meaning in a spoken sentence (hassil ignores it too).
const PUNCTUATION = /[,.!?:"]/g;

/** Split a template into tokens; columns are 0-based offsets into `text`. */
export function tokenizeTemplate(text: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const single = SINGLE[ch];
    if (single !== undefined) {
      tokens.push({ type: single, column: i } as TemplateToken);
      i += 1;
      continue;
    }
    if (ch === '{' || ch === '<') {
      const closer = ch === '{' ? '}' : '>';
      const end = text.indexOf(closer, i + 1);
      if (end < 0) throw new TemplateSyntaxError(`unclosed "${ch}"`, i);
      const inner = text.slice(i + 1, end).trim();
      if (ch === '{') {
        const [list, slot, extra] = inner.split(':').map((part) => part.trim());
        if (!NAME.test(list ?? '') || (slot !== undefined && !NAME.test(slot)) || extra !== undefined) {
          throw new TemplateSyntaxError(`bad list reference "{${inner}}"`, i);
        }
        tokens.push({ type: 'list', list, slot: slot ?? list, column: i });
      } else {
        if (!NAME.test(inner)) throw new TemplateSyntaxError(`bad rule reference "<${inner}>"`, i);
        tokens.push({ type: 'rule', name: inner, column: i });
      }
      i = end + 1;
      continue;
    }
    if (ch === '}' || ch === '>') throw new TemplateSyntaxError(`unexpected "${ch}"`, i);
    const start = i;
    while (i < text.length && !/[\s()[\]|;{}<>]/.test(text[i])) i += 1;
    const word = text.slice(start, i).replace(PUNCTUATION, '');
    if (word.length > 0) tokens.push({ type: 'word', text: word, column: start });
  }
  return tokens;
}
