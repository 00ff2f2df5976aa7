/** Bank statement import's words (银行流水导入): the upload, the result with its balance check, the history. */
export const bank = {
  en: {
    nav: { group: 'Cash application', import: 'Import bank statement', history: 'Bank statements' },
    import: {
      title: 'Import a bank statement',
      subtitle: 'camt.053 / camt.052 / camt.054, MT940, BAI2 or a CSV export: the format is recognised from the content. Importing a file again adds nothing.',
      drop: 'Drop the statement file here, or click to choose it',
      dropHint: 'Up to 20 MB. A CSV export needs its bank\'s mapping profile.',
      profile: 'CSV mapping profile', profileNone: 'None (camt, MT940, BAI2)', encoding: 'Encoding',
      encodingAuto: 'Automatic (UTF-8, else Windows-1252)', submit: 'Import', chosen: 'File: {{name}} ({{size}} KB)',
      tooLarge: 'The file is larger than 20 MB; ask the bank for a shorter period.',
      result: 'Result', summary: '{{format}}: {{statements}} statement(s), {{fresh}} new of {{entries}} entries',
      allKnown: 'Everything in this file had been imported before: nothing was added.', open: 'Open the statement',
    },
    check: { ok: 'Balances', mismatch: 'Does not balance', not_given: 'No balances to check', difference: 'difference {{amount}}', mismatchHelp: 'Opening balance + entries ≠ closing balance in the bank\'s own file: check with the bank before applying cash from it.' },
    columns: {
      statement: 'Statement', account: 'Account', format: 'Format', opening: 'Opening', closing: 'Closing', entries: 'Entries', fresh: 'New',
      already: 'Already imported', check: 'Balance check', imported: 'Imported', by: 'By', file: 'File',
      bookingDate: 'Booked', valueDate: 'Value', amount: 'Amount', counterparty: 'Counterparty', reference: 'Reference', remittance: 'Remittance', code: 'Code',
    },
    history: { title: 'Bank statements', subtitle: 'Every imported statement with its balance check, newest first', empty: 'No statement imported yet', total: '{{count}} statements', importNew: 'Import' },
    errors: {
      BANK_CSV_PROFILE_REQUIRED: 'This is a CSV export: choose the bank\'s mapping profile so its columns can be read.',
      BANK_FORMAT_UNKNOWN: 'This is not a camt, MT940, BAI2 or CSV bank statement. Check that it is the file the bank sent.',
      BANK_FILE_TOO_LARGE: 'The file is larger than 20 MB; ask the bank for a shorter period.',
      BANK_FILE_EMPTY: 'The file is empty.',
    },
    detail: { title: 'Statement {{id}}', back: 'All statements', entriesTitle: 'Entries', credit: 'Credit', debit: 'Debit', reversal: 'reversal', pending: 'pending', sequence: 'Sequence', total: 'Sum of booked entries' },
  },
  'zh-CN': {
    nav: { group: '收款核销', import: '导入银行流水', history: '银行对账单' },
    import: {
      title: '导入银行对账单',
      subtitle: '支持 camt.053 / camt.052 / camt.054、MT940、BAI2 及 CSV 导出文件，按文件内容自动识别格式。重复导入不会新增任何数据。',
      drop: '将对账单文件拖到此处，或点击选择文件',
      dropHint: '最大 20 MB。CSV 导出文件需选择该银行的映射方案。',
      profile: 'CSV 映射方案', profileNone: '无（camt、MT940、BAI2）', encoding: '文件编码',
      encodingAuto: '自动（UTF-8，否则 Windows-1252）', submit: '导入', chosen: '文件：{{name}}（{{size}} KB）',
      tooLarge: '文件超过 20 MB，请向银行索取较短期间的对账单。',
      result: '导入结果', summary: '{{format}}：{{statements}} 张对账单，{{entries}} 笔流水中新增 {{fresh}} 笔',
      allKnown: '该文件的全部内容此前已导入，本次未新增数据。', open: '查看对账单',
    },
    check: { ok: '余额平衡', mismatch: '余额不平', not_given: '无余额可核对', difference: '差额 {{amount}}', mismatchHelp: '银行文件本身的期初余额 + 流水 ≠ 期末余额：请先与银行核实，再据此核销。' },
    columns: {
      statement: '对账单', account: '账户', format: '格式', opening: '期初余额', closing: '期末余额', entries: '流水笔数', fresh: '新增',
      already: '已导入过', check: '余额核对', imported: '导入时间', by: '导入人', file: '文件',
      bookingDate: '记账日', valueDate: '起息日', amount: '金额', counterparty: '对方', reference: '参考号', remittance: '附言', code: '交易代码',
    },
    history: { title: '银行对账单', subtitle: '已导入的全部对账单及余额核对结果，最新在前', empty: '尚未导入对账单', total: '共 {{count}} 张', importNew: '导入' },
    errors: {
      BANK_CSV_PROFILE_REQUIRED: '这是 CSV 导出文件：请选择该银行的映射方案，以便读取各列。',
      BANK_FORMAT_UNKNOWN: '该文件不是 camt、MT940、BAI2 或 CSV 银行对账单，请确认是银行提供的文件。',
      BANK_FILE_TOO_LARGE: '文件超过 20 MB，请向银行索取较短期间的对账单。',
      BANK_FILE_EMPTY: '文件为空。',
    },
    detail: { title: '对账单 {{id}}', back: '全部对账单', entriesTitle: '流水明细', credit: '收入', debit: '支出', reversal: '冲正', pending: '未入账', sequence: '序号', total: '已入账流水合计' },
  },
} as const;
