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
  // No prototype: a list or rule called "constructor" or "__proto__" is just a name.
  const lists: Record<string, ListDefinition> = Object.create(null) as Record<string, ListDefinition>;
  const rules: Record<string, Template> = Object.create(null) as Record<string, Template>;
  const intents = new Map<string, IntentData[]>();
  const skipWords = new Set<string>();
  for (const file of files) {
    for (const [name, list] of Object.entries(file.lists)) {
      if (Object.hasOwn(lists, name)) throw new TemplateError(`list "${name}" is already defined in ${lists[name].location.file}`, list.location);
      lists[name] = list;
    }
    for (const [name, rule] of Object.entries(file.expansionRules)) {
      if (Object.hasOwn(rules, name)) throw new TemplateError(`expansion rule "${name}" is already defined in ${rules[name].location.file}`, rule.location);
      rules[name] = rule;
    }
    for (const [name, data] of Object.entries(file.intents)) intents.set(name, [...(intents.get(name) ?? []), ...data]);
    for (const word of file.skipWords) skipWords.add(word);
  }

  // Each rule is walked once: a chain of rules that each use the next one twice stays linear.
  const checkedRules = new Set<string>();
  const check = (template: Template, stack: readonly string[]): void => {
    walk(template.expression, (node) => {
      if (node.kind === 'list' && !Object.hasOwn(lists, node.list)) {
        throw new TemplateError(`unknown list "{${node.list}}" in "${template.text}"`, template.location);
      }
      if (node.kind === 'rule') {
        if (!Object.hasOwn(rules, node.name)) throw new TemplateError(`unknown expansion rule "<${node.name}>" in "${template.text}"`, template.location);
        if (stack.includes(node.name)) throw new TemplateError(`expansion rule "<${node.name}>" refers to itself`, template.location);
        if (checkedRules.has(node.name)) return;
        check(rules[node.name], [...stack, node.name]);
        checkedRules.add(node.name);
      }
    });
  };
  for (const list of Object.values(lists)) {
    if (list.kind === 'values') for (const value of list.values) check(value.in, []);
  }
  for (const [name, rule] of Object.entries(rules)) {
    if (checkedRules.has(name)) continue;
    check(rule, [name]);
    checkedRules.add(name);
  }
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
