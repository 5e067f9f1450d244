import type { FastifyRequest } from 'fastify';
import { Errors } from '../errors.js';

interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly const?: unknown;
}

const isNumeric = (node: SchemaNode) => node.type === 'integer' || node.type === 'number';

/**
 * The path of the first JSON value that the schema wants as a number but that is not one, or
 * null. fastify's validator coerces types (`"0x10"` → 16, `true` → 1, `[7]` → 7): right for query
 * strings, where everything is text, wrong for JSON bodies, where an amount of credits must
 * arrive as a number.
 */
export function findNonNumber(schema: SchemaNode | undefined, value: unknown, path = 'body'): string | null {
  if (!schema || value === undefined) return null;
  if (isNumeric(schema)) return typeof value === 'number' ? null : path;
  if (schema.anyOf) {
    // A union of numbers and null (an optional amount): anything but a number or null is wrong.
    const numeric = schema.anyOf.filter(isNumeric);
    const others = schema.anyOf.filter((n) => !isNumeric(n));
    if (numeric.length > 0 && others.every((n) => n.const === null || n.type === 'null')) {
      return value === null || typeof value === 'number' ? null : path;
    }
    return null;
  }
  if (schema.properties && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, node] of Object.entries(schema.properties)) {
      const found = findNonNumber(node, (value as Record<string, unknown>)[key], `${path}.${key}`);
      if (found) return found;
    }
  }
  if (schema.items && Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNonNumber(schema.items, item, `${path}[${i}]`);
      if (found) return found;
    }
  }
  return null;
}

/** preValidation hook: 400 for a JSON body whose numbers (amounts, counts) are not JSON numbers. */
export async function refuseCoercedNumbers(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema?.body as SchemaNode | undefined;
  if (!schema || typeof request.body !== 'object' || request.body === null || Buffer.isBuffer(request.body)) return;
  const path = findNonNumber(schema, request.body);
  if (path) throw Errors.BadRequest(`${path} must be a number (JSON number, not text, true/false or a list)`);
}
