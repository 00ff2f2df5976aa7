/**
 * The demo company's dunning (issue 6, "Strategies and dunning"): a standard strategy for everyone and a gentler one
 * for key accounts (segment `key`), their templates in Chinese and English, late interest at 12% a year, the bank
 * details reminders print, and one run at today by finance@ so the outbox shows messages, letters and call tasks.
 * No SMTP is set up in the demo, so the messages wait in the outbox as queued (sending needs ARFLOW_SMTP_URL).
 */
import type { Context } from '../modules/context.ts';
import { runDunning, saveStrategy, saveTemplate, setDunningSettings } from '../modules/dunning/index.ts';

const ITEMS_ZH = '{{#items}}  {{document}}  到期日 {{dueDate}}  逾期 {{daysOverdue}} 天  {{currency}} {{open}}\n{{/items}}';
const ITEMS_EN = '{{#items}}  {{document}}  due {{dueDate}}  {{daysOverdue}} days overdue  {{currency}} {{open}}\n{{/items}}';
/** Before the due date: each invoice, and the early-payment discount while its terms still give it. */
const DUE_ITEMS_ZH = '{{#items}}  {{document}}  到期日 {{dueDate}}  {{currency}} {{open}}{{#hasDiscount}}（{{discountUntil}} 前付款可享现金折扣 {{discount}}，只需付 {{payWithDiscount}}）{{/hasDiscount}}\n{{/items}}';
const DUE_ITEMS_EN = '{{#items}}  {{document}}  due {{dueDate}}  {{currency}} {{open}}{{#hasDiscount}} (pay {{payWithDiscount}} by {{discountUntil}} and take the {{discount}} early-payment discount){{/hasDiscount}}\n{{/items}}';
const PAY_ZH = '请汇款至：{{bank.accountName}}，{{bank.name}}，账号 {{bank.account}}。如已付款，请忽略本函。\n{{company.name}}';
const PAY_EN = 'Please pay to {{bank.accountName}}, {{bank.name}}, account {{bank.account}}. If you have paid already, please ignore this letter.\n{{company.name}}';

export const DEMO_TEMPLATES: { key: string; language: 'zh-CN' | 'en'; subject: string; body: string }[] = [
  { key: 'pre-due', language: 'zh-CN', subject: '付款提醒：{{customer.name}} 即将到期款项', body: `{{contact.name}}您好：\n\n以下款项即将到期，请安排付款：\n${DUE_ITEMS_ZH}{{#totals}}合计 {{currency}} {{total}}\n{{/totals}}\n${PAY_ZH}` },
  { key: 'pre-due', language: 'en', subject: 'Payment reminder: invoices of {{customer.name}} falling due', body: `Dear {{contact.name}},\n\nThe following invoices fall due soon:\n${DUE_ITEMS_EN}{{#totals}}Total {{currency}} {{total}}\n{{/totals}}\n${PAY_EN}` },
  { key: 'overdue', language: 'zh-CN', subject: '逾期提醒 {{reference}}：{{customer.name}}', body: `{{contact.name}}您好：\n\n截至 {{asOf}}，以下款项已逾期：\n${ITEMS_ZH}{{#totals}}逾期合计 {{currency}} {{total}}\n{{/totals}}\n${PAY_ZH}` },
  { key: 'overdue', language: 'en', subject: 'Overdue reminder {{reference}}: {{customer.name}}', body: `Dear {{contact.name}},\n\nAs of {{asOf}} the following invoices are overdue:\n${ITEMS_EN}{{#totals}}Total overdue {{currency}} {{total}}\n{{/totals}}\n${PAY_EN}` },
  { key: 'sms', language: 'zh-CN', subject: '', body: '【{{company.name}}】{{customer.name}}：您有逾期款项{{#totals}} {{currency}} {{total}}{{/totals}}，请尽快付款。编号 {{reference}}' },
  { key: 'sms', language: 'en', subject: '', body: '{{company.name}}: {{customer.name}} has overdue invoices{{#totals}} {{currency}} {{total}}{{/totals}}. Please pay. Ref {{reference}}' },
  { key: 'final', language: 'zh-CN', subject: '最后催款通知 {{reference}}', body: `{{customer.name}}：\n\n贵司以下款项已严重逾期，经多次催告仍未支付：\n${ITEMS_ZH}{{#hasInterest}}按年利率计收的逾期利息已计入。\n{{/hasInterest}}{{#hasFee}}催收费用 {{fee}}。\n{{/hasFee}}{{#totals}}应付合计 {{currency}} {{total}}（本金 {{open}}，利息 {{interest}}，费用 {{fee}}）\n{{/totals}}\n请于收到本通知后七日内付清，否则我司将委托律师处理。\n${PAY_ZH}` },
  { key: 'final', language: 'en', subject: 'Final notice {{reference}}', body: `To {{customer.name}}:\n\nThe following invoices are seriously overdue despite our reminders:\n${ITEMS_EN}{{#hasInterest}}Late interest at the yearly rate is included.\n{{/hasInterest}}{{#hasFee}}Collection fee {{fee}}.\n{{/hasFee}}{{#totals}}Total due {{currency}} {{total}} (principal {{open}}, interest {{interest}}, fees {{fee}})\n{{/totals}}\nPlease pay within seven days of this notice, or we will instruct our lawyers.\n${PAY_EN}` },
  { key: 'lawyer', language: 'zh-CN', subject: '律师函 {{reference}}', body: `{{customer.name}}：\n\n受{{company.name}}委托，现就贵司拖欠货款事宜致函如下。截至 {{asOf}}，贵司尚欠：\n${ITEMS_ZH}{{#totals}}合计 {{currency}} {{total}}\n{{/totals}}\n请于本函发出之日起十日内付清，逾期我方将依法提起诉讼。` },
  { key: 'lawyer', language: 'en', subject: "Lawyer's letter {{reference}}", body: `To {{customer.name}}:\n\nWe write on behalf of {{company.name}} about your unpaid invoices. As of {{asOf}} you owe:\n${ITEMS_EN}{{#totals}}Total {{currency}} {{total}}\n{{/totals}}\nUnless paid within ten days, our client will bring proceedings.` },
  { key: 'call', language: 'zh-CN', subject: '电话催收：{{customer.name}}（{{contact.name}} {{contact.phone}}）', body: `逾期款项：\n${ITEMS_ZH}{{#totals}}合计 {{currency}} {{total}}\n{{/totals}}` },
  { key: 'call', language: 'en', subject: 'Call {{customer.name}} ({{contact.name}} {{contact.phone}})', body: `Overdue:\n${ITEMS_EN}{{#totals}}Total {{currency}} {{total}}\n{{/totals}}` },
  { key: 'visit', language: 'zh-CN', subject: '上门拜访：{{customer.name}}', body: `拜访 {{contact.name}}，商谈以下逾期款项：\n${ITEMS_ZH}{{#totals}}合计 {{currency}} {{total}}\n{{/totals}}` },
  { key: 'visit', language: 'en', subject: 'Visit {{customer.name}}', body: `Meet {{contact.name}} about:\n${ITEMS_EN}{{#totals}}Total {{currency}} {{total}}\n{{/totals}}` },
];

export async function seedDunning(finance: Context): Promise<void> {
  await setDunningSettings(finance, { interestRatePercent: '12', bankName: '中国工商银行上海分行', bankAccount: '1001 2345 6789 0123 456', bankAccountName: '演示贸易有限公司', statementLink: null });
  for (const t of DEMO_TEMPLATES) await saveTemplate(finance, t);
  await saveStrategy(finance, {
    code: 'standard', name: '标准催收 Standard', isDefault: true, priority: 100, minAmount: '100.00',
    steps: [
      { offsetDays: -3, channel: 'email', templateKey: 'pre-due' },
      { offsetDays: 7, channel: 'email', templateKey: 'overdue' },
      { offsetDays: 21, channel: 'sms', templateKey: 'sms' },
      { offsetDays: 30, channel: 'call_task', templateKey: 'call' },
      { offsetDays: 45, channel: 'final_notice', templateKey: 'final', fee: '50.00', feeCurrency: 'CNY', lateInterest: true },
      { offsetDays: 90, channel: 'lawyer_letter', templateKey: 'lawyer', lateInterest: true },
    ],
  });
  await saveStrategy(finance, {
    code: 'key-accounts', name: '大客户 Key accounts', priority: 10, match: { segment: 'key' }, minAmount: '1000.00',
    steps: [
      { offsetDays: 10, channel: 'email', templateKey: 'overdue' },
      { offsetDays: 30, channel: 'call_task', templateKey: 'call' },
      { offsetDays: 60, channel: 'visit_task', templateKey: 'visit' },
      { offsetDays: 90, channel: 'final_notice', templateKey: 'final' },
    ],
  });
  // Today's run: every overdue item goes to the step now due for it (the earlier ones recorded as skipped).
  await runDunning(finance, {}, 'demo-dunning-run');
}
