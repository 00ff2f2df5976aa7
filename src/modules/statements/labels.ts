/** The words of printed statements and confirmations (PDF, XLSX, email), in Chinese and English. */
import type { Language } from './index.ts';

const zh = {
  statementTitle: '对账单',
  confirmationTitle: '往来账款询证函',
  customer: '客户',
  customerCode: '客户编号',
  taxId: '纳税人识别号',
  address: '地址',
  period: '对账期间',
  generatedOn: '出具日期',
  currency: '币种',
  date: '日期',
  type: '类型',
  number: '单号',
  reference: '关联单号',
  dueDate: '到期日',
  debit: '借方（应收）',
  credit: '贷方（收款/冲减）',
  applied: '核销金额',
  balance: '余额',
  opening: '期初余额',
  closing: '期末余额',
  periodTotals: '本期合计',
  aging: '账龄（截至期末，按到期日）',
  current: '未到期',
  days: '天',
  over: '以上',
  outstanding: '应收合计',
  unapplied: '未核销贷项',
  net: '净额',
  page: (n: number, of: number) => `第 ${n} 页 / 共 ${of} 页`,
  allocation: '核销',
  noLines: '本期无交易',
  closingCheck: '期末余额 = 期初余额 + 本期借方 − 本期贷方',
  kinds: {
    invoice: '发票', debit_note: '借项通知', charge: '费用', refund: '退款', credit_note: '贷项通知', payment: '收款',
    advance: '预收款', write_off: '核销坏账', reversal: '冲销',
  } as Record<string, string>,
  // Confirmations
  confirmationNumber: '函证编号',
  asOf: '截止日期',
  confirmationIntro: (company: string, asOf: string) => `本函仅为复核账目之用，并非催款结算。截至 ${asOf}，据${company}账面记录，贵公司尚欠本公司的款项余额如下。若相符，请在回函“信息证明无误”处签章；若不符，请列明贵公司记录的金额及差异，并签章寄回。`,
  ourBalance: '本公司账面余额',
  replySlip: '回函',
  replyConfirmed: '□ 信息证明无误（相符）',
  replyDisputed: '□ 信息不符，贵公司记录的余额为：',
  replyExplanation: '差异说明（单号、金额、原因）：',
  replySignature: '（公司盖章）　　经办人：　　　　日期：',
  note: '备注',
  emailStatementSubject: (company: string, from: string, to: string) => `${company} 对账单 ${from} 至 ${to}`,
  emailStatementBody: (customer: string, company: string, from: string, to: string) => `${customer}：\n\n您好！附件为贵公司 ${from} 至 ${to} 的对账单，请核对。如有疑问，请回复本邮件。\n\n${company} 财务部`,
  emailConfirmationSubject: (company: string, number: string) => `${company} 往来账款询证函 ${number}`,
  emailConfirmationBody: (customer: string, company: string, asOf: string) => `${customer}：\n\n您好！附件为截至 ${asOf} 的往来账款询证函，请核对后填写回函并寄回或回复本邮件。\n\n${company} 财务部`,
};

type Labels = typeof zh;

const en: Labels = {
  statementTitle: 'Statement of account',
  confirmationTitle: 'Balance confirmation',
  customer: 'Customer',
  customerCode: 'Customer code',
  taxId: 'Tax ID',
  address: 'Address',
  period: 'Period',
  generatedOn: 'Issued on',
  currency: 'Currency',
  date: 'Date',
  type: 'Type',
  number: 'Number',
  reference: 'Reference',
  dueDate: 'Due date',
  debit: 'Debit',
  credit: 'Credit',
  applied: 'Applied',
  balance: 'Balance',
  opening: 'Opening balance',
  closing: 'Closing balance',
  periodTotals: 'Period totals',
  aging: 'Aging at the period end (by due date)',
  current: 'Current',
  days: 'days',
  over: 'over',
  outstanding: 'Outstanding',
  unapplied: 'Unapplied credits',
  net: 'Net',
  page: (n, of) => `Page ${n} of ${of}`,
  allocation: 'Applied',
  noLines: 'No transactions in the period',
  closingCheck: 'Closing = opening + period debits − period credits',
  kinds: {
    invoice: 'Invoice', debit_note: 'Debit note', charge: 'Charge', refund: 'Refund', credit_note: 'Credit note', payment: 'Payment',
    advance: 'Advance', write_off: 'Write-off', reversal: 'Reversal',
  },
  confirmationNumber: 'Reference',
  asOf: 'As of',
  confirmationIntro: (company, asOf) => `This letter is to confirm our records, not a request for payment. According to the books of ${company}, your balance with us at ${asOf} is shown below. If it agrees with your records, please sign the reply slip under "Confirmed"; if not, please state the balance in your records and the differences, sign and return it.`,
  ourBalance: 'Balance per our books',
  replySlip: 'Reply slip',
  replyConfirmed: '□ Confirmed: the balance agrees with our records',
  replyDisputed: '□ Not confirmed: the balance in our records is',
  replyExplanation: 'Differences (document, amount, reason):',
  replySignature: '(Company stamp)      Signed by:                Date:',
  note: 'Note',
  emailStatementSubject: (company, from, to) => `${company}: statement of account ${from} to ${to}`,
  emailStatementBody: (customer, company, from, to) => `Dear ${customer},\n\nPlease find attached your statement of account for ${from} to ${to}. If anything does not agree with your records, please reply to this email.\n\n${company}, Accounts receivable`,
  emailConfirmationSubject: (company, number) => `${company}: balance confirmation ${number}`,
  emailConfirmationBody: (customer, company, asOf) => `Dear ${customer},\n\nPlease find attached our balance confirmation at ${asOf}. Please fill in the reply slip and return it, or reply to this email.\n\n${company}, Accounts receivable`,
};

export function labelsFor(language: Language): Labels {
  return language === 'en' ? en : zh;
}

/** A bucket's heading: current, 1-30 days, over 365 days. */
export function bucketLabel(labels: Labels, bucket: { key: string; fromDays: number | null; toDays: number | null }): string {
  if (bucket.key === 'current') return labels.current;
  if (bucket.toDays === null) return labels === en ? `${labels.over} ${bucket.fromDays! - 1} ${labels.days}` : `${bucket.fromDays! - 1}${labels.days}${labels.over}`;
  return `${bucket.fromDays}-${bucket.toDays} ${labels.days}`;
}

/** "1234567.50" → "1,234,567.50". */
export function groupDigits(amount: string): string {
  const dot = amount.indexOf('.');
  const sign = amount.startsWith('-') ? 1 : 0;
  const end = dot < 0 ? amount.length : dot;
  // Digits grouped by hand (a dunning run groups two million amounts): a regular expression was a third of its cost.
  let grouped = amount.slice(sign, sign + ((end - sign) % 3 || 3));
  for (let i = sign + grouped.length; i < end; i += 3) grouped += `,${amount.slice(i, i + 3)}`;
  return `${sign ? '-' : ''}${grouped}${amount.slice(end)}`;
}
