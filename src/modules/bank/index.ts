/**
 * Bank statement import (issue 7, import half): a file of any supported format is parsed (pure, src/domain/bank),
 * each statement checked (opening + booked entries = closing), and written in one transaction: the bank account
 * (created on first sight), the statement with its balance check, and the entries not imported before. Entries are
 * unique per account and entry key, statements per account and content, so importing a file again writes nothing.
 * A malformed file writes nothing and its error names the line or element. Matching comes later (it reads
 * bank_entries through this module).
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { parseBankFile } from '../../domain/bank/detect.ts';
import { csvProfileSchema, type CsvProfile } from '../../domain/bank/csv-export.ts';
import { checkBalance, formatBankAmount, MAX_BANK_FILE_BYTES, type BankEntry, type BankStatement } from '../../domain/bank/statement.ts';
import { invalid, notFound, tooLarge } from '../../domain/errors.ts';
import { appendAudit } from '../audit/index.ts';
import type { Context } from '../context.ts';
import { payloadHash } from '../hash.ts';
import { withIdempotency } from '../idempotency/index.ts';
import { parseInput } from '../validate.ts';

export { csvProfileSchema, type CsvProfile };

/** Base64 of a 20 MB file is 4/3 larger; the API body limit follows. */
export const MAX_UPLOAD_BODY_BYTES = Math.ceil((MAX_BANK_FILE_BYTES * 4) / 3) + 64 * 1024;

export const importSchema = z.object({
  fileName: z.string().trim().min(1).max(255).optional(),
  /** The file's bytes, base64-encoded (the API receives files as JSON, like every other write). */
  content: z.string().min(1, 'choose a file').max(MAX_UPLOAD_BODY_BYTES, 'the file is larger than 20 MB'),
  /** A saved CSV mapping profile, by name; required for a CSV export. */
  profile: z.string().trim().min(1).max(100).optional(),
  /** The text encoding when it is not UTF-8 (MT940/BAI2 from older systems: windows-1252, iso-8859-2, cp850). */
  encoding: z.string().trim().min(1).max(20).optional(),
});
export type ImportInput = z.input<typeof importSchema>;

export const listSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export interface ImportedStatement {
  id: string;
  accountId: string;
  currency: string;
  format: string;
  formatVersion: string;
  statementId: string;
  sequence: string | null;
  opening: { amount: string; date: string | null } | null;
  closing: { amount: string; date: string | null } | null;
  balanceCheck: 'ok' | 'mismatch' | 'not_given';
  difference: string;
  entriesTotal: string;
  entryCount: number;
  newEntryCount: number;
  alreadyImported: boolean;
}

export interface ImportResult {
  fileName: string | null;
  fileHash: string;
  format: string;
  statements: ImportedStatement[];
  entryCount: number;
  newEntryCount: number;
}

/** Imports a bank file from the API (base64 content). */
export async function importBankStatement(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<ImportResult> {
  const input = parseInput(importSchema, raw, 'bank statement');
  if (!/^[A-Za-z0-9+/=\s]+$/.test(input.content)) {
    throw invalid('VALIDATION_FAILED', 'content: is not base64; send the file\'s bytes base64-encoded', [{ field: 'content', message: 'not base64' }]);
  }
  const bytes = Buffer.from(input.content, 'base64');
  return importBankBytes(ctx, bytes, { fileName: input.fileName ?? null, profile: input.profile, encoding: input.encoding }, idempotencyKey);
}

/** Imports a bank file's bytes (CLI and API). All or nothing. */
export async function importBankBytes(
  ctx: Context, bytes: Uint8Array, options: { fileName: string | null; profile?: string | undefined; encoding?: string | undefined }, idempotencyKey?: string,
): Promise<ImportResult> {
  if (bytes.length > MAX_BANK_FILE_BYTES) throw tooLarge('BANK_FILE_TOO_LARGE', `the file has ${bytes.length} bytes, more than the ${MAX_BANK_FILE_BYTES} arflow reads; ask the bank for a shorter period`);
  const fileHash = createHash('sha256').update(bytes).digest('hex');
  let profile: CsvProfile | undefined;
  if (options.profile) {
    profile = await ctx.db.tenant(ctx.tenant.id, (sql) => loadProfile(sql, ctx, options.profile!));
  }
  // Parse before the transaction: a malformed file fails here and nothing is written.
  const { format, statements } = parseBankFile(bytes, { profile, encoding: options.encoding });
  const request = { fileHash, profile: options.profile ?? null, encoding: options.encoding ?? null };
  return withIdempotency(ctx, idempotencyKey, 'bank.import', request, async (sql) => {
    const results: ImportedStatement[] = [];
    for (const statement of statements) results.push(await writeStatement(ctx, sql, statement, fileHash, options.fileName));
    const result: ImportResult = {
      fileName: options.fileName, fileHash, format, statements: results,
      entryCount: results.reduce((n, s) => n + s.entryCount, 0),
      newEntryCount: results.reduce((n, s) => n + s.newEntryCount, 0),
    };
    await appendAudit(sql, ctx.tenant.id, {
      actor: ctx.actor, action: 'bank.import', entityType: 'bank_file', entityId: fileHash,
      after: { fileName: options.fileName, format, statements: results.map((s) => ({ id: s.id, statementId: s.statementId, balanceCheck: s.balanceCheck, difference: s.difference, newEntryCount: s.newEntryCount, alreadyImported: s.alreadyImported })) },
    });
    return result;
  });
}

/**
 * The key that makes an entry unique in its account: the bank's reference with date and amount when the statement
 * gives each entry its own reference, otherwise a hash of everything the bank said about it plus its occurrence
 * (two identical card payments on one day stay two entries; the same file again gives the same keys).
 */
export function entryKeys(statement: BankStatement): string[] {
  const references = new Map<string, number>();
  for (const e of statement.entries) if (e.bankReference) references.set(e.bankReference, (references.get(e.bankReference) ?? 0) + 1);
  const seen = new Map<string, number>();
  return statement.entries.map((e) => {
    if (e.bankReference && references.get(e.bankReference) === 1 && !/^(NONREF|NOTPROVIDED)$/i.test(e.bankReference)) {
      return `ref:${e.bookingDate ?? e.valueDate ?? ''}:${e.bankReference}:${e.amountMinor}`;
    }
    const fingerprint = payloadHash([
      e.bookingDate, e.valueDate, e.amountMinor, e.currency, e.bankReference, e.customerReference, e.endToEndId,
      e.remittanceText, e.creditorReference, e.counterpartyName, e.counterpartyAccount, e.transactionCode, e.booked,
    ]);
    const n = (seen.get(fingerprint) ?? 0) + 1;
    seen.set(fingerprint, n);
    return `hash:${fingerprint}:${n}`;
  });
}

async function writeStatement(ctx: Context, sql: Sql, statement: BankStatement, fileHash: string, fileName: string | null): Promise<ImportedStatement> {
  const accountUuid = await ensureAccount(sql, ctx, statement.accountId, statement.currency);
  const keys = entryKeys(statement);
  const check = checkBalance(statement);
  const contentHash = payloadHash({
    format: statement.format, statementId: statement.statementId, sequence: statement.sequence,
    opening: statement.opening, closing: statement.closing, keys,
  });
  const money = (v: bigint) => formatBankAmount(v, statement.currency);
  const base = {
    accountId: statement.accountId, currency: statement.currency, format: statement.format, formatVersion: statement.formatVersion,
    statementId: statement.statementId, sequence: statement.sequence,
    opening: statement.opening ? { amount: money(statement.opening.amountMinor), date: statement.opening.date } : null,
    closing: statement.closing ? { amount: money(statement.closing.amountMinor), date: statement.closing.date } : null,
    balanceCheck: check.status, difference: money(check.differenceMinor), entriesTotal: money(check.entriesTotalMinor),
    entryCount: statement.entries.length,
  };
  const [existing] = await sql.query<{ id: string }>(
    `SELECT id FROM bank_statements WHERE tenant_id = $1 AND bank_account_id = $2 AND content_hash = $3`, [ctx.tenant.id, accountUuid, contentHash]);
  if (existing) return { ...base, id: existing.id, newEntryCount: 0, alreadyImported: true };

  const known = new Set((await sql.query<{ key: string }>(
    `SELECT entry_key AS key FROM bank_entries WHERE tenant_id = $1 AND bank_account_id = $2 AND entry_key = ANY($3::text[])`,
    [ctx.tenant.id, accountUuid, keys])).map((r) => r.key));
  const fresh: { entry: BankEntry; key: string; seq: number }[] = [];
  statement.entries.forEach((entry, i) => {
    if (!known.has(keys[i]!)) fresh.push({ entry, key: keys[i]!, seq: i + 1 });
  });
  const id = uuidv7();
  await sql.query(
    `INSERT INTO bank_statements (tenant_id, id, bank_account_id, content_hash, file_hash, file_name, format, format_version, statement_id, sequence,
       opening_minor, opening_date, closing_minor, closing_date, balance_check, difference_minor, entries_total_minor, entry_count, new_entry_count, imported_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
    [ctx.tenant.id, id, accountUuid, contentHash, fileHash, fileName, statement.format, statement.formatVersion, statement.statementId.slice(0, 200),
      statement.sequence, statement.opening?.amountMinor ?? null, statement.opening?.date ?? null, statement.closing?.amountMinor ?? null,
      statement.closing?.date ?? null, check.status, check.differenceMinor, check.entriesTotalMinor, statement.entries.length, fresh.length, ctx.actor]);
  for (let from = 0; from < fresh.length; from += 1000) await insertEntries(sql, ctx.tenant.id, accountUuid, id, fresh.slice(from, from + 1000));
  return { ...base, id, newEntryCount: fresh.length, alreadyImported: false };
}

async function insertEntries(sql: Sql, tenantId: string, accountUuid: string, statementUuid: string, rows: { entry: BankEntry; key: string; seq: number }[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (r: { entry: BankEntry; key: string; seq: number }) => T) => rows.map(f);
  const detailsJson = (e: BankEntry) => (e.details.length ? JSON.stringify(e.details.map((d) => ({ ...d, amountMinor: d.amountMinor === null ? null : d.amountMinor.toString() }))) : null);
  await sql.query(
    `INSERT INTO bank_entries (tenant_id, id, bank_account_id, statement_id, entry_key, seq, booking_date, value_date, amount_minor, currency,
       bank_reference, customer_reference, end_to_end_id, remittance_text, creditor_reference, counterparty_name, counterparty_account,
       transaction_code, reversal, booked, details, position)
     SELECT $1::uuid, x.id, $2::uuid, $3::uuid, x.entry_key, x.seq, x.booking_date, x.value_date, x.amount_minor, x.currency, x.bank_reference,
       x.customer_reference, x.end_to_end_id, x.remittance_text, x.creditor_reference, x.counterparty_name, x.counterparty_account,
       x.transaction_code, x.reversal, x.booked, x.details::jsonb, x.position
     FROM unnest($4::uuid[], $5::text[], $6::int4[], $7::date[], $8::date[], $9::int8[], $10::text[], $11::text[], $12::text[], $13::text[],
       $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::bool[], $20::bool[], $21::text[], $22::text[])
       AS x(id, entry_key, seq, booking_date, value_date, amount_minor, currency, bank_reference, customer_reference, end_to_end_id, remittance_text,
         creditor_reference, counterparty_name, counterparty_account, transaction_code, reversal, booked, details, position)`,
    [tenantId, accountUuid, statementUuid, col(() => uuidv7()), col((r) => r.key), col((r) => r.seq), col((r) => r.entry.bookingDate),
      col((r) => r.entry.valueDate), col((r) => r.entry.amountMinor.toString()), col((r) => r.entry.currency), col((r) => r.entry.bankReference),
      col((r) => r.entry.customerReference), col((r) => r.entry.endToEndId), col((r) => r.entry.remittanceText), col((r) => r.entry.creditorReference),
      col((r) => r.entry.counterpartyName), col((r) => r.entry.counterpartyAccount), col((r) => r.entry.transactionCode), col((r) => r.entry.reversal),
      col((r) => r.entry.booked), col((r) => detailsJson(r.entry)), col((r) => r.entry.position)]);
}

async function ensureAccount(sql: Sql, ctx: Context, accountId: string, currency: string): Promise<string> {
  const [found] = await sql.query<{ id: string }>(
    `SELECT id FROM bank_accounts WHERE tenant_id = $1 AND account_id = $2 AND currency = $3`, [ctx.tenant.id, accountId, currency]);
  if (found) return found.id;
  const id = uuidv7();
  await sql.query(`INSERT INTO bank_accounts (tenant_id, id, account_id, currency) VALUES ($1, $2, $3, $4)`, [ctx.tenant.id, id, accountId, currency]);
  await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.account.create', entityType: 'bank_account', entityId: id, after: { accountId, currency } });
  return id;
}

// ---------------------------------------------------------------------------------------------------------------
// History.

interface StatementRow {
  id: string; accountId: string; currency: string; fileName: string | null; fileHash: string; format: string; formatVersion: string;
  statementId: string; sequence: string | null; openingMinor: bigint | null; openingDate: string | null; closingMinor: bigint | null;
  closingDate: string | null; balanceCheck: 'ok' | 'mismatch' | 'not_given'; differenceMinor: bigint; entriesTotalMinor: bigint;
  entryCount: number; newEntryCount: number; importedAt: string; importedBy: string;
}

const STATEMENT_SELECT = `SELECT s.id, a.account_id AS "accountId", a.currency, s.file_name AS "fileName", s.file_hash AS "fileHash", s.format,
  s.format_version AS "formatVersion", s.statement_id AS "statementId", s.sequence, s.opening_minor AS "openingMinor", s.opening_date AS "openingDate",
  s.closing_minor AS "closingMinor", s.closing_date AS "closingDate", s.balance_check AS "balanceCheck", s.difference_minor AS "differenceMinor",
  s.entries_total_minor AS "entriesTotalMinor", s.entry_count AS "entryCount", s.new_entry_count AS "newEntryCount", s.imported_at AS "importedAt",
  s.imported_by AS "importedBy"
  FROM bank_statements s JOIN bank_accounts a ON a.tenant_id = s.tenant_id AND a.id = s.bank_account_id`;

function presentStatement(r: StatementRow) {
  const money = (v: bigint) => formatBankAmount(v, r.currency);
  return {
    id: r.id, accountId: r.accountId, currency: r.currency, fileName: r.fileName, fileHash: r.fileHash, format: r.format, formatVersion: r.formatVersion,
    statementId: r.statementId, sequence: r.sequence,
    opening: r.openingMinor === null ? null : { amount: money(r.openingMinor), date: r.openingDate },
    closing: r.closingMinor === null ? null : { amount: money(r.closingMinor), date: r.closingDate },
    balanceCheck: r.balanceCheck, difference: money(r.differenceMinor), entriesTotal: money(r.entriesTotalMinor),
    entryCount: r.entryCount, newEntryCount: r.newEntryCount, importedAt: new Date(r.importedAt).toISOString(), importedBy: r.importedBy,
  };
}
export type PresentedStatement = ReturnType<typeof presentStatement>;

/** Imported statements, newest first. */
export async function listStatements(ctx: Context, sql: Sql, raw: unknown = {}): Promise<{ total: number; rows: PresentedStatement[] }> {
  const q = parseInput(listSchema, raw, 'query');
  const rows = await sql.query<StatementRow>(`${STATEMENT_SELECT} WHERE s.tenant_id = $1 ORDER BY s.imported_at DESC, s.id DESC LIMIT $2 OFFSET $3`,
    [ctx.tenant.id, q.limit, q.offset]);
  const [count] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM bank_statements WHERE tenant_id = $1`, [ctx.tenant.id]);
  return { total: count?.n ?? 0, rows: rows.map(presentStatement) };
}

interface EntryRow {
  id: string; seq: number; statementId: string; bookingDate: string | null; valueDate: string | null; amountMinor: bigint; currency: string;
  bankReference: string | null; customerReference: string | null; endToEndId: string | null; remittanceText: string | null;
  creditorReference: string | null; counterpartyName: string | null; counterpartyAccount: string | null; transactionCode: string | null;
  reversal: boolean; booked: boolean; details: unknown; position: string;
}

/** One statement with its entries: those it brought and those an earlier import had already brought are marked. */
export async function getStatement(ctx: Context, sql: Sql, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('BANK_STATEMENT_NOT_FOUND', `no bank statement has id ${id}`);
  const [row] = await sql.query<StatementRow>(`${STATEMENT_SELECT} WHERE s.tenant_id = $1 AND s.id = $2`, [ctx.tenant.id, id]);
  if (!row) throw notFound('BANK_STATEMENT_NOT_FOUND', `no bank statement has id ${id}`);
  const entries = await sql.query<EntryRow>(
    `SELECT id, seq, statement_id AS "statementId", booking_date AS "bookingDate", value_date AS "valueDate", amount_minor AS "amountMinor", currency,
       bank_reference AS "bankReference", customer_reference AS "customerReference", end_to_end_id AS "endToEndId", remittance_text AS "remittanceText",
       creditor_reference AS "creditorReference", counterparty_name AS "counterpartyName", counterparty_account AS "counterpartyAccount",
       transaction_code AS "transactionCode", reversal, booked, details, position
     FROM bank_entries WHERE tenant_id = $1 AND statement_id = $2 ORDER BY seq LIMIT 100000`, [ctx.tenant.id, id]);
  return {
    ...presentStatement(row),
    entries: entries.map((e) => ({
      id: e.id, seq: e.seq, bookingDate: e.bookingDate, valueDate: e.valueDate, amount: formatBankAmount(e.amountMinor, e.currency), currency: e.currency,
      direction: e.amountMinor < 0n ? 'debit' : 'credit', bankReference: e.bankReference, customerReference: e.customerReference, endToEndId: e.endToEndId,
      remittanceText: e.remittanceText, creditorReference: e.creditorReference, counterpartyName: e.counterpartyName, counterpartyAccount: e.counterpartyAccount,
      transactionCode: e.transactionCode, reversal: e.reversal, booked: e.booked, details: e.details, position: e.position,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CSV mapping profiles.

async function loadProfile(sql: Sql, ctx: Context, name: string): Promise<CsvProfile> {
  const [row] = await sql.query<{ profile: CsvProfile }>(`SELECT profile FROM bank_csv_profiles WHERE tenant_id = $1 AND name = $2`, [ctx.tenant.id, name]);
  if (!row) {
    const names = (await sql.query<{ name: string }>(`SELECT name FROM bank_csv_profiles WHERE tenant_id = $1 ORDER BY name LIMIT 20`, [ctx.tenant.id])).map((r) => r.name);
    throw notFound('BANK_PROFILE_NOT_FOUND', `profile: no CSV mapping profile is called "${name}"${names.length ? ` (saved: ${names.join(', ')})` : '; save one first (POST /api/v1/bank/profiles)'}`, [{ field: 'profile', message: 'not found' }]);
  }
  return row.profile;
}

export async function listProfiles(ctx: Context, sql: Sql): Promise<{ rows: (CsvProfile & { updatedAt: string; updatedBy: string })[] }> {
  const rows = await sql.query<{ profile: CsvProfile; updatedAt: string; updatedBy: string }>(
    `SELECT profile, updated_at AS "updatedAt", updated_by AS "updatedBy" FROM bank_csv_profiles WHERE tenant_id = $1 ORDER BY name LIMIT 500`, [ctx.tenant.id]);
  return { rows: rows.map((r) => ({ ...r.profile, updatedAt: new Date(r.updatedAt).toISOString(), updatedBy: r.updatedBy })) };
}

/** Saves a CSV mapping profile under its name (a new one, or a new version of it), audited with before and after. */
export async function saveProfile(ctx: Context, raw: unknown, idempotencyKey?: string): Promise<CsvProfile & { created: boolean }> {
  const profile = parseInput(csvProfileSchema, raw, 'CSV profile');
  return withIdempotency(ctx, idempotencyKey, 'bank.profile', profile, async (sql) => {
    const [before] = await sql.query<{ id: string; profile: CsvProfile }>(`SELECT id, profile FROM bank_csv_profiles WHERE tenant_id = $1 AND name = $2`, [ctx.tenant.id, profile.name]);
    if (before) {
      await sql.query(`UPDATE bank_csv_profiles SET profile = $3::jsonb, updated_by = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [ctx.tenant.id, before.id, JSON.stringify(profile), ctx.actor]);
    } else {
      await sql.query(`INSERT INTO bank_csv_profiles (tenant_id, id, name, profile, updated_by) VALUES ($1, $2, $3, $4::jsonb, $5)`,
        [ctx.tenant.id, uuidv7(), profile.name, JSON.stringify(profile), ctx.actor]);
    }
    await appendAudit(sql, ctx.tenant.id, { actor: ctx.actor, action: 'bank.profile.save', entityType: 'bank_csv_profile', entityId: profile.name, before: before?.profile ?? null, after: profile });
    return { ...profile, created: !before };
  });
}
