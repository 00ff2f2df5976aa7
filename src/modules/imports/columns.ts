/**
 * The columns of each import kind and the header names accepted for them (English and Chinese, as exported by
 * Excel, Kingdee, Yonyou and bank portals). Header matching ignores case, spaces, underscores, hyphens, dots, "*"
 * markers, full-width forms and a bracketed note such as "金额(元)" or "Amount [CNY]".
 */
import { assert, type ErrorDetail } from '../../domain/errors.ts';

export type ImportKind = 'customers' | 'invoices' | 'payments' | 'credit-notes' | 'advances';
export const IMPORT_KINDS: readonly ImportKind[] = ['customers', 'invoices', 'payments', 'credit-notes', 'advances'];

export function isImportKind(text: string): text is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(text);
}

export interface ColumnSpec {
  /** Canonical name, used in error messages and in the documentation. */
  name: string;
  required: boolean;
  /** Header names that mean this column, the canonical name included. */
  aliases: readonly string[];
  /**
   * Header names that mean this column only when no header from `aliases` is present. In a Chinese VAT invoice
   * export "金额" is the amount before tax and "价税合计" the amount including tax: with both, the total is used.
   */
  weakAliases?: readonly string[];
}

const CUSTOMER_CODE = ['customer_code', 'customer code', 'customer', 'customer no', 'customer_no', 'customer number',
  'customer id', 'customer account', 'account no', 'account number', 'client code', 'client id',
  '客户编码', '客户代码', '客户编号', '客户号', '客户账号'];
const CURRENCY = ['currency', 'currency code', 'ccy', 'cur', '币种', '货币', '币别', '币制', '结算币种', '货币代码'];
const PAYMENT_TERMS = ['payment_terms', 'payment terms', 'payment term', 'terms', 'credit terms', 'terms code',
  '付款条件', '账期', '付款条款', '收款条件', '信用期', '结算条件'];
const PAYMENT_REFERENCE = ['reference', 'ref', 'payment reference', 'payment ref', 'payment number', 'payment no',
  'receipt number', 'receipt no', 'transaction id', 'transaction reference', 'bank reference',
  '流水号', '付款参考', '收款单号', '银行流水号', '交易流水号', '收款编号', '收款单编号', '回单号', '参考号', '交易参考号'];
const RECEIPT_DATE = ['date', 'payment date', 'receipt date', 'value date', 'received date', 'transaction date',
  '收款日期', '付款日期', '日期', '到账日期', '交易日期', '入账日期'];
const APPLIES_TO = ['applies_to', 'applies to', 'apply to', 'applied to', 'allocations', '核销发票', '核销', '核销明细',
  '核销发票号'];

export const COLUMNS: Readonly<Record<ImportKind, readonly ColumnSpec[]>> = {
  customers: [
    { name: 'code', required: true, aliases: ['code', 'customer_code', 'customer code', 'customer no', 'customer_no',
      'customer number', 'customer id', 'account no', 'account number', 'client code', 'client id',
      '客户编码', '客户代码', '客户编号', '客户号', '编码', '代码', '编号'] },
    { name: 'name', required: true, aliases: ['name', 'customer name', 'customer_name', 'company name', 'company',
      'client name', '客户名称', '名称', '客户名', '客户', '客户全称', '公司名称', '单位名称', '企业名称'] },
    { name: 'tax_id', required: false, aliases: ['tax_id', 'tax id', 'tax number', 'tax no', 'tax registration number',
      'vat number', 'vat id', 'taxpayer id', 'uscc', '税号', '统一社会信用代码', '纳税人识别号', '社会信用代码',
      '信用代码', '纳税识别号', '税务登记号'] },
    { name: 'currency', required: false, aliases: CURRENCY },
    { name: 'payment_terms', required: false, aliases: PAYMENT_TERMS },
    { name: 'credit_limit', required: false, aliases: ['credit_limit', 'credit limit', 'credit line', '信用额度',
      '授信额度', '信用限额', '赊销额度'] },
    { name: 'group_code', required: false, aliases: ['group_code', 'group code', 'group', 'parent code', 'parent',
      'parent customer', '集团编码', '集团', '集团代码', '母公司编码', '上级客户', '上级客户编码'] },
    { name: 'segment', required: false, aliases: ['segment', 'customer segment', 'category', 'customer type',
      'customer class', 'class', '客户类别', '细分', '客户分类', '客户类型', '类别', '客户等级'] },
    { name: 'region', required: false, aliases: ['region', 'area', 'territory', 'sales region', '区域', '地区', '大区',
      '片区', '销售区域'] },
    { name: 'address', required: false, aliases: ['address', 'postal address', 'mailing address', 'billing address',
      '地址', '联系地址', '通讯地址', '邮寄地址', '客户地址', '收件地址'] },
    { name: 'salesperson', required: false, aliases: ['salesperson', 'sales person', 'sales rep', 'sales',
      'salesman', 'account manager', '业务员', '销售员', '销售代表', '客户经理', '销售'] },
    { name: 'collector', required: false, aliases: ['collector', 'collections owner', '催收员', '收款员', '催款人',
      '催收人', '收款负责人'] },
    { name: 'email', required: false, aliases: ['email', 'e-mail', 'mail', 'email address', '邮箱', '电子邮件',
      '电子邮箱', '邮件', '邮箱地址'] },
    { name: 'phone', required: false, aliases: ['phone', 'telephone', 'tel', 'mobile', 'phone number', '电话',
      '手机', '联系电话', '手机号', '手机号码', '电话号码'] },
    { name: 'language', required: false, aliases: ['language', 'lang', 'locale', '语言', '沟通语言'] },
  ],
  invoices: [
    { name: 'number', required: true, aliases: ['number', 'invoice number', 'invoice no', 'invoice_no', 'invoice',
      'invoice id', 'invoice #', 'document number', 'document no', 'doc no', '发票号', '发票号码', '单据号',
      '单据编号', '发票编号', '单号', '票号'] },
    { name: 'customer_code', required: true, aliases: CUSTOMER_CODE },
    { name: 'document_date', required: true, aliases: ['document_date', 'document date', 'invoice date',
      'issue date', 'doc date', '开票日期', '发票日期', '单据日期', '业务日期', '开具日期'],
    weakAliases: ['date', '日期'] },
    { name: 'due_date', required: false, aliases: ['due_date', 'due date', 'due', 'payment due date', 'due on',
      '到期日', '到期日期', '应收日期', '应收款日期', '付款到期日', '收款到期日'] },
    { name: 'payment_terms', required: false, aliases: PAYMENT_TERMS },
    { name: 'currency', required: false, aliases: CURRENCY },
    { name: 'external_id', required: false, aliases: ['external_id', 'external id', 'erp id', 'erp number',
      'erp no', 'source id', 'source document', '外部编号', 'ERP编号', '来源单号', '系统单号', 'ERP单号',
      '来源单据号'] },
    { name: 'amount', required: true, aliases: ['amount', 'invoice amount', 'total amount', 'gross amount',
      'amount incl tax', 'amount including tax', 'total incl tax', '价税合计', '含税金额', '发票金额', '应收金额',
      '含税总额', '价税合计金额'],
    weakAliases: ['total', '金额', '总金额', '合计金额', '合计'] },
  ],
  payments: [
    { name: 'reference', required: true, aliases: PAYMENT_REFERENCE },
    { name: 'customer_code', required: true, aliases: CUSTOMER_CODE },
    { name: 'date', required: true, aliases: RECEIPT_DATE },
    { name: 'amount', required: true, aliases: ['amount', 'payment amount', 'received amount', 'amount received',
      '金额', '收款金额', '付款金额', '到账金额', '实收金额', '收款额'] },
    { name: 'currency', required: false, aliases: CURRENCY },
    { name: 'applies_to', required: false, aliases: [...APPLIES_TO, 'invoices', 'invoice', 'invoice number',
      'invoice no', '发票号', '发票号码', '对应发票'] },
  ],
  'credit-notes': [
    { name: 'number', required: true, aliases: ['number', 'credit note number', 'credit note no', 'credit note',
      'credit memo number', 'credit memo', 'cn number', 'cn no', 'document number', 'document no',
      '红字发票号', '红字发票号码', '红冲发票号', '贷项通知单号', '贷项凭证号', '单据号', '单据编号', '单号',
      '发票号', '发票号码'] },
    { name: 'customer_code', required: true, aliases: CUSTOMER_CODE },
    { name: 'date', required: true, aliases: ['date', 'credit date', 'document date', 'issue date', '日期',
      '开票日期', '单据日期', '红冲日期', '发票日期'] },
    { name: 'amount', required: true, aliases: ['amount', 'credit amount', 'total amount', 'gross amount',
      'amount incl tax', '价税合计', '含税金额', '红冲金额', '贷项金额'],
    weakAliases: ['total', '金额', '总金额', '合计金额', '合计'] },
    { name: 'currency', required: false, aliases: CURRENCY },
    { name: 'against_invoice', required: false, aliases: ['against_invoice', 'against invoice', 'original invoice',
      'original invoice number', 'original invoice no', 'invoice', 'invoice number', '原发票号', '对应发票',
      '原发票号码', '蓝字发票号码', '对应蓝字发票号码', '原单号', '原发票'] },
    { name: 'applies_to', required: false, aliases: APPLIES_TO },
  ],
  advances: [
    { name: 'reference', required: true, aliases: PAYMENT_REFERENCE },
    { name: 'customer_code', required: true, aliases: CUSTOMER_CODE },
    { name: 'date', required: true, aliases: [...RECEIPT_DATE, '预收日期'] },
    { name: 'amount', required: true, aliases: ['amount', 'advance amount', 'prepayment amount', '金额', '预收金额',
      '预收款金额', '收款金额', '到账金额'] },
    { name: 'currency', required: false, aliases: CURRENCY },
  ],
};

/**
 * A header name reduced to what matters: NFKC (full-width letters, digits and brackets become ASCII), lower case,
 * without a bracketed note, "*" or "#" markers, spaces, underscores, hyphens and dots.
 */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\ufeff\u200b-\u200d]/g, '')
    .toLowerCase()
    .replace(/\([^)]*\)|\[[^\]]*]|【[^】]*】|〔[^〕]*〕/g, '')
    .replace(/[\s_\-.*#:：]/g, '');
}

interface AliasEntry {
  column: string;
  weak: boolean;
}

const ALIAS_INDEX = {} as Record<ImportKind, ReadonlyMap<string, AliasEntry>>;
for (const kind of IMPORT_KINDS) {
  const index = new Map<string, AliasEntry>();
  for (const spec of COLUMNS[kind]) {
    for (const [aliases, weak] of [[spec.aliases, false], [spec.weakAliases ?? [], true]] as const) {
      for (const alias of aliases) {
        const key = normalizeHeader(alias);
        const other = index.get(key);
        // Two columns of one kind answering to the same header would make the mapping depend on table order.
        assert(other === undefined || other.column === spec.name, `${kind} alias "${alias}" is used by ${other?.column} and ${spec.name}`);
        index.set(key, { column: spec.name, weak });
      }
    }
  }
  ALIAS_INDEX[kind] = index;
}

export interface ColumnMapping {
  kind: ImportKind;
  /** 0-based index of each canonical column present in the file. */
  indexes: Readonly<Record<string, number>>;
  /** The header as written in the file (to show which header a column was read from). */
  headers: readonly string[];
  /** Line of the header record. */
  line: number;
}

export type HeaderResult =
  | { ok: true; mapping: ColumnMapping; warnings: ErrorDetail[] }
  | { ok: false; errors: ErrorDetail[]; warnings: ErrorDetail[] };

/**
 * Maps a file's header to the canonical columns of `kind`. Missing required columns and a column given twice are
 * errors; a header arflow does not know is a warning and its column is ignored.
 */
export function mapHeader(kind: ImportKind, headerValues: readonly string[], line = 1): HeaderResult {
  const aliases = ALIAS_INDEX[kind];
  const strong = new Map<string, number[]>();
  const weak = new Map<string, number[]>();
  const warnings: ErrorDetail[] = [];
  const errors: ErrorDetail[] = [];

  headerValues.forEach((header, index) => {
    const key = normalizeHeader(header);
    if (key === '') return; // an unnamed column (its cells are ignored)
    const entry = aliases.get(key);
    if (!entry) {
      warnings.push({ line, column: header.trim(), message: `column "${header.trim()}" is not one of the ${kind} columns and is ignored` });
      return;
    }
    const target = entry.weak ? weak : strong;
    target.set(entry.column, [...(target.get(entry.column) ?? []), index]);
  });

  const indexes: Record<string, number> = {};
  for (const spec of COLUMNS[kind]) {
    const strongAt = strong.get(spec.name) ?? [];
    const weakAt = weak.get(spec.name) ?? [];
    const chosen = strongAt.length > 0 ? strongAt : weakAt;
    if (chosen.length > 1) {
      const names = chosen.map((i) => `"${headerValues[i]!.trim()}" (column ${i + 1})`).join(' and ');
      errors.push({ line, column: spec.name, message: `${names} both mean ${spec.name}; keep one and rename or delete the other` });
      continue;
    }
    if (chosen.length === 1) {
      indexes[spec.name] = chosen[0]!;
      if (strongAt.length > 0) {
        for (const i of weakAt) {
          warnings.push({ line, column: headerValues[i]!.trim(), message: `column "${headerValues[i]!.trim()}" is ignored: ${spec.name} is read from "${headerValues[strongAt[0]!]!.trim()}"` });
        }
      }
      continue;
    }
    if (spec.required) {
      const accepted = [...spec.aliases, ...(spec.weakAliases ?? [])].map((a) => `"${a}"`).join(', ');
      errors.push({ line, column: spec.name, message: `required column ${spec.name} is missing; add a column with one of these headers: ${accepted}` });
    }
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, mapping: { kind, indexes, headers: headerValues.map((h) => h.trim()), line }, warnings };
}

/** The accepted headers for one column, for help texts. */
export function columnAliases(kind: ImportKind, column: string): readonly string[] {
  const spec = COLUMNS[kind].find((c) => c.name === column);
  return spec ? [...spec.aliases, ...(spec.weakAliases ?? [])] : [];
}
