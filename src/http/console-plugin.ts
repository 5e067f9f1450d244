import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { PROJECT_ROOT } from '../project-root.js';

/** The web console's static files (`public/` at the repository root). */
export const CONSOLE_ROOT = join(PROJECT_ROOT, 'public/');

/**
 * The console's Content-Security-Policy, replacing helmet's default on console files only: its
 * own scripts, styles and AudioWorklet module, fetch and WebSocket to its own origin, no inline
 * code, and Trusted Types enforced so that no HTML string can ever reach the DOM.
 * No `upgrade-insecure-requests`: a self-hosted console is often reached over plain http on
 * localhost, where that directive would break the API calls.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** The console may use the microphone of its own page and nothing else sensitive. */
export const CONSOLE_PERMISSIONS = 'microphone=(self), camera=(), geolocation=(), payment=(), usb=()';

export interface ConsolePluginOptions {
  /** Folder to serve; default `public/`. */
  readonly root?: string;
}

/**
 * `GET /` and the other files of the web console. Deliberately not wrapped in fastify-plugin:
 * its header hook stays encapsulated to the console's own routes, so the API keeps helmet's
 * defaults. Files are listed at start-up (no wildcard route), so an unknown path still gets the
 * API's 404 body.
 */
export async function consolePlugin(app: FastifyInstance, options: ConsolePluginOptions = {}): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    reply.header('permissions-policy', CONSOLE_PERMISSIONS);
    // Always revalidate: a new release must reach open consoles on their next load.
    reply.header('cache-control', 'no-cache');
    return payload;
  });
  await app.register(fastifyStatic, {
    root: options.root ?? CONSOLE_ROOT,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    decorateReply: false,
  });
}
