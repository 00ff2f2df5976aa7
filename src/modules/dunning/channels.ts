/**
 * Dunning's channels: email over SMTP (nodemailer; the company's mail server, else the installation's ARFLOW_SMTP_URL,
 * like statements), SMS through a
 * provider interface with a generic HTTP adapter (ARFLOW_SMS_URL, optional ARFLOW_SMS_TOKEN), and letters as PDF
 * (pdfkit with the statements' embedded Noto Sans SC, so Chinese prints anywhere).
 *
 * Every send carries the outbox message's id: email as its Message-ID, SMS as the Idempotency-Key header. A message
 * re-sent after a crash between sending and recording is the same message to the receiver (see ./sender.ts).
 */
import nodemailer from 'nodemailer';
import type { LocalDate } from '../../domain/dates.ts';
import { drawTable, finish, header, keyValues, newDocument } from '../statements/render.ts';
import { createTransport, type MailSettings } from '../statements/mail.ts';

export interface OutgoingMessage {
  /** The outbox id: the idempotency key of the send. */
  id: string;
  to: string;
  subject: string;
  text: string;
  attachment?: { filename: string; content: Buffer; contentType: string };
}

export interface EmailChannel {
  /** Sends one email; returns the Message-ID. */
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
}

export interface SmsProvider {
  /** Sends one SMS; returns the provider's id. Must treat a repeated `id` as the same message. */
  send(message: { id: string; to: string; text: string }): Promise<{ providerId: string }>;
}

/** The stable Message-ID of an outbox message. */
export const messageIdOf = (id: string) => `<dunning-${id}@arflow>`;

/** Email through nodemailer: an SMTP URL, or any nodemailer transport (tests use the JSON transport). */
export function smtpChannel(settings: MailSettings, transportOptions?: Parameters<typeof nodemailer.createTransport>[0]): EmailChannel {
  return {
    async send(message) {
      const transport = transportOptions ? nodemailer.createTransport(transportOptions) : createTransport(settings);
      try {
        const info = await transport.sendMail({
          from: settings.from, ...(settings.replyTo ? { replyTo: settings.replyTo } : {}), to: message.to, subject: message.subject, text: message.text, messageId: messageIdOf(message.id),
          ...(message.attachment ? { attachments: [message.attachment] } : {}),
        });
        return { messageId: info.messageId ?? messageIdOf(message.id) };
      } finally {
        transport.close();
      }
    },
  };
}

/**
 * A generic HTTP SMS adapter: POST {to, text, reference} as JSON to `url`, with `Idempotency-Key: <outbox id>` and an
 * optional bearer token; a 2xx answer with a JSON `id` (or `messageId`) is the provider's id. Anything else fails
 * with the status and the start of the answer.
 */
export function httpSmsProvider(url: string, token?: string, fetchImpl: typeof fetch = fetch): SmsProvider {
  return {
    async send(message) {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': message.id, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ to: message.to, text: message.text, reference: message.id }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`SMS provider answered ${response.status}: ${text.slice(0, 200)}`);
      let id: string | undefined;
      try {
        const body = JSON.parse(text) as { id?: unknown; messageId?: unknown };
        id = typeof body.id === 'string' ? body.id : typeof body.messageId === 'string' ? body.messageId : undefined;
      } catch { /* a provider answering plain text: no id */ }
      return { providerId: id ?? message.id };
    },
  };
}

/** The SMS provider from the environment, or null when none is set. */
export function smsProviderFromEnv(env: NodeJS.ProcessEnv = process.env): SmsProvider | null {
  const url = env.ARFLOW_SMS_URL?.trim();
  return url ? httpSmsProvider(url, env.ARFLOW_SMS_TOKEN?.trim() || undefined) : null;
}

export interface LetterPrint {
  language: string;
  company: { name: string; address: string | null };
  customer: { code: string; name: string; address?: string | null };
  reference: string;
  asOf: LocalDate;
  title: string;
  body: string;
  items: { document: string; installment: number; dueDate: LocalDate; daysOverdue: number; currency: string; open: string; interest: string }[];
  totals: { currency: string; open: string; interest: string; fee: string; total: string }[];
}

const LETTER_LABELS = {
  'zh-CN': { customer: '客户', address: '地址', reference: '编号', date: '日期', document: '单据', installment: '期', due: '到期日', days: '逾期天数', currency: '币种', open: '未付金额', interest: '滞纳利息', fee: '费用', total: '合计', page: (n: number, of: number) => `第 ${n} 页，共 ${of} 页` },
  en: { customer: 'Customer', address: 'Address', reference: 'Reference', date: 'Date', document: 'Document', installment: 'Inst.', due: 'Due date', days: 'Days overdue', currency: 'Currency', open: 'Open', interest: 'Interest', fee: 'Fee', total: 'Total', page: (n: number, of: number) => `Page ${n} of ${of}` },
} as const;

/** A reminder letter, final notice or lawyer's letter as PDF: letterhead, date, reference, the text, items, fees, interest, total. */
export async function letterPdf(letter: LetterPrint): Promise<Buffer> {
  const l = letter.language === 'en' ? LETTER_LABELS.en : LETTER_LABELS['zh-CN'];
  const doc = newDocument(`${letter.title} ${letter.reference}`);
  header(doc, letter.company, letter.title);
  keyValues(doc, [
    [l.customer, `${letter.customer.name} (${letter.customer.code})`],
    ...(letter.customer.address ? [[l.address, letter.customer.address] as [string, string]] : []),
    [l.reference, letter.reference], [l.date, letter.asOf],
  ]);
  doc.font('regular').fontSize(10).fillColor('black').text(letter.body, { align: 'left' }).moveDown(0.8);
  drawTable(doc, [
    { title: l.document, width: 110, align: 'left' }, { title: l.installment, width: 30, align: 'right' }, { title: l.due, width: 70, align: 'left' },
    { title: l.days, width: 60, align: 'right' }, { title: l.currency, width: 45, align: 'left' }, { title: l.open, width: 100, align: 'right' }, { title: l.interest, width: 100, align: 'right' },
  ], letter.items.map((i) => ({ cells: [i.document, String(i.installment), i.dueDate, String(i.daysOverdue), i.currency, i.open, i.interest] })));
  drawTable(doc, [
    { title: l.currency, width: 55, align: 'left' }, { title: l.open, width: 115, align: 'right' }, { title: l.interest, width: 110, align: 'right' },
    { title: l.fee, width: 110, align: 'right' }, { title: l.total, width: 125, align: 'right' },
  ], letter.totals.map((t) => ({ cells: [t.currency, t.open, t.interest, t.fee, t.total], bold: true })));
  return finish(doc, l.page);
}
