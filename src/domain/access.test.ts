import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES, can, isRole, mayApprove, type Permission } from './access.ts';

describe('roles and permissions', () => {
  it('gives the administrator every permission and the viewer only the five reads', () => {
    expect(ROLE_PERMISSIONS.admin).toHaveLength(Object.keys(PERMISSIONS).length);
    expect([...ROLE_PERMISSIONS.viewer].sort()).toEqual(['company.read', 'customers.read', 'documents.read', 'fx.read', 'terms.read']);
  });

  it('lets an auditor read and verify the audit trail but change nothing', () => {
    expect(can('auditor', 'audit.read')).toBe(true);
    expect(can('auditor', 'audit.verify')).toBe(true);
    const writes: Permission[] = ['customers.write', 'documents.post', 'documents.reverse', 'write_offs.post', 'imports.run', 'users.manage', 'approvals.decide'];
    expect(writes.filter((p) => can('auditor', p))).toEqual([]);
  });

  it('keeps users and company settings from the finance manager, who does everything else in the ledger', () => {
    expect(can('finance_manager', 'users.manage')).toBe(false);
    expect(can('finance_manager', 'company.manage')).toBe(false);
    expect(can('finance_manager', 'documents.reverse')).toBe(true);
    expect(can('finance_manager', 'write_offs.post')).toBe(true);
  });

  it('lets collectors and sales read and raise disputes, not post or see the audit trail', () => {
    for (const role of ['collector', 'sales'] as const) {
      expect(can(role, 'customers.read')).toBe(true);
      expect(can(role, 'disputes.raise')).toBe(true);
      expect(can(role, 'documents.post')).toBe(false);
      expect(can(role, 'audit.read')).toBe(false);
    }
  });

  it('names only known permissions in every role', () => {
    for (const role of ROLES) for (const p of ROLE_PERMISSIONS[role]) expect(Object.keys(PERMISSIONS)).toContain(p);
    expect(isRole('auditor')).toBe(true);
    expect(isRole('root')).toBe(false);
  });
});

describe('segregation of duties', () => {
  const requestedBy = 'user-a';
  it('never lets the requester approve their own request, even as administrator', () => {
    expect(mayApprove({ id: 'user-a', role: 'admin' }, { requestedBy, permission: 'write_offs.post' })).toBe(false);
    expect(mayApprove({ id: 'user-b', role: 'admin' }, { requestedBy, permission: 'write_offs.post' })).toBe(true);
  });

  it('lets a credit manager approve a credit-limit change but not a write-off', () => {
    expect(mayApprove({ id: 'user-b', role: 'credit_manager' }, { requestedBy, permission: 'customers.credit' })).toBe(true);
    expect(mayApprove({ id: 'user-b', role: 'credit_manager' }, { requestedBy, permission: 'write_offs.post' })).toBe(false);
  });

  it('does not let a collector or an auditor approve anything', () => {
    expect(mayApprove({ id: 'user-b', role: 'collector' }, { requestedBy, permission: 'customers.credit' })).toBe(false);
    expect(mayApprove({ id: 'user-b', role: 'auditor' }, { requestedBy, permission: 'documents.reverse' })).toBe(false);
  });
});
