/** Small pieces every screen uses: error banners, amounts, page titles, cursor paging, access guards. */
import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Result, Space, Typography } from 'antd';
import { LeftOutlined, RightOutlined, VerticalRightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';
import { errorMessage } from './errors.ts';
import { formatAmount, isNegative } from './format.ts';

/** A failed load or action, in the user's language, with a retry where it makes sense. */
export function ErrorAlert({ error, onRetry, ns }: { error: unknown; onRetry?: () => void; ns?: string }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={errorMessage(t, error, ns)}
      action={onRetry ? <Button size="small" onClick={onRetry}>{t('actions.retry')}</Button> : undefined}
    />
  );
}

/** An amount in its currency, formatted for the current language; negative amounts in red. */
export function Amount({ value, currency, strong }: { value: string | null | undefined; currency: string; strong?: boolean }) {
  const { i18n } = useTranslation();
  if (value === null || value === undefined) return <span>—</span>;
  const text = formatAmount(value, currency, i18n.language);
  return (
    <Typography.Text className="amount" type={isNegative(value) ? 'danger' : undefined} strong={strong}>
      {text}
    </Typography.Text>
  );
}

/** The page's heading, also the browser tab's title. */
export function PageTitle({ title, extra }: { title: string; extra?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · arflow`;
  }, [title]);
  return (
    <div className="page-title">
      <Typography.Title level={3} style={{ margin: 0 }}>{title}</Typography.Title>
      {extra ? <Space wrap>{extra}</Space> : null}
    </div>
  );
}

/**
 * Cursor paging for the API's lists: remembers the cursors of the pages before, so Previous works, and starts
 * over whenever `resetKey` (the filters) changes.
 */
export function useCursorPaging(resetKey: string) {
  const [state, setState] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: resetKey, cursors: [undefined] });
  const cursors = state.key === resetKey ? state.cursors : [undefined];
  if (state.key !== resetKey) setState({ key: resetKey, cursors: [undefined] });
  const page = cursors.length;
  return {
    cursor: cursors[cursors.length - 1],
    page,
    next: (nextCursor: string) => setState({ key: resetKey, cursors: [...cursors, nextCursor] }),
    previous: () => setState({ key: resetKey, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors }),
    first: () => setState({ key: resetKey, cursors: [undefined] }),
  };
}

export function CursorPager({ paging, nextCursor, loading }: { paging: ReturnType<typeof useCursorPaging>; nextCursor: string | null | undefined; loading?: boolean }) {
  const { t } = useTranslation();
  return (
    <Space className="pager" aria-label={t('states.pageOf', { page: paging.page })}>
      <Button icon={<VerticalRightOutlined />} disabled={paging.page <= 1 || loading} onClick={paging.first} aria-label={t('actions.first')} />
      <Button icon={<LeftOutlined />} disabled={paging.page <= 1 || loading} onClick={paging.previous}>{t('actions.previous')}</Button>
      <Typography.Text>{t('states.pageOf', { page: paging.page })}</Typography.Text>
      <Button disabled={!nextCursor || loading} onClick={() => nextCursor && paging.next(nextCursor)}>
        {t('actions.next')} <RightOutlined />
      </Button>
    </Space>
  );
}

/** Shows its children only to a role with `permission`; others get a "no access" page (the API refuses them too). */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { can, session } = useSession();
  const { t } = useTranslation();
  if (can(permission)) return <>{children}</>;
  return (
    <Result
      status="403"
      title={t('forbidden.title')}
      subTitle={t('forbidden.text', { role: t(`roles.${session?.user.role ?? 'viewer'}`) })}
      extra={<Link to="/">{t('forbidden.home')}</Link>}
    />
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return <Result status="404" title={t('notFound.title')} subTitle={t('notFound.text')} extra={<Link to="/">{t('forbidden.home')}</Link>} />;
}
