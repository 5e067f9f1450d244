import { createSecretKey } from 'node:crypto';
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
  /** Lifetime of new access tokens, seconds. */
  readonly accessTtlS: number;
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
    accessTtlS,
    verifyAccessToken(token, options = {}) {
      try {
        const claims = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE }) as jwt.JwtPayload;
        if (typeof claims.sub !== 'string' || typeof claims.username !== 'string' || typeof claims.role !== 'string') {
          throw new Error('malformed claims');
        }
        const enrolmentOnly = claims.scope === ENROLMENT_SCOPE;
        if (claims.scope !== undefined && !enrolmentOnly) throw new Error('unknown scope');
        if (enrolmentOnly && !options.allowEnrolment) {
          throw Errors.Unauthenticated('this token is only good for setting up two-factor authentication');
        }
        const principal = { userId: claims.sub, username: claims.username, role: claims.role as Role, expiresAt: (claims.exp ?? 0) * 1000 };
        return enrolmentOnly ? { ...principal, enrolmentOnly } : principal;
      } catch (err) {
        if (isHoloMeshError(err)) throw err;
        const expired = err instanceof jwt.TokenExpiredError;
        throw Errors.Unauthenticated(expired ? 'the access token has expired' : 'the access token is invalid');
      }
    },
  };
}
