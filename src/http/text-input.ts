import type { FastifyRequest } from 'fastify';
import { Errors } from '../errors.js';

// JSON documents are small (body limits ≤ 1 MiB); deeper than this is refused by the schemas anyway.
const MAX_DEPTH = 32;

/** True when a JSON value (keys included) holds a NUL character anywhere. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return false; // audio bodies are bytes, not text
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}

/**
 * preValidation hook: PostgreSQL text cannot hold U+0000, so a NUL in any JSON field or query
 * parameter would surface as a 500 from the database (or a command answered but never logged).
 * No field of this API has a use for it: refuse it as a bad request before any route runs.
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  if (containsNul(request.query) || containsNul(request.body)) throw Errors.BadRequest('text must not contain NUL (U+0000) characters');
}
