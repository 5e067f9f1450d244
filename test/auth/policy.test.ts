import { describe, expect, it } from 'vitest';
import { can, POLICY, rolesFor } from '../../src/auth/policy.js';
import { ROLES } from '../../src/db/entities/index.js';

const as = (role: (typeof ROLES)[number]) => ({ role });

describe('authorisation policy', () => {
  it('maps actions to roles', () => {
    expect(can(as('designer'), 'command:SalesSummary')).toBe(true);
    expect(can(as('client'), 'command:SalesSummary')).toBe(false);
    expect(can(as('admin'), 'history:read-any')).toBe(true);
    expect(can(as('client'), 'history:read-any')).toBe(false);
    expect(can(as('client'), 'history:read-own')).toBe(true);
    expect(can(as('designer'), 'chip:publish')).toBe(true);
    expect(can(as('client'), 'chip:publish')).toBe(false);
  });

  it('opens unlisted commands to every role, denies unknown actions and anonymous callers', () => {
    for (const role of ROLES) expect(can(as(role), 'command:CheckBalance')).toBe(true);
    expect(rolesFor('no-such:action' as never)).toEqual([]);
    expect(can(as('admin'), 'no-such:action' as never)).toBe(false);
    expect(can(null, 'command:CheckBalance')).toBe(false);
  });

  it('an enrolment-only principal may only manage its 2FA', () => {
    const enrolling = { role: 'designer' as const, enrolmentOnly: true };
    expect(can(enrolling, 'auth:manage-2fa')).toBe(true);
    expect(can(enrolling, 'command:CheckBalance')).toBe(false);
    expect(can(enrolling, 'chip:publish')).toBe(false);
  });

  it('only names real roles', () => {
    for (const roles of Object.values(POLICY)) for (const role of roles) expect(ROLES).toContain(role);
  });
});
