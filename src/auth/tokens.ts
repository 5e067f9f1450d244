import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../db/entities/index.js';
import { Errors, isHoloMeshError } from '../errors.js';

const ISSUER = 'holomesh';
const AUDIENCE = 'holomesh-api';
// Pinned: tokens in any other algorithm (including `none`) are rejected, whatever their header says.
const ALGORITHM = 'HS256' as const;
/** Scope of a token that may only be used to set up two-factor authentication. */
const ENROLMENT_SCOPE = '2fa-enrol';
/** Lifetime of an enrolment token: long enough to scan a QR code and type a code. */
export const ENROLMENT_TOKEN_TTL_S = 600;
/** Audience of device tokens: never accepted where an access token is expected. */
const DEVICE_AUDIENCE = 'holomesh-device';
/** Lifetime of a device token (a device that signed in to an account before). */
export const DEVICE_TOKEN_TTL_S = 180 * 86_400;

/** Who is calling, as proven by an access token. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
}

/** A principal read from a verified token, with the token's expiry (ms since the epoch). */
export interface VerifiedPrincipal extends Principal {
  readonly expiresAt: number;
  /** True for an enrolment token: only routes with `config.allowEnrolmentToken` accept it. */
  readonly enrolmentOnly?: boolean;
}

export interface VerifyOptions {
  /** Accept enrolment tokens too (the two-factor setup routes). Default false. */
  readonly allowEnrolment?: boolean;
}

export interface TokenService {
  issueAccessToken(principal: Principal): string;
  /** A short-lived token good only for the two-factor setup routes (see REQUIRE_2FA_ROLES). */
  issueEnrolmentToken(principal: Principal): string;
  /**
   * @throws HM_ERR_AUTH_REQUIRED for a missing, expired, forged or foreign token, and for an
   * enrolment token unless `options.allowEnrolment`.
   */
  verifyAccessToken(token: string, options?: VerifyOptions): VerifiedPrincipal;
  /**
   * A token a client keeps after signing in, proving on later logins that it is a device the
   * account's owner used before (login limits never slow it down). Grants no access.
   */
  issueDeviceToken(principal: Principal): string;
  /** The account a device token was issued for, or null when it is not a valid device token. */
  verifyDeviceToken(token: string): { readonly userId: string; readonly username: string } | null;
  /** Lifetime of new access tokens, seconds. */
  readonly accessTtlS: number;
}

/** The header jsonwebtoken writes for HS256, base64url-encoded. */
const SIGNED_HEADER = Buffer.from(JSON.stringify({ alg: ALGORITHM, typ: 'JWT' })).toString('base64url');

/**
 * The claims of `token` when it is an HS256 token signed with `key` whose time, issuer and
 * audience claims hold at `nowS`; otherwise null. The fast path of every request's check: it
 * accepts only what jsonwebtoken's verify (with this service's options) accepts, and a null is
 * handed to jsonwebtoken, whose error then says what is wrong.
 */
export function verifiedClaims(token: string, key: KeyObject, nowS: number): jwt.JwtPayload | null {
  const headerEnd = token.indexOf('.');
  const payloadEnd = token.indexOf('.', headerEnd + 1);
  if (headerEnd <= 0 || payloadEnd <= headerEnd + 1 || token.includes('.', payloadEnd + 1)) return null;
  const signature = Buffer.from(token.slice(payloadEnd + 1));
  const expected = Buffer.from(createHmac('sha256', key).update(token.slice(0, payloadEnd)).digest('base64url'));
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
  let claims: unknown;
  try {
    // The header this service signs is always the same text: only another one needs reading.
    if (token.slice(0, headerEnd) !== SIGNED_HEADER) {
      const header = JSON.parse(Buffer.from(token.slice(0, headerEnd), 'base64url').toString('utf8')) as { alg?: unknown } | null;
      if (header?.alg !== ALGORITHM) return null;
    }
    claims = JSON.parse(Buffer.from(token.slice(headerEnd + 1, payloadEnd), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return null;
  const { nbf, exp, aud, iss } = claims as jwt.JwtPayload;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowS)) return null;
  // Every token this service issues expires: one without `exp` would be good forever.
  if (typeof exp !== 'number' || nowS >= exp) return null;
  if (iss !== ISSUER || !(Array.isArray(aud) ? aud : [aud]).includes(AUDIENCE)) return null;
  return claims as jwt.JwtPayload;
}

export function createTokenService(secret: string, accessTtlS: number): TokenService {
  // A KeyObject, because given a string jsonwebtoken first tries (and fails) to parse it as a
  // public key on every call: the most expensive part of authenticating a request.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    issueAccessToken(principal) {
      return jwt.sign({ username: principal.username, role: principal.role }, key, {
        algorithm: ALGORITHM, subject: principal.userId, issuer: ISSUER, audience: AUDIENCE, expiresIn: accessTtlS,
      });
    },
    issueEnrolmentToken(principal) {
      return jwt.sign({ username: principal.username, role: principal.role, scope: ENROLMENT_SCOPE }, key, {
        algorithm: ALGORITHM, subject: principal.userId, issuer: ISSUER, audience: AUDIENCE, expiresIn: ENROLMENT_TOKEN_TTL_S,
      });
    },
    issueDeviceToken(principal) {
      return jwt.sign({ username: principal.username, jti: randomUUID() }, key, {
        algorithm: ALGORITHM, subject: principal.userId, issuer: ISSUER, audience: DEVICE_AUDIENCE, expiresIn: DEVICE_TOKEN_TTL_S,
      });
    },
    verifyDeviceToken(token) {
      try {
        const claims = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: ISSUER, audience: DEVICE_AUDIENCE }) as jwt.JwtPayload;
        if (typeof claims.sub !== 'string' || typeof claims.username !== 'string' || typeof claims.exp !== 'number') return null;
        return { userId: claims.sub, username: claims.username };
      } catch {
        return null;
      }
    },
    accessTtlS,
    verifyAccessToken(token, options = {}) {
      try {
        const claims = verifiedClaims(token, key, Math.floor(Date.now() / 1000))
          ?? jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE }) as jwt.JwtPayload;
        if (typeof claims.exp !== 'number') throw new Error('no expiry');
        if (typeof claims.sub !== 'string' || typeof claims.username !== 'string' || typeof claims.role !== 'string') {
          throw new Error('malformed claims');
        }
        const enrolmentOnly = claims.scope === ENROLMENT_SCOPE;
        if (claims.scope !== undefined && !enrolmentOnly) throw new Error('unknown scope');
        if (enrolmentOnly && !options.allowEnrolment) {
          throw Errors.Unauthenticated('this token is only good for setting up two-factor authentication');
        }
        const principal = { userId: claims.sub, username: claims.username, role: claims.role as Role, expiresAt: claims.exp * 1000 };
        return enrolmentOnly ? { ...principal, enrolmentOnly } : principal;
      } catch (err) {
        if (isHoloMeshError(err)) throw err;
        const expired = err instanceof jwt.TokenExpiredError;
        throw Errors.Unauthenticated(expired ? 'the access token has expired' : 'the access token is invalid');
      }
    },
  };
}
