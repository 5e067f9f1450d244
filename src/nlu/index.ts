/** The intent engine: templates (hassil-style YAML) → compiled set → recognise, sample, grammar. */
export { TemplateError, isTemplateError, type SourceLocation } from './errors.js';
export { parseIntentsYaml } from './yaml-file.js';
export { parseTemplate } from './parser.js';
export { tokenizeTemplate, TemplateSyntaxError, type TemplateToken } from './tokenizer.js';
export { compileIntents } from './compile.js';
export { createIntentEngine, type IntentEngine, type IntentEngineOptions } from './engine.js';
export { randomSentences, sampleSentences, type RandomSampleOptions, type SampledSentence, type SampleOptions } from './sample.js';
export { buildGrammar, fnv1a, type GrammarOptions } from './grammar.js';
export { numberToWords, parseNumberWords } from './numbers.js';
export { normalizeText, type Token } from './normalize.js';
export type { CompiledIntent, Expression, IntentData, IntentFile, IntentSet, ListDefinition, ListValue, Template } from './types.js';
