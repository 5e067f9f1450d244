import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import type { Role } from '../db/entities/index.js';
import { Errors } from '../errors.js';

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

/** Verified access tokens kept (fast-jwt's LRU, each until its expiry): a repeat token skips the HMAC and the parsing. */
const VERIFY_CACHE_SIZE = 10_000;

/** Claims every token of this service carries: one without `exp` would be good forever. */
const REQUIRED_CLAIMS = ['sub', 'iss', 'aud', 'exp'];

/** A bearer's claims, as fast-jwt returns them after checking signature, algorithm, time, issuer and audience. */
interface Claims {
  readonly sub?: unknown;
  readonly username?: unknown;
  readonly role?: unknown;
  readonly scope?: unknown;
  readonly exp?: unknown;
}

export function createTokenService(secret: string, accessTtlS: number): TokenService {
  const key = Buffer.from(secret, 'utf8');
  const signer = (audience: string, ttlS: number) => createSigner({ key, algorithm: ALGORITHM, iss: ISSUER, aud: audience, expiresIn: ttlS * 1000 });
  const signAccess = signer(AUDIENCE, accessTtlS);
  const signEnrolment = signer(AUDIENCE, ENROLMENT_TOKEN_TTL_S);
  const signDevice = signer(DEVICE_AUDIENCE, DEVICE_TOKEN_TTL_S);
  // Every request's check: the verify cache makes a token seen before cost a lookup.
  const verifyAccess = createVerifier({
    key, algorithms: [ALGORITHM], allowedIss: ISSUER, allowedAud: AUDIENCE, requiredClaims: REQUIRED_CLAIMS, cache: VERIFY_CACHE_SIZE,
  });
  const verifyDevice = createVerifier({ key, algorithms: [ALGORITHM], allowedIss: ISSUER, allowedAud: DEVICE_AUDIENCE, requiredClaims: REQUIRED_CLAIMS });
  return {
    issueAccessToken(principal) {
      return signAccess({ sub: principal.userId, username: principal.username, role: principal.role });
    },
    issueEnrolmentToken(principal) {
      return signEnrolment({ sub: principal.userId, username: principal.username, role: principal.role, scope: ENROLMENT_SCOPE });
    },
    issueDeviceToken(principal) {
      return signDevice({ sub: principal.userId, username: principal.username, jti: randomUUID() });
    },
    verifyDeviceToken(token) {
      try {
        const claims = verifyDevice(token) as Claims;
        if (typeof claims.sub !== 'string' || typeof claims.username !== 'string') return null;
        return { userId: claims.sub, username: claims.username };
      } catch {
        return null;
      }
    },
    accessTtlS,
    verifyAccessToken(token, options = {}) {
      let claims: Claims;
      try {
        claims = verifyAccess(token) as Claims;
      } catch (err) {
        const expired = err instanceof TokenError && err.code === TokenError.codes.expired;
        throw Errors.Unauthenticated(expired ? 'the access token has expired' : 'the access token is invalid');
      }
      const enrolmentOnly = claims.scope === ENROLMENT_SCOPE;
      if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || typeof claims.username !== 'string'
        || typeof claims.role !== 'string' || (claims.scope !== undefined && !enrolmentOnly)) {
        throw Errors.Unauthenticated('the access token is invalid');
      }
      if (enrolmentOnly && !options.allowEnrolment) {
        throw Errors.Unauthenticated('this token is only good for setting up two-factor authentication');
      }
      const principal = { userId: claims.sub, username: claims.username, role: claims.role as Role, expiresAt: claims.exp * 1000 };
      return enrolmentOnly ? { ...principal, enrolmentOnly } : principal;
    },
  };
}
