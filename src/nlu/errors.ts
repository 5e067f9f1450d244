import { HoloMeshError } from '../errors.js';

/** Where something was written in a template file (1-based line and column). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/**
 * A broken template file: bad YAML, bad template syntax, or a `{list}` / `<rule>` reference that
 * does not exist. Thrown by `parseIntentsYaml` and `compileIntents`, never while recognising.
 * Code `HM_ERR_NLU_TEMPLATE`, status 500 (a broken deployment, not a bad request).
 */
export class TemplateError extends HoloMeshError {
  declare readonly code: 'HM_ERR_NLU_TEMPLATE';
  readonly file: string;
  readonly line: number;
  readonly column: number | undefined;
  /** What is wrong, without the location prefix. */
  readonly reason: string;

  constructor(reason: string, location: SourceLocation) {
    const where = location.column === undefined ? `${location.file}:${location.line}` : `${location.file}:${location.line}:${location.column}`;
    super('HM_ERR_NLU_TEMPLATE', 500, `${where}: ${reason}`);
    this.name = 'TemplateError';
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.reason = reason;
  }
}

export function isTemplateError(error: unknown): error is TemplateError {
  return error instanceof TemplateError;
}
