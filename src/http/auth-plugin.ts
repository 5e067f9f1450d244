import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { VerifiedPrincipal } from '../auth/tokens.js';
import type { Role } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { can, rolesFor, type Action } from '../auth/policy.js';
import { DeviceCredentialStore, isDeviceToken } from '../auth/device-credentials.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The authenticated caller, or null (anonymous). Set by the auth plugin on every request.
     * `deviceId` is set when a device credential (not an access token) proved it.
     */
    principal: (VerifiedPrincipal & { readonly deviceId?: string }) | null;
  }
  interface FastifyInstance {
    /** Device credentials of speakers and headsets (src/auth/device-credentials.ts). */
    deviceCredentials: DeviceCredentialStore;
    /** preHandler: 401 unless the request carries a valid access token. */
    requireAuth: (request: FastifyRequest) => Promise<void>;
    /** preHandler factory: 401 without a token, 403 unless the caller has one of `roles`. */
    requireRole: (...roles: Role[]) => (request: FastifyRequest) => Promise<void>;
    /** preHandler factory: 401 without a token, 403 unless the policy (src/auth/policy.ts) allows `action`. */
    requirePermission: (action: Action) => (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyContextConfig {
    /** Accept enrolment tokens (REQUIRE_2FA_ROLES) on this route: only the 2FA setup routes do. */
    allowEnrolmentToken?: boolean;
    /** The route reads `Authorization` itself (not an access token): `/metrics` with METRICS_TOKEN. */
    ownAuthorization?: boolean;
    /** Accept device credentials on this route: only the voice and text command routes do. */
    allowDeviceCredential?: boolean;
  }
}

/**
 * Reads the access token from `Authorization: Bearer …`, the `Sec-WebSocket-Protocol` header
 * (browsers cannot set headers on WebSockets: `bearer, <token>`), or — on a WebSocket upgrade
 * only — `?token=`. Anywhere else a token in the URL would end up in proxies' logs, browser
 * history and Referer headers (ASVS 3.1.1), so it is not read.
 */
export function extractToken(request: Pick<FastifyRequest, 'headers' | 'query'>): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    const parts = protocols.split(',').map((p) => p.trim());
    const i = parts.findIndex((p) => p.toLowerCase() === 'bearer');
    if (i >= 0 && parts[i + 1]) return parts[i + 1]!;
  }
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return null;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' && query.token ? query.token : null;
}

/**
 * The caller, on a route guarded by requireAuth, requireRole or requirePermission.
 * @throws HM_ERR_AUTH_REQUIRED when there is none: a route that lost its guard fails closed.
 */
export function principalOf(request: Pick<FastifyRequest, 'principal'>): VerifiedPrincipal {
  if (!request.principal) throw Errors.Unauthenticated();
  return request.principal;
}

export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('principal', null);
  app.decorate('deviceCredentials', new DeviceCredentialStore(app.db.dataSource));
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.ownAuthorization === true) return;
    const token = extractToken(request);
    if (token && isDeviceToken(token)) {
      // Checked in the database on every request: a revocation holds at once, on every instance.
      const device = await app.deviceCredentials.verify(token);
      if (!device) throw Errors.Unauthenticated('the device credential is unknown or was revoked');
      if (request.routeOptions.config?.allowDeviceCredential !== true) throw Errors.DeviceScope();
      request.principal = device;
      return;
    }
    // A bad token is an error even on routes that allow anonymous access: never silently downgrade.
    const allowEnrolment = request.routeOptions.config?.allowEnrolmentToken === true;
    request.principal = token ? app.tokens.verifyAccessToken(token, { allowEnrolment }) : null;
  });
  app.decorate('requireAuth', async (request: FastifyRequest) => {
    if (!request.principal) throw Errors.Unauthenticated();
  });
  app.decorate('requireRole', (...roles: Role[]) => async (request: FastifyRequest) => {
    if (!request.principal) throw Errors.Unauthenticated();
    if (!roles.includes(request.principal.role)) throw Errors.Forbidden(`this needs the role ${roles.join(' or ')}`);
  });
  app.decorate('requirePermission', (action: Action) => async (request: FastifyRequest) => {
    if (!request.principal) throw Errors.Unauthenticated();
    if (!can(request.principal, action)) {
      const roles = rolesFor(action);
      throw Errors.Forbidden(roles.length > 0 ? `${action} needs the role ${roles.join(' or ')}` : action);
    }
  });
}, { name: 'holomesh-auth', fastify: '5.x', decorators: { fastify: ['tokens', 'db'] } });
