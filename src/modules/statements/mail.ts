/**
 * Email out: one SMTP server for the installation, from the environment. ARFLOW_SMTP_URL is a nodemailer connection
 * URL (smtp://user:pass@host:587, smtps://… for TLS from the start); ARFLOW_MAIL_FROM the sender
 * ("应收账款 <ar@example.com>"). Without ARFLOW_SMTP_URL nothing can be sent, and asking to send says so.
 */
import nodemailer from 'nodemailer';
import { invalid } from '../../domain/errors.ts';

export interface MailSettings {
  url: string;
  from: string;
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
  return { url, from: env.ARFLOW_MAIL_FROM?.trim() || 'arflow <arflow@localhost>' };
}

/** The settings, or the error that says how to configure them. */
export function requireMailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings {
  const settings = mailSettings(env);
  if (!settings) {
    throw invalid('SMTP_NOT_CONFIGURED', 'email is not set up: set ARFLOW_SMTP_URL (e.g. smtp://user:password@smtp.example.com:587) and ARFLOW_MAIL_FROM on the server, or download the PDF and send it yourself');
  }
  return settings;
}

/** Sends one message; returns the SMTP message id. */
export async function sendMail(settings: MailSettings, mail: OutgoingMail): Promise<string> {
  const transport = nodemailer.createTransport(settings.url);
  try {
    const info = await transport.sendMail({
      from: settings.from, to: mail.to, subject: mail.subject, text: mail.text,
      attachments: [{ filename: mail.attachment.filename, content: mail.attachment.content, contentType: mail.attachment.contentType }],
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}
