import { TemplateError } from './errors.js';
import type { CompiledIntent, Expression, IntentData, IntentFile, IntentSet, ListDefinition, Template } from './types.js';

/**
 * Merge template files into one intent set and check every reference: each `{list}` must be
 * defined, each `<rule>` must exist and rules must not refer to themselves (directly or not).
 * Intents with the same name in several files are merged; a list or rule defined twice is an error.
 * @throws TemplateError at the first bad reference, with its file and line.
 */
export function compileIntents(files: readonly IntentFile[]): IntentSet {
  if (files.length === 0) throw new TemplateError('no template files', { file: '(none)', line: 1 });
  const lists: Record<string, ListDefinition> = {};
  const rules: Record<string, Template> = {};
  const intents = new Map<string, IntentData[]>();
  const skipWords = new Set<string>();
  for (const file of files) {
    for (const [name, list] of Object.entries(file.lists)) {
      if (lists[name] !== undefined) throw new TemplateError(`list "${name}" is already defined in ${lists[name].location.file}`, list.location);
      lists[name] = list;
    }
    for (const [name, rule] of Object.entries(file.expansionRules)) {
      if (rules[name] !== undefined) throw new TemplateError(`expansion rule "${name}" is already defined in ${rules[name].location.file}`, rule.location);
      rules[name] = rule;
    }
    for (const [name, data] of Object.entries(file.intents)) intents.set(name, [...(intents.get(name) ?? []), ...data]);
    for (const word of file.skipWords) skipWords.add(word);
  }

  const check = (template: Template, stack: readonly string[]): void => {
    walk(template.expression, (node) => {
      if (node.kind === 'list' && lists[node.list] === undefined) {
        throw new TemplateError(`unknown list "{${node.list}}" in "${template.text}"`, template.location);
      }
      if (node.kind === 'rule') {
        const rule = rules[node.name];
        if (rule === undefined) throw new TemplateError(`unknown expansion rule "<${node.name}>" in "${template.text}"`, template.location);
        if (stack.includes(node.name)) throw new TemplateError(`expansion rule "<${node.name}>" refers to itself`, template.location);
        check(rule, [...stack, node.name]);
      }
    });
  };
  for (const list of Object.values(lists)) {
    if (list.kind === 'values') for (const value of list.values) check(value.in, []);
  }
  for (const [name, rule] of Object.entries(rules)) check(rule, [name]);
  for (const data of intents.values()) for (const block of data) for (const sentence of block.sentences) check(sentence, []);

  const compiled: CompiledIntent[] = [...intents].map(([name, data]) => ({ name, data }));
  return { language: files[0].language, intents: compiled, lists, expansionRules: rules, skipWords: [...skipWords] };
}

/** Visit every node of an expression (rules are not followed). */
export function walk(expression: Expression, visit: (node: Expression) => void): void {
  visit(expression);
  if (expression.kind === 'seq') for (const item of expression.items) walk(item, visit);
  else if (expression.kind === 'alt') for (const option of expression.options) walk(option, visit);
}
