/**
 * Email out. The installation's SMTP server comes from the environment: ARFLOW_SMTP_URL is a nodemailer connection
 * URL (smtp://user:pass@host:587, smtps://… for TLS from the start); ARFLOW_MAIL_FROM the sender
 * ("应收账款 <ar@example.com>"). A company may have its own server instead (src/modules/mail): callers that send for
 * a company ask `mailSettingsFor` there, which falls back to these.
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export interface MailSettings {
  /** A connection URL (the installation's) or nodemailer's SMTP options (a company's). */
  transport: string | SMTPTransport.Options;
  from: string;
  replyTo?: string | null;
  /** Whose server: the company's own or the installation's. */
  source?: 'company' | 'server';
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  attachment: { filename: string; content: Buffer; contentType: string };
}

/** The settings from the environment, or null when none are set. */
export function mailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings | null {
  const url = env.ARFLOW_SMTP_URL?.trim();
  if (!url) return null;
  return { transport: url, from: env.ARFLOW_MAIL_FROM?.trim() || 'arflow <arflow@localhost>', source: 'server' };
}

/** Sends one message; returns the SMTP message id. */
export async function sendMail(settings: MailSettings, mail: OutgoingMail): Promise<string> {
  const transport = createTransport(settings);
  try {
    const info = await transport.sendMail({
      from: settings.from, ...(settings.replyTo ? { replyTo: settings.replyTo } : {}), to: mail.to, subject: mail.subject, text: mail.text,
      attachments: [{ filename: mail.attachment.filename, content: mail.attachment.content, contentType: mail.attachment.contentType }],
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}

/** A nodemailer transport for the settings. */
export function createTransport(settings: MailSettings) {
  return typeof settings.transport === 'string' ? nodemailer.createTransport(settings.transport) : nodemailer.createTransport({ ...settings.transport });
}
