import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type, type Static } from '@sinclair/typebox';
import { User } from '../db/entities/index.js';
import { deviceChannel } from '../auth/device-credentials.js';
import { verifyPassword } from '../auth/passwords.js';
import { LoginLimiter } from '../auth/login-limiter.js';
import { AUTH_BODY_LIMIT } from '../auth/schemas.js';
import { Errors, isHoloMeshError } from '../errors.js';
import { principalOf } from './auth-plugin.js';

export const DeviceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const CreateDeviceBody = Type.Object({
  /** What the owner calls it: "kitchen", "Alex's headset". Unique per account. */
  name: Type.String({ minLength: 1, maxLength: 64 }),
  /** The account's password: a stolen access token must not mint a credential that never expires. */
  password: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });
export type CreateDeviceBody = Static<typeof CreateDeviceBody>;

const DeviceParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/**
 * `/v1/devices`: the caller's device credentials — list (with last use), create (the token is in
 * this one answer only) and revoke (at once, on every instance). Needs an access token: a device
 * credential cannot manage devices.
 */
export const deviceRoutes = fp(async (app: FastifyInstance) => {
  const { auth } = app.config;
  const limiter = new LoginLimiter(app.sessionStore, auth.loginLimits);
  const ipLimit = { rateLimit: { max: auth.ipLimit.max, timeWindow: auth.ipLimit.windowS * 1000 } };

  app.get('/v1/devices', {
    preHandler: app.requireAuth,
    schema: { response: { 200: Type.Object({ devices: Type.Array(DeviceSchema) }) } },
  }, async (request) => ({ devices: await app.deviceCredentials.list(principalOf(request).userId) }));

  app.post<{ Body: CreateDeviceBody }>('/v1/devices', {
    bodyLimit: AUTH_BODY_LIMIT,
    config: ipLimit,
    preHandler: app.requireAuth,
    schema: { body: CreateDeviceBody, response: { 201: Type.Object({ device: DeviceSchema, token: Type.String() }) } },
  }, async (request, reply) => {
    const { userId, username } = principalOf(request);
    // The password check counts against the account's login limits, like every other one.
    await limiter.guard(username, { id: `ip:${request.ip}`, trusted: true }, async () => {
      const user = await app.db.dataSource.manager.findOneBy(User, { id: userId });
      if (!user || !(await verifyPassword(request.body.password, user.passwordHash))) throw Errors.InvalidCredentials();
    }, (err) => isHoloMeshError(err) && err.code === Errors.InvalidCredentials.code, (retryS) => { reply.header('retry-after', retryS); });
    const created = await app.deviceCredentials.create(userId, request.body.name);
    return reply.status(201).send(created);
  });

  app.delete<{ Params: Static<typeof DeviceParams> }>('/v1/devices/:id', {
    preHandler: app.requireAuth,
    schema: { params: DeviceParams },
  }, async (request, reply) => {
    const { id } = request.params;
    if (!(await app.deviceCredentials.revoke(principalOf(request).userId, id))) throw Errors.NotFound('device');
    // Open voice sessions of the device close now, on whichever instance holds them.
    await app.pubsub.publish(deviceChannel(id), { revoked: true }).catch((err: unknown) => request.log.warn({ err }, 'device revocation not announced'));
    return reply.status(204).send();
  });
}, { name: 'holomesh-device-routes', fastify: '5.x', dependencies: ['holomesh-auth', 'holomesh-security'] });
