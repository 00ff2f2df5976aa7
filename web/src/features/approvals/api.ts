/** The approvals inbox as the API answers it (GET /api/v1/approvals), and the count of requests waiting for the user. */
import { useQuery } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';

/** What a request is about, as facts to word in the page's language (amounts are decimal strings). */
export type ApprovalSubject =
  | { kind: 'reversal'; document: { id: string; kind: string; number: string; amount: string; currency: string }; customer: { code: string; name: string }; reason: string }
  | { kind: 'write_off'; customer: { code: string; name: string }; amount: string; currency: string; documents: string[]; reason: string | null }
  | {
    kind: 'credit'; customer: { code: string; name: string; currency: string };
    creditLimit: { now: string | null; requested: string } | null; terms: { now: string | null; requested: string | null } | null;
  };

export interface Approval {
  id: string;
  action: 'document.reverse' | 'write_off.post' | 'customer.credit';
  permission: string;
  summary: string;
  requestedBy: string;
  /** The requester's name when they are a user (not an API token). */
  requestedByName: string | null;
  requestedAt: string;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled';
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  subject: ApprovalSubject | null;
}

export type ApprovalPage = Page<Approval>;

/** Every approvals query starts with this key: a decision invalidates them all (lists and the badge). */
export const APPROVALS_KEY = 'approvals';

/**
 * How many pending requests of others the signed-in user may decide (their role holds the action's permission):
 * the navigation's badge. One page of up to 200 is enough to count; more shows as "200+".
 */
export function useApprovalsToDecide(): { count: number; more: boolean } {
  const { can } = useSession();
  const enabled = can('approvals.decide');
  const query = useQuery({
    queryKey: [APPROVALS_KEY, 'to-decide-count'],
    queryFn: () => api.get<ApprovalPage>('/approvals', { status: 'pending', requester: 'others', limit: 200 }),
    enabled,
    staleTime: 60_000,
    refetchInterval: 120_000,
  });
  if (!enabled || !query.data) return { count: 0, more: false };
  return { count: query.data.items.filter((a) => can(a.permission)).length, more: query.data.nextCursor !== null };
}
