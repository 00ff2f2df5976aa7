/**
 * One entry point for every bank file: recognises the format from the content (never the file name) and parses it.
 * A CSV export needs its bank's mapping profile; anything else unrecognised is refused with a clear message.
 */
import { invalid } from '../errors.ts';
import { looksLikeBai2, parseBai2 } from './bai2.ts';
import { looksLikeCamt, parseCamt } from './camt.ts';
import { parseCsvExport, type CsvProfileInput } from './csv-export.ts';
import { looksLikeMt940, parseMt940 } from './mt940.ts';
import { checkFileSize, decodeText, type BankFormat, type BankStatement } from './statement.ts';

export type DetectedFormat = 'camt' | 'mt940' | 'bai2' | 'csv' | 'unknown';

/** What kind of bank file the bytes hold. */
export function detectBankFormat(bytes: Uint8Array): DetectedFormat {
  const head = decodeText(bytes.subarray(0, 65536)).replace(/^[\s\u0000-\u001f]+/, '');
  // Any XML goes to the camt reader, which refuses what is not camt with a reason (a DOCTYPE, another root).
  if (looksLikeCamt(head) || /^</.test(head)) return 'camt';
  if (looksLikeBai2(head)) return 'bai2';
  if (looksLikeMt940(head)) return 'mt940';
  const firstLine = head.split(/\r?\n/)[0] ?? '';
  if (/[,;\t|]/.test(firstLine) && !/^\s*</.test(firstLine)) return 'csv';
  return 'unknown';
}

export interface ParseOptions {
  /** The mapping profile, required for a CSV export. */
  profile?: CsvProfileInput;
  /** Text encoding for MT940/BAI2 when it is not UTF-8 (default: UTF-8, else Windows-1252). */
  encoding?: string;
}

/** Parses a bank file of any supported format into its statements. Bounded size; errors name line or element. */
export function parseBankFile(bytes: Uint8Array, options: ParseOptions = {}): { format: BankFormat; statements: BankStatement[] } {
  checkFileSize(bytes);
  if (bytes.length === 0) throw invalid('BANK_FILE_EMPTY', 'the file is empty; choose the statement file the bank sent');
  const detected = detectBankFormat(bytes);
  if (options.profile && detected !== 'camt' && detected !== 'mt940' && detected !== 'bai2') {
    const statements = parseCsvExport(bytes, options.profile);
    return { format: 'csv', statements };
  }
  switch (detected) {
    case 'camt': {
      const statements = parseCamt(decodeText(bytes));
      return { format: statements[0]!.format, statements };
    }
    case 'mt940':
      return { format: 'mt940', statements: parseMt940(decodeText(bytes, options.encoding)) };
    case 'bai2':
      return { format: 'bai2', statements: parseBai2(decodeText(bytes, options.encoding)) };
    case 'csv':
      throw invalid('BANK_CSV_PROFILE_REQUIRED', 'this looks like a CSV export: choose the bank\'s mapping profile (--profile NAME) so its columns can be read');
    default:
      throw invalid('BANK_FORMAT_UNKNOWN', 'the file is not a camt.052/053/054 XML, MT940, BAI2 or CSV bank statement; check that it is the statement file the bank sent');
  }
}
