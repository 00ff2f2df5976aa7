/**
 * The daily email digest: each owner of open alerts gets one message listing the alerts new on the as-of date
 * (first seen that day) and the others still open (acknowledged ones included), critical first. The addresses are
 * those of the active users with the owner's handle. Sent through the installation's SMTP server (ARFLOW_SMTP_URL,
 * src/modules/statements/mail.ts); every digest sent is audited.
 */
import type { LocalDate } from '../../domain/dates.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { companyMail } from '../mail/index.ts';
import { createTransport, type MailSettings } from '../statements/mail.ts';
import { tenantToday } from '../tenants/index.ts';
import { listAlerts, MAX_PAGE, type PresentedAlert } from './index.ts';

/** Most alerts one digest lists; it says how many more there are. */
export const DIGEST_MAX_ALERTS = MAX_PAGE;

export interface Digest {
  owner: string;
  to: string[];
  subject: string;
  text: string;
  newCount: number;
  openCount: number;
}

const SEVERITY_MARK = { critical: '[CRITICAL]', warning: '[warning]', info: '[info]' } as const;

function line(a: PresentedAlert): string {
  return `${SEVERITY_MARK[a.severity]} ${a.customer} ${a.customerName}: ${a.message} (since ${a.firstSeenOn}${a.status === 'acknowledged' ? `, acknowledged by ${a.acknowledgedBy}` : ''})`;
}

/** The digests due at `asOf`: one per owner with active alerts and an email address. Pure reads. */
export async function composeDigests(ctx: Context, asOf: LocalDate): Promise<Digest[]> {
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const system: Context = { ...ctx, principal: undefined };
    const owners = await sql.query<{ owner: string; emails: string[] }>(
      `SELECT a.owner, array_agg(DISTINCT u.email ORDER BY u.email) AS emails
         FROM (SELECT DISTINCT owner FROM alerts WHERE tenant_id = $1 AND status IN ('open', 'acknowledged') AND owner IS NOT NULL) a
         JOIN users u ON u.tenant_id = $1 AND u.handle = a.owner AND u.status = 'active'
        GROUP BY a.owner ORDER BY a.owner`, [ctx.tenant.id]);
    const digests: Digest[] = [];
    for (const o of owners) {
      const page = await listAlerts(system, sql, { status: 'active', owner: o.owner, limit: DIGEST_MAX_ALERTS });
      const fresh = page.rows.filter((a) => a.firstSeenOn === asOf);
      const older = page.rows.filter((a) => a.firstSeenOn !== asOf);
      const text = [
        `Early-warning alerts for ${o.owner} at ${ctx.tenant.name}, as of ${asOf}: ${fresh.length} new, ${page.total} open in all.`,
        '',
        `New (${fresh.length}):`, ...(fresh.length ? fresh.map(line) : ['  none']),
        '',
        `Still open (${older.length}${page.total > page.rows.length ? ` of ${page.total - fresh.length}; the rest in the inbox` : ''}):`, ...(older.length ? older.map(line) : ['  none']),
        '',
        'Open the alerts inbox in arflow to acknowledge or resolve them.',
      ].join('\n');
      digests.push({ owner: o.owner, to: o.emails, subject: `arflow alerts ${asOf}: ${fresh.length} new, ${page.total} open`, text, newCount: fresh.length, openCount: page.total });
    }
    return digests;
  });
}

/** Composes and sends the digests at `asOf` (default today); returns what was sent. */
export async function sendDigests(ctx: Context, asOf?: LocalDate, given?: MailSettings): Promise<(Digest & { messageId: string })[]> {
  const date = asOf ?? tenantToday(ctx.tenant, ctx.clock);
  const digests = await composeDigests(ctx, date);
  const sent: (Digest & { messageId: string })[] = [];
  const settings = given ?? await companyMail(ctx);
  const transport = createTransport(settings);
  try {
    for (const d of digests) {
      const info = await transport.sendMail({ from: settings.from, ...(settings.replyTo ? { replyTo: settings.replyTo } : {}), to: d.to.join(', '), subject: d.subject, text: d.text });
      sent.push({ ...d, messageId: info.messageId });
      await ctx.db.tenant(ctx.tenant.id, (sql) => appendAudit(sql, ctx.tenant.id, {
        actor: ctx.actor, action: 'alerts.digest', entityType: 'alert_digest', entityId: d.owner, after: { asOf: date, to: d.to, new: d.newCount, open: d.openCount, messageId: info.messageId },
      }));
    }
  } finally {
    transport.close();
  }
  return sent;
}
