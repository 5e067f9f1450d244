import jwt from 'jsonwebtoken';
import type { Role } from '../db/entities/index.js';
import { Errors } from '../errors.js';

const ISSUER = 'holomesh';
const AUDIENCE = 'holomesh-api';
// Pinned: tokens in any other algorithm (including `none`) are rejected, whatever their header says.
const ALGORITHM = 'HS256' as const;

/** Who is calling, as proven by an access token. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
}

/** A principal read from a verified token, with the token's expiry (ms since the epoch). */
export interface VerifiedPrincipal extends Principal {
  readonly expiresAt: number;
}

export interface TokenService {
  issueAccessToken(principal: Principal): string;
  /** @throws HM_ERR_AUTH_REQUIRED for a missing, expired, forged or foreign token. */
  verifyAccessToken(token: string): VerifiedPrincipal;
}

export function createTokenService(secret: string, accessTtlS: number): TokenService {
  return {
    issueAccessToken(principal) {
      return jwt.sign({ username: principal.username, role: principal.role }, secret, {
        algorithm: ALGORITHM, subject: principal.userId, issuer: ISSUER, audience: AUDIENCE, expiresIn: accessTtlS,
      });
    },
    verifyAccessToken(token) {
      try {
        const claims = jwt.verify(token, secret, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE }) as jwt.JwtPayload;
        if (typeof claims.sub !== 'string' || typeof claims.username !== 'string' || typeof claims.role !== 'string') {
          throw new Error('malformed claims');
        }
        return { userId: claims.sub, username: claims.username, role: claims.role as Role, expiresAt: (claims.exp ?? 0) * 1000 };
      } catch (err) {
        const expired = err instanceof jwt.TokenExpiredError;
        throw Errors.Unauthenticated(expired ? 'the access token has expired' : 'the access token is invalid');
      }
    },
  };
}
