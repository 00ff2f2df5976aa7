/** The nav badge: open (unacknowledged) alerts in the user's scope. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';

export const ALERTS_KEY = 'alerts';

export function useOpenAlertCount(): number {
  const { can } = useSession();
  const enabled = can('alerts.read');
  const query = useQuery({
    queryKey: [ALERTS_KEY, 'count'],
    queryFn: () => api.get<{ open: number; mine: number }>('/alerts/count'),
    enabled,
    staleTime: 60_000,
    refetchInterval: 120_000,
  });
  return enabled && query.data ? query.data.open : 0;
}
