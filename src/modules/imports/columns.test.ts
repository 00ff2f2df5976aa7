import { describe, expect, it } from 'vitest';
import { COLUMNS, IMPORT_KINDS, columnAliases, isImportKind, mapHeader, normalizeHeader, type ImportKind } from './columns.ts';

describe('COLUMNS', () => {
  it('has exactly the canonical columns of each kind, required ones marked', () => {
    const shape = (kind: ImportKind) => COLUMNS[kind].map((c) => (c.required ? c.name : `[${c.name}]`)).join(' ');
    expect(shape('customers')).toBe(
      'code name [tax_id] [currency] [payment_terms] [credit_limit] [group_code] [segment] [region] [address] [salesperson] [collector] [email] [phone] [language]',
    );
    expect(shape('invoices')).toBe('number customer_code document_date [due_date] [payment_terms] [currency] [external_id] amount');
    expect(shape('payments')).toBe('reference customer_code date amount [currency] [applies_to]');
    expect(shape('credit-notes')).toBe('number customer_code date amount [currency] [against_invoice] [applies_to]');
    expect(shape('advances')).toBe('reference customer_code date amount [currency]');
  });

  it('accepts each canonical name as its own header', () => {
    for (const kind of IMPORT_KINDS) {
      const header = COLUMNS[kind].map((c) => c.name);
      const result = mapHeader(kind, header);
      expect(result.ok, kind).toBe(true);
      if (result.ok) expect(Object.keys(result.mapping.indexes)).toEqual(header);
    }
  });

  it('knows the kinds', () => {
    expect(isImportKind('credit-notes')).toBe(true);
    expect(isImportKind('credit_notes')).toBe(false);
  });
});

describe('normalizeHeader', () => {
  it('ignores case, spaces, underscores, hyphens, markers, full-width forms and a bracketed note', () => {
    expect(normalizeHeader(' Customer_Code ')).toBe('customercode');
    expect(normalizeHeader('CUSTOMER  CODE')).toBe('customercode');
    expect(normalizeHeader('ｃｕｓｔｏｍｅｒ＿ｃｏｄｅ')).toBe('customercode');
    expect(normalizeHeader('*客户编码')).toBe('客户编码');
    expect(normalizeHeader('价税合计（元）')).toBe('价税合计');
    expect(normalizeHeader('Amount [CNY]')).toBe('amount');
    expect(normalizeHeader('E-mail')).toBe('email');
    expect(normalizeHeader('Invoice No.')).toBe('invoiceno');
    expect(normalizeHeader('ＥＲＰ编号')).toBe('erp编号');
    expect(normalizeHeader('\ufeffcode')).toBe('code');
  });
});

describe('mapHeader', () => {
  it('maps Chinese headers of an invoice export', () => {
    const result = mapHeader('invoices', ['发票号码', '客户编码', '开票日期', '到期日', '币种', '价税合计（元）', '备注']);
    expect(result).toEqual({
      ok: true,
      mapping: {
        kind: 'invoices',
        indexes: { number: 0, customer_code: 1, document_date: 2, due_date: 3, currency: 4, amount: 5 },
        headers: ['发票号码', '客户编码', '开票日期', '到期日', '币种', '价税合计（元）', '备注'],
        line: 1,
      },
      warnings: [{ line: 1, column: '备注', message: 'column "备注" is not one of the invoices columns and is ignored' }],
    });
  });

  it('maps English headers in any case and spacing', () => {
    const result = mapHeader('payments', ['Reference', 'Customer Code', 'Payment Date', 'AMOUNT', 'currency', 'Applies To']);
    expect(result.ok && result.mapping.indexes).toEqual({
      reference: 0, customer_code: 1, date: 2, amount: 3, currency: 4, applies_to: 5,
    });
  });

  it('reads every alias the brief names', () => {
    const cases: [ImportKind, string, string][] = [
      ['invoices', 'customer_code', '客户编码'], ['invoices', 'customer_code', '客户代码'], ['invoices', 'customer_code', '客户编号'],
      ['invoices', 'customer_code', 'customer'], ['invoices', 'customer_code', 'customer code'], ['invoices', 'customer_code', 'customer_no'],
      ['customers', 'name', '客户名称'], ['customers', 'name', '名称'],
      ['customers', 'tax_id', '税号'], ['customers', 'tax_id', '统一社会信用代码'], ['customers', 'tax_id', '纳税人识别号'],
      ['invoices', 'number', '发票号'], ['invoices', 'number', '发票号码'], ['invoices', 'number', '单据号'],
      ['invoices', 'number', 'invoice number'], ['invoices', 'number', 'invoice_no'],
      ['invoices', 'document_date', '开票日期'], ['invoices', 'document_date', '发票日期'], ['invoices', 'document_date', '单据日期'],
      ['invoices', 'document_date', 'invoice date'], ['invoices', 'document_date', 'date'],
      ['invoices', 'due_date', '到期日'], ['invoices', 'due_date', '到期日期'],
      ['invoices', 'amount', '金额'], ['invoices', 'amount', '价税合计'], ['invoices', 'amount', '含税金额'],
      ['invoices', 'amount', 'amount'], ['invoices', 'amount', 'total'],
      ['invoices', 'currency', '币种'], ['invoices', 'currency', '货币'],
      ['invoices', 'payment_terms', '付款条件'], ['invoices', 'payment_terms', '账期'], ['invoices', 'payment_terms', 'terms'],
      ['payments', 'reference', '流水号'], ['payments', 'reference', '付款参考'], ['payments', 'reference', '收款单号'],
      ['payments', 'reference', 'reference'],
      ['payments', 'date', '收款日期'], ['payments', 'date', '付款日期'], ['payments', 'date', '日期'],
      ['payments', 'applies_to', '核销发票'], ['payments', 'applies_to', '核销'], ['payments', 'applies_to', 'applies to'],
      ['credit-notes', 'against_invoice', '原发票号'], ['credit-notes', 'against_invoice', '对应发票'],
      ['customers', 'credit_limit', '信用额度'], ['customers', 'group_code', '集团编码'], ['customers', 'group_code', '集团'],
      ['customers', 'segment', '客户类别'], ['customers', 'segment', '细分'], ['customers', 'region', '区域'],
      ['customers', 'region', '地区'], ['customers', 'salesperson', '业务员'], ['customers', 'salesperson', '销售员'],
      ['customers', 'collector', '催收员'], ['customers', 'email', '邮箱'], ['customers', 'email', '电子邮件'],
      ['customers', 'phone', '电话'], ['customers', 'phone', '手机'], ['customers', 'language', '语言'],
      ['invoices', 'external_id', '外部编号'], ['invoices', 'external_id', 'ERP编号'],
    ];
    for (const [kind, column, alias] of cases) {
      expect(columnAliases(kind, column).map(normalizeHeader), `${kind} ${alias}`).toContain(normalizeHeader(alias));
    }
  });

  it('lists every missing required column with the headers it accepts', () => {
    const result = mapHeader('advances', ['流水号', '日期', '备注']);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          line: 1,
          column: 'customer_code',
          message: 'required column customer_code is missing; add a column with one of these headers: "customer_code", "customer code", "customer", "customer no", "customer_no", "customer number", "customer id", "customer account", "account no", "account number", "client code", "client id", "客户编码", "客户代码", "客户编号", "客户号", "客户账号"',
        },
        {
          line: 1,
          column: 'amount',
          message: 'required column amount is missing; add a column with one of these headers: "amount", "advance amount", "prepayment amount", "金额", "预收金额", "预收款金额", "收款金额", "到账金额"',
        },
      ],
      warnings: [{ line: 1, column: '备注', message: 'column "备注" is not one of the advances columns and is ignored' }],
    });
  });

  it('rejects a column given twice, naming both headers', () => {
    const result = mapHeader('customers', ['客户编码', '客户名称', 'Customer Code'], 3);
    expect(result).toEqual({
      ok: false,
      errors: [{ line: 3, column: 'code', message: '"客户编码" (column 1) and "Customer Code" (column 3) both mean code; keep one and rename or delete the other' }],
      warnings: [],
    });
  });

  it('prefers the total including tax (价税合计) over 金额 in a VAT invoice export', () => {
    const result = mapHeader('credit-notes', ['红字发票号码', '客户编码', '开票日期', '金额', '税额', '价税合计', '原发票号码']);
    expect(result).toEqual({
      ok: true,
      mapping: {
        kind: 'credit-notes',
        indexes: { number: 0, customer_code: 1, date: 2, amount: 5, against_invoice: 6 },
        headers: ['红字发票号码', '客户编码', '开票日期', '金额', '税额', '价税合计', '原发票号码'],
        line: 1,
      },
      warnings: [
        { line: 1, column: '税额', message: 'column "税额" is not one of the credit-notes columns and is ignored' },
        { line: 1, column: '金额', message: 'column "金额" is ignored: amount is read from "价税合计"' },
      ],
    });
  });

  it('uses 金额 as the amount when it is the only amount column', () => {
    const result = mapHeader('invoices', ['发票号', '客户编码', '日期', '金额']);
    expect(result.ok && result.mapping.indexes).toEqual({ number: 0, customer_code: 1, document_date: 2, amount: 3 });
  });

  it('ignores unnamed columns without a warning', () => {
    const result = mapHeader('advances', ['reference', '', 'customer_code', 'date', 'amount']);
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });
});
