/**
 * Statements and confirmations on paper: PDF (pdfkit, with Noto Sans SC embedded so Chinese prints anywhere; pdfkit
 * embeds only the glyphs used, so a page stays some tens of kilobytes) and XLSX (exceljs) with the same content.
 */
import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { currencyScale } from '../../domain/money.ts';
import type { LocalDate } from '../../domain/dates.ts';
import type { Language, Statement } from './index.ts';
import { bucketLabel, groupDigits, labelsFor } from './labels.ts';

const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const FONT_BOLD = require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf');

/** A balance confirmation as printed. */
export interface ConfirmationPrint {
  number: string;
  company: { name: string; address: string | null };
  customer: { code: string; name: string; taxId: string | null; address: string | null };
  asOf: LocalDate;
  issuedOn: LocalDate;
  language: Language;
  balances: { currency: string; balance: string }[];
  note: string | null;
}

const MARGIN = 40;
const FOOTER = 24;

type Doc = PDFKit.PDFDocument;

export function newDocument(title: string): Doc {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: title, Producer: 'arflow' } });
  doc.registerFont('regular', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('regular');
  return doc;
}

/** Page numbers on every page, then the bytes. */
export async function finish(doc: Doc, page: (n: number, of: number) => string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => { doc.on('end', resolve); doc.on('error', reject); });
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing in the bottom margin must not open a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(8).fillColor('#666666')
      .text(page(i - range.start + 1, range.count), MARGIN, doc.page.height - MARGIN + 8, { width: doc.page.width - 2 * MARGIN, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

export function header(doc: Doc, company: { name: string; address: string | null }, title: string) {
  doc.font('bold').fontSize(15).fillColor('black').text(company.name, { align: 'center' });
  if (company.address) doc.font('regular').fontSize(9).text(company.address, { align: 'center' });
  doc.moveDown(0.4).font('bold').fontSize(13).text(title, { align: 'center' }).moveDown(0.6);
}

export function keyValues(doc: Doc, pairs: [string, string][]) {
  doc.font('regular').fontSize(9).fillColor('black');
  for (const [key, value] of pairs) doc.text(`${key}：${value}`);
  doc.moveDown(0.5);
}

export interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
}

/** A table that breaks across pages, repeating its header row on each. */
export function drawTable(doc: Doc, columns: Column[], rows: { cells: string[]; bold?: boolean }[]) {
  const size = 7.5;
  const rowHeight = 13;
  const left = MARGIN;
  const limit = () => doc.page.height - MARGIN - FOOTER;
  const drawRow = (cells: string[], bold: boolean, shade: boolean) => {
    if (doc.y + rowHeight > limit()) {
      doc.addPage();
      drawRow(columns.map((c) => c.title), true, true);
    }
    const y = doc.y;
    if (shade) doc.rect(left, y - 2, columns.reduce((w, c) => w + c.width, 0), rowHeight).fill('#eeeeee').fillColor('black');
    let x = left;
    doc.font(bold ? 'bold' : 'regular').fontSize(size).fillColor('black');
    cells.forEach((cell, i) => {
      const column = columns[i]!;
      doc.text(cell, x + 2, y, { width: column.width - 4, align: column.align, lineBreak: false, ellipsis: true });
      x += column.width;
    });
    doc.x = left;
    doc.y = y + rowHeight;
  };
  drawRow(columns.map((c) => c.title), true, true);
  for (const row of rows) drawRow(row.cells, row.bold ?? false, false);
  doc.moveDown(0.6);
}

function ensureSpace(doc: Doc, height: number) {
  if (doc.y + height > doc.page.height - MARGIN - FOOTER) doc.addPage();
}

export async function statementPdf(statement: Statement): Promise<Buffer> {
  const l = labelsFor(statement.language);
  const doc = newDocument(`${l.statementTitle} ${statement.customer.code} ${statement.from} – ${statement.to}`);
  header(doc, statement.company, l.statementTitle);
  keyValues(doc, [
    [l.customer, statement.customer.name],
    [l.customerCode, statement.customer.code],
    ...(statement.customer.taxId ? [[l.taxId, statement.customer.taxId] as [string, string]] : []),
    ...(statement.customer.address ? [[l.address, statement.customer.address] as [string, string]] : []),
    [l.period, `${statement.from} – ${statement.to}`],
    [l.generatedOn, statement.generatedOn],
  ]);
  const amount = (value: string) => (value === '0' || /^-?0(\.0+)?$/.test(value) ? '' : groupDigits(value));
  for (const section of statement.sections) {
    ensureSpace(doc, 80);
    doc.font('bold').fontSize(11).fillColor('black').text(`${l.currency}：${section.currency}`).moveDown(0.3);
    const columns: Column[] = [
      { title: l.date, width: 52, align: 'left' }, { title: l.type, width: 48, align: 'left' },
      { title: l.number, width: 74, align: 'left' }, { title: l.reference, width: 74, align: 'left' },
      { title: l.dueDate, width: 52, align: 'left' }, { title: l.debit, width: 54, align: 'right' },
      { title: l.credit, width: 54, align: 'right' }, { title: l.applied, width: 52, align: 'right' },
      { title: l.balance, width: 55, align: 'right' },
    ];
    const rows = [
      { cells: [statement.from, l.opening, '', '', '', '', '', '', groupDigits(section.opening)], bold: true },
      ...section.lines.map((line) => ({
        cells: [
          line.date, line.type === 'allocation' ? `${l.allocation}` : (l.kinds[line.kind] ?? line.kind), line.number,
          line.reference ?? '', line.dueDate ?? '', amount(line.debit), amount(line.credit), amount(line.applied), groupDigits(line.balance),
        ],
      })),
      ...(section.lines.length === 0 ? [{ cells: ['', l.noLines, '', '', '', '', '', '', ''] }] : []),
      { cells: ['', l.periodTotals, '', '', '', groupDigits(section.debits), groupDigits(section.credits), '', ''], bold: true },
      { cells: [statement.to, l.closing, '', '', '', '', '', '', groupDigits(section.closing)], bold: true },
    ];
    drawTable(doc, columns, rows);
    ensureSpace(doc, 60);
    doc.font('bold').fontSize(9).text(l.aging).moveDown(0.2);
    const buckets = section.aging.buckets;
    const width = Math.floor(515 / (buckets.length + 3));
    drawTable(doc,
      [...buckets.map((b) => ({ title: bucketLabel(l, b), width, align: 'right' as const })),
        { title: l.outstanding, width, align: 'right' }, { title: l.unapplied, width, align: 'right' }, { title: l.net, width, align: 'right' }],
      [{ cells: [groupDigits(section.aging.current), ...buckets.slice(1).map((b) => groupDigits(section.aging.byBucket[b.key]!)),
        groupDigits(section.aging.outstanding), groupDigits(section.aging.unapplied), groupDigits(section.aging.net)] }]);
  }
  doc.font('regular').fontSize(7.5).fillColor('#666666').text(l.closingCheck);
  return finish(doc, l.page);
}

export async function confirmationPdf(c: ConfirmationPrint): Promise<Buffer> {
  const l = labelsFor(c.language);
  const doc = newDocument(`${l.confirmationTitle} ${c.number}`);
  header(doc, c.company, l.confirmationTitle);
  keyValues(doc, [
    [l.confirmationNumber, c.number],
    [l.customer, c.customer.name],
    [l.customerCode, c.customer.code],
    ...(c.customer.address ? [[l.address, c.customer.address] as [string, string]] : []),
    [l.asOf, c.asOf],
    [l.generatedOn, c.issuedOn],
  ]);
  doc.font('regular').fontSize(10).fillColor('black').text(l.confirmationIntro(c.company.name, c.asOf), { align: 'left' }).moveDown(0.8);
  drawTable(doc, [{ title: l.currency, width: 120, align: 'left' }, { title: l.ourBalance, width: 200, align: 'right' }],
    c.balances.map((b) => ({ cells: [b.currency, groupDigits(b.balance)] })));
  if (c.note) doc.font('regular').fontSize(9).text(`${l.note}：${c.note}`).moveDown(0.8);
  ensureSpace(doc, 220);
  const top = doc.y + 10;
  doc.moveTo(MARGIN, top).lineTo(doc.page.width - MARGIN, top).dash(4, { space: 3 }).stroke().undash();
  doc.y = top + 12;
  doc.font('bold').fontSize(12).text(`${l.replySlip}（${c.number}）`, { align: 'center' }).moveDown(0.6);
  doc.font('regular').fontSize(10);
  doc.text(l.replyConfirmed).moveDown(2);
  doc.text(`${l.replyDisputed} ______________________`).moveDown(0.8);
  doc.text(l.replyExplanation).moveDown(4);
  doc.text(l.replySignature);
  return finish(doc, l.page);
}

/** The statement as a workbook: the same header, lines, totals and aging; amounts as numbers in the currency's format. */
export async function statementXlsx(statement: Statement): Promise<Buffer> {
  const l = labelsFor(statement.language);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'arflow';
  const sheet = workbook.addWorksheet(l.statementTitle);
  sheet.columns = [
    { width: 12 }, { width: 12 }, { width: 18 }, { width: 18 }, { width: 12 }, { width: 16 }, { width: 16 }, { width: 16 }, { width: 16 },
  ];
  const bold = (row: ExcelJS.Row) => { row.font = { bold: true }; };
  bold(sheet.addRow([statement.company.name]));
  if (statement.company.address) sheet.addRow([statement.company.address]);
  bold(sheet.addRow([l.statementTitle]));
  sheet.addRow([l.customer, statement.customer.name]);
  sheet.addRow([l.customerCode, statement.customer.code]);
  if (statement.customer.taxId) sheet.addRow([l.taxId, statement.customer.taxId]);
  if (statement.customer.address) sheet.addRow([l.address, statement.customer.address]);
  sheet.addRow([l.period, `${statement.from} – ${statement.to}`]);
  sheet.addRow([l.generatedOn, statement.generatedOn]);
  for (const section of statement.sections) {
    const format = currencyScale(section.currency) === 0 ? '#,##0' : `#,##0.${'0'.repeat(currencyScale(section.currency))}`;
    // Decimal strings of at most 15 significant digits become the same number in Excel; the text stays exact.
    const num = (value: string) => Number(value);
    const money = (row: ExcelJS.Row, from: number) => { for (let c = from; c <= 9; c++) row.getCell(c).numFmt = format; };
    sheet.addRow([]);
    bold(sheet.addRow([l.currency, section.currency]));
    bold(sheet.addRow([l.date, l.type, l.number, l.reference, l.dueDate, l.debit, l.credit, l.applied, l.balance]));
    money(sheet.addRow([statement.from, l.opening, null, null, null, null, null, null, num(section.opening)]), 6);
    for (const line of section.lines) {
      const zero = (v: string) => (/^-?0(\.0+)?$/.test(v) ? null : num(v));
      money(sheet.addRow([line.date, line.type === 'allocation' ? l.allocation : (l.kinds[line.kind] ?? line.kind), line.number, line.reference, line.dueDate,
        zero(line.debit), zero(line.credit), zero(line.applied), num(line.balance)]), 6);
    }
    const totals = sheet.addRow([null, l.periodTotals, null, null, null, num(section.debits), num(section.credits), null, null]);
    money(totals, 6); bold(totals);
    const closing = sheet.addRow([statement.to, l.closing, null, null, null, null, null, null, num(section.closing)]);
    money(closing, 6); bold(closing);
    sheet.addRow([]);
    bold(sheet.addRow([l.aging]));
    const buckets = section.aging.buckets;
    bold(sheet.addRow([...buckets.map((b) => bucketLabel(l, b)), l.outstanding, l.unapplied, l.net]));
    const aged = sheet.addRow([num(section.aging.current), ...buckets.slice(1).map((b) => num(section.aging.byBucket[b.key]!)),
      num(section.aging.outstanding), num(section.aging.unapplied), num(section.aging.net)]);
    aged.eachCell((cell) => { cell.numFmt = format; });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
