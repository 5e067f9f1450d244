import { Type, type Static } from '@sinclair/typebox';

/** Request and response shapes of the `/v1/auth` routes (validated by fastify, documented here). */

/** Letters, digits, `_ . -`; 3–32 characters, starting with a letter or digit (stored in lower case). */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$';
const Username = Type.String({ minLength: 3, maxLength: 32, pattern: USERNAME_PATTERN });
// scrypt needs no upper bound, but a megabyte of "password" is not one: cap what we hash.
const Password = Type.String({ minLength: 12, maxLength: 256 });
/** A 6-digit TOTP code or a recovery code (`xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`). */
const SecondFactorCode = Type.String({ minLength: 6, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$' });
const RefreshTokenString = Type.String({ minLength: 16, maxLength: 128 });

export const RegisterBody = Type.Object({
  username: Username,
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Password,
  role: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('designer')])),
  /** Required for designers: the name clients say; unique case-insensitively. */
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
}, { additionalProperties: false });
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  totp: Type.Optional(SecondFactorCode),
  /** The `deviceToken` an earlier login on this device returned. */
  deviceToken: Type.Optional(Type.String({ minLength: 16, maxLength: 1024 })),
}, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const ChangePasswordBody = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: Password,
  /** Required when the account has two-factor authentication. */
  totp: Type.Optional(SecondFactorCode),
}, { additionalProperties: false });
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const RefreshBody = Type.Object({ refreshToken: RefreshTokenString }, { additionalProperties: false });
export type RefreshBody = Static<typeof RefreshBody>;

export const ConfirmTotpBody = Type.Object({ code: Type.String({ pattern: '^\\s*\\d{6}\\s*$', maxLength: 16 }) }, { additionalProperties: false });
export type ConfirmTotpBody = Static<typeof ConfirmTotpBody>;

/** Password and current second factor (TOTP or a recovery code): disabling 2FA, new recovery codes. */
export const ReauthBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 256 }),
  code: SecondFactorCode,
}, { additionalProperties: false });
export type ReauthBody = Static<typeof ReauthBody>;

export const PublicUserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  email: Type.String(),
  role: Type.String(),
  totpEnabled: Type.Boolean(),
});

export const SessionTokensSchema = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
  user: PublicUserSchema,
  /** Login only: keep it and send it with later logins from this device (never slowed down). */
  deviceToken: Type.Optional(Type.String()),
});

export const TotpSetupSchema = Type.Object({ otpauthUri: Type.String(), secret: Type.String() });
export const RecoveryCodesSchema = Type.Object({
  recoveryCodes: Type.Array(Type.String()),
  /** Every other session was signed out: the caller's new one (absent for an enrolment token). */
  session: Type.Optional(SessionTokensSchema),
});
export const TotpDisabledSchema = Type.Object({
  totpEnabled: Type.Literal(false),
  /** Absent when the role must use 2FA (REQUIRE_2FA_ROLES): sign in again to set it up. */
  session: Type.Optional(SessionTokensSchema),
});

/** Auth bodies are small: anything larger is refused before it is parsed. */
export const AUTH_BODY_LIMIT = 4 * 1024;
