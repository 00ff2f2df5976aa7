/**
 * Who is signed in: the answer of GET /api/v1/session (user, company, permissions, CSRF token), shared by every
 * screen. Screens ask `can(permission)` to show or hide what the API would refuse anyway.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from '../api/client.ts';

export type Role = 'admin' | 'finance_manager' | 'credit_manager' | 'collector' | 'sales' | 'auditor' | 'viewer';

export interface Session {
  user: { id: string | null; email: string; name: string | null; role: Role; handle: string | null; mustChangePassword: boolean };
  company: { code: string; name: string; currency: string; timeZone: string; locale: string };
  permissions: string[];
  csrfToken: string | null;
  via: string;
}

interface SessionState {
  session: Session | null;
  loading: boolean;
  /** Loading the session failed for another reason than being signed out (the server is unreachable, say). */
  error: unknown;
  can(permission: string): boolean;
  signIn(email: string, password: string): Promise<Session>;
  signOut(everywhere?: boolean): Promise<void>;
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);
const KEY = ['session'];

async function loadSession(): Promise<Session | null> {
  try {
    return await api.get<Session>('/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Another user's cached answers must not show: drop everything but the session query (which stays observed). */
function forgetOtherQueries(client: QueryClient): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== KEY[0] });
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: KEY, queryFn: loadSession, staleTime: 5 * 60_000, retry: false });
  const session = query.data ?? null;
  setCsrfToken(session?.csrfToken ?? null);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      client.setQueryData(KEY, null);
    });
    return () => setUnauthenticatedHandler(null);
  }, [client]);

  const signIn = useCallback(async (email: string, password: string) => {
    const signedIn = await api.post<Session>('/session', { email, password });
    setCsrfToken(signedIn.csrfToken);
    forgetOtherQueries(client);
    client.setQueryData(KEY, signedIn);
    return signedIn;
  }, [client]);

  const signOut = useCallback(async (everywhere = false) => {
    try {
      await (everywhere ? api.post('/session/sign-out-everywhere') : api.delete('/session'));
    } finally {
      setCsrfToken(null);
      forgetOtherQueries(client);
      client.setQueryData(KEY, null);
    }
  }, [client]);

  const refresh = useCallback(async () => {
    await client.invalidateQueries({ queryKey: KEY });
  }, [client]);

  const value = useMemo<SessionState>(() => ({
    session,
    loading: query.isPending,
    error: query.error,
    can: (permission) => session?.permissions.includes(permission) ?? false,
    signIn,
    signOut,
    refresh,
  }), [session, query.isPending, query.error, signIn, signOut, refresh]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in session (screens behind sign-in only). */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedIn outside the signed-in app');
  return session;
}
