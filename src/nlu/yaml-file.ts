import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { SlotValue } from '../contracts.js';
import { TemplateError, type SourceLocation } from './errors.js';
import { parseTemplate } from './parser.js';
import { TemplateSyntaxError } from './tokenizer.js';
import type { IntentData, IntentFile, ListDefinition, ListValue, Template } from './types.js';

// Keys hassil files may carry that this engine does not use: accepted and ignored.
const IGNORED_DATA_KEYS = new Set(['requires_context', 'excludes_context', 'metadata', 'response', 'wildcard_lists']);
const TOP_LEVEL_KEYS = new Set(['language', 'intents', 'lists', 'expansion_rules', 'skip_words', 'responses']);

/**
 * Parse one hassil-style template file (YAML text) without resolving references.
 * @throws TemplateError naming `fileName`, the line (and column) and what is wrong.
 */
export function parseIntentsYaml(text: string, fileName: string): IntentFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (node: YamlNode | null | undefined, offset = 0): SourceLocation => {
    const start = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(start + offset);
    return { file: fileName, line: pos.line, column: pos.col };
  };
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    throw new TemplateError(`invalid YAML: ${firstError.message.split('\n')[0]}`, { file: fileName, line: pos.line, column: pos.col });
  }
  const root = doc.contents;
  if (!isMap(root)) throw new TemplateError('the file must be a mapping with "intents"', at(root));

  const ctx: Ctx = { fileName, at };
  let language = 'en';
  let intents: Record<string, IntentData[]> = record();
  let lists: Record<string, ListDefinition> = record();
  let expansionRules: Record<string, Template> = record();
  let skipWords: string[] = [];
  for (const pair of root.items) {
    const key = scalarKey(pair.key, ctx);
    const value = pair.value as YamlNode | null;
    if (!TOP_LEVEL_KEYS.has(key)) throw new TemplateError(`unknown key "${key}"`, at(pair.key as YamlNode));
    if (key === 'language') language = stringValue(value, ctx, 'language');
    else if (key === 'intents') intents = parseIntents(value, ctx);
    else if (key === 'lists') lists = parseLists(value, ctx);
    else if (key === 'expansion_rules') expansionRules = parseRules(value, ctx);
    else if (key === 'skip_words') skipWords = stringList(value, ctx, 'skip_words');
  }
  return { fileName, language, intents, lists, expansionRules, skipWords };
}

/** A record without a prototype, so that a name like "__proto__" is stored as a plain key. */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

interface Ctx {
  readonly fileName: string;
  readonly at: (node: YamlNode | null | undefined, offset?: number) => SourceLocation;
}

function scalarKey(node: unknown, ctx: Ctx): string {
  if (!isScalar(node) || typeof node.value !== 'string' && typeof node.value !== 'number') {
    throw new TemplateError('keys must be plain names', ctx.at(node as YamlNode));
  }
  return String(node.value);
}

function stringValue(node: YamlNode | null, ctx: Ctx, what: string): string {
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) {
    throw new TemplateError(`${what} must be a string`, ctx.at(node));
  }
  return String(node.value);
}

function stringList(node: YamlNode | null, ctx: Ctx, what: string): string[] {
  if (!isSeq(node)) throw new TemplateError(`${what} must be a list of strings`, ctx.at(node));
  return node.items.map((item) => stringValue(item as YamlNode, ctx, `each item of ${what}`));
}

function mapOf(node: YamlNode | null, ctx: Ctx, what: string): YAMLMap {
  if (!isMap(node)) throw new TemplateError(`${what} must be a mapping`, ctx.at(node));
  return node;
}

/** Parse a template scalar; syntax errors point at the column inside the YAML line. */
function templateFrom(node: YamlNode | null, ctx: Ctx, what: string): Template {
  const text = stringValue(node, ctx, what);
  // Quoted scalars start one character before their content.
  const quoteOffset = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? 1 : 0;
  try {
    return { text, expression: parseTemplate(text), location: ctx.at(node) };
  } catch (error) {
    if (error instanceof TemplateSyntaxError) {
      throw new TemplateError(`${what} "${text}": ${error.message}`, ctx.at(node, quoteOffset + error.column));
    }
    throw error;
  }
}

function parseIntents(node: YamlNode | null, ctx: Ctx): Record<string, IntentData[]> {
  const out = record<IntentData[]>();
  for (const pair of mapOf(node, ctx, 'intents').items) {
    const name = scalarKey(pair.key, ctx);
    const intent = mapOf(pair.value as YamlNode, ctx, `intent "${name}"`);
    const dataNode = intent.get('data', true) as YamlNode | undefined;
    if (!isSeq(dataNode)) throw new TemplateError(`intent "${name}" needs a "data" list`, ctx.at(intent));
    out[name] = dataNode.items.map((item) => parseData(item as YamlNode, ctx, name));
  }
  return out;
}

function parseData(node: YamlNode, ctx: Ctx, intent: string): IntentData {
  const data = mapOf(node, ctx, `a data block of "${intent}"`);
  let sentences: Template[] | null = null;
  let slots: Record<string, SlotValue> = {};
  for (const pair of data.items) {
    const key = scalarKey(pair.key, ctx);
    const value = pair.value as YamlNode | null;
    if (key === 'sentences') {
      if (!isSeq(value) || value.items.length === 0) throw new TemplateError(`"sentences" of "${intent}" must be a non-empty list`, ctx.at(value ?? (pair.key as YamlNode)));
      sentences = value.items.map((item) => templateFrom(item as YamlNode, ctx, 'sentence'));
    } else if (key === 'slots') {
      slots = record<SlotValue>();
      for (const slot of mapOf(value, ctx, 'slots').items) slots[scalarKey(slot.key, ctx)] = slotValue(slot.value as YamlNode, ctx);
    } else if (!IGNORED_DATA_KEYS.has(key)) {
      throw new TemplateError(`unknown key "${key}" in a data block of "${intent}"`, ctx.at(pair.key as YamlNode));
    }
  }
  if (sentences === null) throw new TemplateError(`a data block of "${intent}" has no "sentences"`, ctx.at(data));
  return { sentences, slots, location: ctx.at(data) };
}

function slotValue(node: YamlNode | null, ctx: Ctx): SlotValue {
  if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean')) return node.value;
  throw new TemplateError('a slot value must be a string, number or boolean', ctx.at(node));
}

function parseLists(node: YamlNode | null, ctx: Ctx): Record<string, ListDefinition> {
  const out = record<ListDefinition>();
  for (const pair of mapOf(node, ctx, 'lists').items) {
    const name = scalarKey(pair.key, ctx);
    out[name] = parseList(pair.value as YamlNode, ctx, name);
  }
  return out;
}

function parseList(node: YamlNode | null, ctx: Ctx, name: string): ListDefinition {
  const list = mapOf(node, ctx, `list "${name}"`);
  const location = ctx.at(list);
  if (list.has('values')) {
    const values = list.get('values', true) as YamlNode | null;
    if (!isSeq(values) || values.items.length === 0) throw new TemplateError(`"values" of list "${name}" must be a non-empty list`, ctx.at(values));
    return { kind: 'values', values: values.items.map((item) => parseListValue(item as YamlNode, ctx)), location };
  }
  if (list.has('range')) {
    const range = mapOf(list.get('range', true) as YamlNode, ctx, `range of list "${name}"`);
    const num = (key: string, fallback?: number): number => {
      const value = range.get(key);
      if (value === undefined && fallback !== undefined) return fallback;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new TemplateError(`range "${key}" of list "${name}" must be an integer`, ctx.at(range));
      return value;
    };
    const type = range.get('type');
    if (type !== undefined && type !== 'number') throw new TemplateError(`range type "${String(type)}" of list "${name}" is not supported (use number)`, ctx.at(range));
    const from = num('from');
    const to = num('to');
    const step = num('step', 1);
    if (to < from || step < 1) throw new TemplateError(`range of list "${name}" is empty`, ctx.at(range));
    return { kind: 'range', from, to, step, location };
  }
  if (list.get('wildcard') === true) {
    if (!list.has('free_text')) return { kind: 'wildcard', location };
    const free = mapOf(list.get('free_text', true) as YamlNode, ctx, `free_text of list "${name}"`);
    const maxWords = free.get('max_words');
    if (typeof maxWords !== 'number' || !Number.isInteger(maxWords) || maxWords < 1) throw new TemplateError(`"max_words" of list "${name}" must be a positive integer`, ctx.at(free));
    const spoken = free.has('spoken') ? stringList(free.get('spoken', true) as YamlNode | null, ctx, `spoken of list "${name}"`) : [];
    return { kind: 'wildcard', location, freeText: { maxWords, spoken } };
  }
  throw new TemplateError(`list "${name}" needs "values", "range" or "wildcard: true"`, location);
}

function parseListValue(node: YamlNode, ctx: Ctx): ListValue {
  if (isScalar(node)) {
    const template = templateFrom(node, ctx, 'list value');
    return { in: template, out: template.text };
  }
  const value = mapOf(node, ctx, 'a list value');
  const inNode = value.get('in', true) as YamlNode | undefined;
  if (inNode === undefined) throw new TemplateError('a list value mapping needs "in"', ctx.at(value));
  const template = templateFrom(inNode, ctx, 'list value');
  const outNode = value.get('out', true) as YamlNode | undefined;
  return { in: template, out: outNode === undefined ? template.text : slotValue(outNode, ctx) };
}

function parseRules(node: YamlNode | null, ctx: Ctx): Record<string, Template> {
  const out = record<Template>();
  for (const pair of mapOf(node, ctx, 'expansion_rules').items) {
    out[scalarKey(pair.key, ctx)] = templateFrom(pair.value as YamlNode, ctx, `expansion rule "${scalarKey(pair.key, ctx)}"`);
  }
  return out;
}
