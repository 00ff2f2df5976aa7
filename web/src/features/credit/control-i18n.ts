/** Credit limits, checks and holds: the words of the credit page and the customer's credit panel. */
export const creditControl = {
  en: {
    nav: 'Credit control',
    title: 'Credit control',
    panel: {
      title: 'Credit', limit: 'Limit', temporary: 'Temporary increase', inForce: 'in force', notInForce: 'not in force today', total: 'Limit in force',
      groupLimit: 'Group limit ({{head}})', none: 'No limit', exposure: 'Exposure', utilisation: 'Utilisation', overdue: 'Overdue',
      receivables: 'Open receivables', orders: 'Open orders', shipments: 'Open shipments', advances: 'Unapplied advances', checkedAmount: 'This amount',
      history: 'Limit history', version: 'Version', scope: 'Scope', reason: 'Reason', requestedBy: 'Requested by', approvedBy: 'Approved by',
      holds: 'Holds', noHolds: 'Not on hold', requestLimit: 'Request limit', placeHold: 'Place hold', release: 'Ask to release',
    },
    check: {
      title: 'Credit check', customer: 'Customer code', amount: 'Amount', currency: 'Currency', kind: 'Kind', run: 'Check',
      kinds: { order: 'Order', shipment: 'Shipment', invoice: 'Invoice' },
      outcome: { pass: 'Pass', warn: 'Warn', hold: 'Hold', block: 'Block' }, reasons: 'Reasons', group: 'Group {{head}}: {{members}}',
    },
    holds: {
      title: 'Open holds', customer: 'Customer', rule: 'Rule', since: 'Since', status: 'Status', reason: 'Reason', empty: 'No open holds',
      rules: { manual: 'Manual', overdue_days: 'Overdue days', overdue_amount: 'Overdue amount', grade_e: 'Grade E', review_expired: 'Review expired' },
      statuses: { active: 'Active', release_requested: 'Release awaiting approval', released: 'Released' },
      evaluate: 'Run hold rules', evaluated: '{{count}} holds placed',
    },
    forms: {
      reason: 'Reason', required: 'Required', limit: 'Limit', group: 'Group limit', temporary: 'Temporary increase', from: 'From', to: 'To',
      requested: 'Request sent for approval', placed: 'Hold placed', releaseRequested: 'Release sent for approval', submit: 'Submit', cancel: 'Cancel',
    },
    settings: {
      title: 'Credit settings', role: 'Role', upTo: 'may approve limits up to', unlimited: 'Unlimited', warn: 'Warn band (utilisation at or above)', blocks: 'A hold blocks',
      exposure: 'Exposure counts', exposureHint: 'Exposure = open receivables + open orders + open shipments + the amount checked − unapplied advance receipts, each part only if ticked',
      parts: { receivables: 'Open receivables', orders: 'Open orders', shipments: 'Open shipments', checkedAmount: 'Amount being checked', advances: 'Less unapplied advances' },
      warnHint: 'Empty: no warn band', overdueDays: 'Hold when an item is overdue more than', overdueAmount: 'Hold when the overdue amount is above', gradeE: 'Hold customers graded E',
      reviewExpired: 'Hold when the credit review has expired', moreThanDays: 'more than {{days}} days', days: 'days', on: 'On', off: 'Off', mayNot: 'May not approve limits',
      offWhenEmpty: 'Empty: the rule is off', mayNotWhenEmpty: 'Empty: this role may not approve limit changes', blocksHint: 'The kinds not ticked still pass with a warning, so prepaid or delivered business can be invoiced',
      roles: { credit_manager: 'Credit manager', finance_manager: 'Finance manager', admin: 'Administrator' },
      edit: 'Edit', editTitle: 'Credit settings', save: 'Save', saved: 'Credit settings saved',
    },
  },
  'zh-CN': {
    nav: '信用控制',
    title: '信用控制',
    panel: {
      title: '信用', limit: '信用额度', temporary: '临时额度', inForce: '生效中', notInForce: '今日未生效', total: '当前有效额度',
      groupLimit: '集团额度（{{head}}）', none: '未设额度', exposure: '风险敞口', utilisation: '额度占用率', overdue: '逾期',
      receivables: '未清应收', orders: '未结订单', shipments: '未结发货', advances: '未核销预收款', checkedAmount: '本次金额',
      history: '额度历史', version: '版本', scope: '范围', reason: '原因', requestedBy: '申请人', approvedBy: '审批人',
      holds: '信用冻结', noHolds: '未冻结', requestLimit: '申请额度', placeHold: '冻结', release: '申请解冻',
    },
    check: {
      title: '信用检查', customer: '客户编码', amount: '金额', currency: '币种', kind: '业务类型', run: '检查',
      kinds: { order: '订单', shipment: '发货', invoice: '开票' },
      outcome: { pass: '通过', warn: '预警', hold: '待审', block: '拦截' }, reasons: '原因', group: '集团 {{head}}：{{members}}',
    },
    holds: {
      title: '冻结中的客户', customer: '客户', rule: '规则', since: '起始日', status: '状态', reason: '原因', empty: '无冻结客户',
      rules: { manual: '人工', overdue_days: '逾期天数', overdue_amount: '逾期金额', grade_e: 'E 级', review_expired: '复核过期' },
      statuses: { active: '生效', release_requested: '解冻待审批', released: '已解冻' },
      evaluate: '执行冻结规则', evaluated: '新冻结 {{count}} 个',
    },
    forms: {
      reason: '原因', required: '必填', limit: '额度', group: '集团额度', temporary: '临时额度', from: '起', to: '止',
      requested: '已提交审批', placed: '已冻结', releaseRequested: '解冻申请已提交审批', submit: '提交', cancel: '取消',
    },
    settings: {
      title: '信用设置', role: '角色', upTo: '可审批额度上限', unlimited: '不限', warn: '预警线（额度使用率不低于）', blocks: '冻结拦截',
      exposure: '风险敞口包含', exposureHint: '风险敞口 = 未结应收 + 未结订单 + 未结发货 + 本次金额 − 未核销预收款，仅计入勾选的部分',
      parts: { receivables: '未结应收', orders: '未结订单', shipments: '未结发货', checkedAmount: '本次检查金额', advances: '减未核销预收款' },
      warnHint: '留空：不设预警线', overdueDays: '逾期超过以下天数时冻结', overdueAmount: '逾期金额超过以下金额时冻结', gradeE: '信用等级为 E 时冻结',
      reviewExpired: '信用复核过期时冻结', moreThanDays: '超过 {{days}} 天', days: '天', on: '开启', off: '关闭', mayNot: '无额度审批权',
      offWhenEmpty: '留空：关闭此规则', mayNotWhenEmpty: '留空：该角色不能审批额度变更', blocksHint: '未勾选的业务类型仍可通过（附预警），预付或已发货的业务可照常开票',
      roles: { credit_manager: '信用经理', finance_manager: '财务经理', admin: '管理员' },
      edit: '编辑', editTitle: '信用设置', save: '保存', saved: '信用设置已保存',
    },
  },
} as const;
