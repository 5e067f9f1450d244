import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import { AccountService, normaliseUsername, toPublicUser } from '../auth/accounts.js';
import { TwoFactorService } from '../auth/two-factor.js';
import { countRecoveryCodes } from '../auth/recovery-codes.js';
import {
  AUTH_BODY_LIMIT, ChangePasswordBody, ConfirmTotpBody, LoginBody, PublicUserSchema, ReauthBody, RecoveryCodesSchema, RefreshBody,
  RegisterBody, SessionTokensSchema, TotpDisabledSchema, TotpSetupSchema,
} from '../auth/schemas.js';
import { Errors, isHoloMeshError } from '../errors.js';
import { LoginLimiter, type LoginClient } from '../auth/login-limiter.js';
import { hashRefreshToken } from '../auth/refresh-tokens.js';
import { principalOf } from './auth-plugin.js';

// Failures that count against an account's limit (a wrong password or code); anything else does not.
const COUNTED_FAILURES = new Set(['HM_ERR_AUTH_INVALID_CREDENTIALS', 'HM_ERR_AUTH_TOTP_INVALID']);

/**
 * `/v1/auth`: register, login (password + TOTP), refresh (rotating), logout, and TOTP enrolment.
 * Bodies are never logged (fastify logs no bodies; errors log code and message only).
 */
export const authRoutes = fp(async (app: FastifyInstance) => {
  const { auth } = app.config;
  const accounts = new AccountService({
    dataSource: app.db.dataSource,
    sessionStore: app.sessionStore,
    tokens: app.tokens,
    refreshTtlS: auth.refreshTtlS,
    sessionMaxAgeS: auth.sessionMaxAgeS,
    require2faRoles: auth.require2faRoles,
  });
  // A policy change (REQUIRE_2FA_ROLES) ends the sessions it no longer allows, now.
  await accounts.enforcePolicy();
  const twoFactor = new TwoFactorService(app.db.dataSource);

  /** Per client IP, on every route that checks a secret or creates an account. */
  const ipLimit = { rateLimit: { max: auth.ipLimit.max, timeWindow: auth.ipLimit.windowS * 1000 } };
  const limiter = new LoginLimiter(app.sessionStore, auth.loginLimits);
  /** Runs a password or code check under the login limits of the account it is against. */
  function guardAccount<T>(request: FastifyRequest, reply: FastifyReply, attempt: () => Promise<T>): Promise<T> {
    const account = accountOf(request);
    return limiter.guard(account, clientOf(request, account), attempt,
      (err) => isHoloMeshError(err) && COUNTED_FAILURES.has(err.code),
      (retryS) => { reply.header('retry-after', retryS); });
  }
  /** A known device of the account (its device token), else the client's address. */
  function clientOf(request: FastifyRequest, account: string): LoginClient {
    if (request.principal) return { id: `ip:${request.ip}`, trusted: true };
    const { deviceToken } = request.body as { deviceToken?: string };
    const device = deviceToken ? app.tokens.verifyDeviceToken(deviceToken) : null;
    if (deviceToken && device && device.username === account) return { id: `device:${hashRefreshToken(deviceToken)}`, trusted: true };
    return { id: `ip:${request.ip}`, trusted: false };
  }

  app.post<{ Body: RegisterBody }>('/v1/auth/register', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: ipLimit,
    schema: { body: RegisterBody, response: { 201: Type.Object({ user: PublicUserSchema }) } },
  }, async (request, reply) => {
    const user = await accounts.register(request.body);
    return reply.status(201).send({ user });
  });

  app.post<{ Body: LoginBody }>('/v1/auth/login', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: ipLimit,
    schema: { body: LoginBody, response: { 200: SessionTokensSchema } },
  }, async (request, reply) => {
    const { username, password, totp } = request.body;
    const user = await guardAccount(request, reply, () => accounts.authenticate(username, password, totp));
    const session = await accounts.startSession(user);
    return { ...session, deviceToken: app.tokens.issueDeviceToken({ userId: user.id, username: user.username, role: user.role }) };
  });

  app.post<{ Body: RefreshBody }>('/v1/auth/refresh', {
    bodyLimit: AUTH_BODY_LIMIT,
    schema: { body: RefreshBody, response: { 200: SessionTokensSchema } },
  }, async (request) => accounts.refresh(request.body.refreshToken));

  app.post<{ Body: RefreshBody }>('/v1/auth/logout', {
    bodyLimit: AUTH_BODY_LIMIT,
    schema: { body: RefreshBody },
  }, async (request, reply) => {
    await accounts.logout(request.body.refreshToken);
    return reply.status(204).send();
  });

  app.post<{ Body: ChangePasswordBody }>('/v1/auth/password', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: ipLimit,
    preHandler: app.requireAuth,
    schema: { body: ChangePasswordBody, response: { 200: SessionTokensSchema } },
  }, async (request, reply) => {
    const { currentPassword, newPassword, totp } = request.body;
    return guardAccount(request, reply, () => accounts.changePassword(principalOf(request).userId, currentPassword, newPassword, totp));
  });

  // Signs out every session of the caller (a lost device): their refresh tokens stop working.
  app.post('/v1/auth/logout-all', { preHandler: app.requireAuth }, async (request, reply) => {
    await accounts.refreshTokens.revokeAllFor(principalOf(request).userId);
    return reply.status(204).send();
  });

  // Signs out every other session of the caller (this one, named by its refresh token, stays).
  app.post<{ Body: RefreshBody }>('/v1/auth/logout-others', {
    bodyLimit: AUTH_BODY_LIMIT,
    preHandler: app.requireAuth,
    schema: { body: RefreshBody },
  }, async (request, reply) => {
    await accounts.refreshTokens.revokeOthers(principalOf(request).userId, request.body.refreshToken);
    return reply.status(204).send();
  });

  app.get('/v1/auth/me', {
    preHandler: app.requireAuth,
    schema: { response: { 200: Type.Object({ user: PublicUserSchema, recoveryCodesLeft: Type.Integer() }) } },
  }, async (request) => {
    const user = await accounts.findUser(principalOf(request).userId);
    const recoveryCodesLeft = user.totpEnabled ? await countRecoveryCodes(app.db.dataSource.manager, user.id) : 0;
    return { user: toPublicUser(user), recoveryCodesLeft };
  });

  // Setup and confirm accept the enrolment token a REQUIRE_2FA_ROLES login hands out (issued
  // right after a password check); with an access token, setup needs the password again, so a
  // stolen access token cannot enrol a second factor and lock the owner out.
  app.post('/v1/auth/2fa/setup', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: { ...ipLimit, allowEnrolmentToken: true },
    preHandler: app.requirePermission('auth:manage-2fa'),
    // No body schema: an enrolment token's setup has no body at all.
    schema: { response: { 200: TotpSetupSchema } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (!principal.enrolmentOnly) {
      const password = (request.body as { password?: unknown } | undefined)?.password;
      if (typeof password !== 'string' || password.length === 0 || password.length > 256) throw Errors.BadRequest('send your password to set up two-factor authentication');
      await guardAccount(request, reply, () => accounts.reauthenticate(principal.userId, password, undefined, false));
    }
    return twoFactor.setup(principal.userId);
  });

  app.post<{ Body: ConfirmTotpBody }>('/v1/auth/2fa/confirm', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: { ...ipLimit, allowEnrolmentToken: true },
    preHandler: app.requirePermission('auth:manage-2fa'),
    schema: { body: ConfirmTotpBody, response: { 200: RecoveryCodesSchema } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const recoveryCodes = await guardAccount(request, reply, async () => {
      const codes = await twoFactor.confirm(principal.userId, request.body.code);
      if (!codes) throw Errors.TotpInvalid();
      return codes;
    });
    // An enrolment token has no sessions to end (its owner signs in next, with a code).
    const session = principal.enrolmentOnly ? null : await accounts.restartSessions(principal.userId);
    return { recoveryCodes, ...(session ? { session } : {}) };
  });

  // Turning 2FA off takes the password and the current factor (a TOTP or recovery code). To
  // replace a factor (a new phone), disable it and set it up again.
  app.post<{ Body: ReauthBody }>('/v1/auth/2fa/disable', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: ipLimit,
    preHandler: app.requirePermission('auth:manage-2fa'),
    schema: { body: ReauthBody, response: { 200: TotpDisabledSchema } },
  }, async (request, reply) => {
    const { userId } = principalOf(request);
    const user = await guardAccount(request, reply, () => accounts.reauthenticate(userId, request.body.password, request.body.code, true));
    if (!user.totpEnabled) throw Errors.TotpState('two-factor authentication is not enabled');
    // Sessions end first: should the change then fail, no old session outlives a factor removed.
    const session = await accounts.restartSessions(userId);
    await twoFactor.disable(userId);
    return { totpEnabled: false as const, ...(session ? { session } : {}) };
  });

  app.post<{ Body: ReauthBody }>('/v1/auth/2fa/recovery-codes', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: ipLimit,
    preHandler: app.requirePermission('auth:manage-2fa'),
    schema: { body: ReauthBody, response: { 200: RecoveryCodesSchema } },
  }, async (request, reply) => {
    const { userId } = principalOf(request);
    await guardAccount(request, reply, () => accounts.reauthenticate(userId, request.body.password, request.body.code, true));
    const session = await accounts.restartSessions(userId);
    const recoveryCodes = await twoFactor.regenerateRecoveryCodes(userId);
    return { recoveryCodes, ...(session ? { session } : {}) };
  });
}, { name: 'holomesh-auth-routes', fastify: '5.x', dependencies: ['holomesh-auth', 'holomesh-security'] });

/** The account an attempt is against: the signed-in user, else the username in the body (same key either way). */
function accountOf(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | undefined;
  const username = request.principal?.username ?? (typeof body?.username === 'string' ? body.username : '');
  return normaliseUsername(username);
}
