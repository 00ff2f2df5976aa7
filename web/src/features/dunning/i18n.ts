/** Words of the dunning screen: strategies and steps, templates with live preview, run preview and history. */
export const dunning = {
  en: {
    nav: 'Dunning',
    title: 'Dunning',
    subtitle: 'Strategies of reminders by due date, their templates in Chinese and English, and the runs that put messages in the outbox.',
    tabs: { strategies: 'Strategies', templates: 'Templates', run: 'Run preview', history: 'Runs and outbox' },
    channel: { email: 'Email', sms: 'SMS', letter: 'Letter', call_task: 'Call', visit_task: 'Visit', final_notice: 'Final notice', lawyer_letter: "Lawyer's letter", agency_task: 'Hand over to an agency', legal_task: 'Hand over to legal' },
    status: { queued: 'Queued', sending: 'Sending', sent: 'Sent', failed: 'Failed', bounced: 'Bounced', task: 'Open task', done: 'Done' },
    skip: { disputed: 'Disputed', promise: 'Under a promise', payment_plan: 'In a payment plan', escalated: 'With an agency or in legal', do_not_dun: 'Do not dun', legal: 'In legal', below_minimum: 'Below the minimum', no_strategy: 'No strategy' },
    strategies: {
      columns: { code: 'Code', name: 'Name', priority: 'Priority', rule: 'Assigned to', steps: 'Steps' },
      default: 'Default (no rule matches)', segment: 'Segment {{value}}', grades: 'Grade {{value}}', minOpen: 'Open ≥ {{value}}', brokenPromises: '≥ {{value}} broken promises',
      inactive: 'Retired', add: 'New strategy', edit: 'Edit', empty: 'No strategy yet: add one, after its templates',
      days: '{{days}} d', fee: 'fee {{fee}} {{currency}}', interest: '+ interest',
    },
    editor: {
      titleNew: 'New strategy', titleEdit: 'Strategy {{code}}', code: 'Code', name: 'Name', priority: 'Priority (lower first)', isDefault: 'Default strategy',
      active: 'Active', segment: 'Segment', grades: 'Grades', gradesHint: 'A, B, …', minOpen: 'Open at least', minBrokenPromises: 'Broken promises at least',
      minAmount: 'Minimum to dun', steps: 'Steps', offsetDays: 'Days from due', channel: 'Channel', template: 'Template', fee: 'Fee', feeCurrency: 'Currency',
      lateInterest: 'Late interest', addStep: 'Add a step', removeStep: 'Remove step {{n}}', save: 'Save strategy', saved: 'Strategy {{code}} saved', rule: 'Assignment rule',
    },
    templates: {
      key: 'Template', newKey: 'New template key', keyPlaceholder: 'e.g. overdue', load: 'Open', subject: 'Subject', body: 'Text', preview: 'Preview',
      save: 'Save both languages', saved: 'Template {{key}} saved', variables: 'Variables', lang: { 'zh-CN': '中文', en: 'English' }, empty: '(empty)',
      previewNote: 'With sample figures; the email is sent as text.',
    },
    run: {
      asOf: 'As of', preview: 'Preview (dry run)', runNow: 'Run now', confirm: 'Run dunning as of {{date}}? Messages go to the outbox and fees are posted.',
      summary: '{{messages}} messages ({{tasks}} tasks) for {{items}} items', alreadySent: '{{count}} already in the outbox today', dry: 'Dry run: nothing was written',
      written: 'Run recorded', skipped: 'Left out', fees: 'Fee documents: {{list}}', nothing: 'Nothing due on this date',
      columns: { customer: 'Customer', step: 'Step', channel: 'Channel', to: 'To', subject: 'Subject', total: 'Total' },
    },
    history: {
      columns: { asOf: 'As of', messages: 'Messages', tasks: 'Tasks', items: 'Items', skipped: 'Left out', fees: 'Fees', by: 'By', at: 'At' },
      outbox: 'Outbox', allRuns: 'All runs', ofRun: 'Run of {{date}}', empty: 'No run yet', letter: 'Letter (PDF)', attempts: 'Attempts', error: 'Error', done: 'Mark done',
      outboxColumns: { date: 'Date', customer: 'Customer', step: 'Step', channel: 'Channel', status: 'Status', to: 'To', subject: 'Subject' },
    },
  },
  'zh-CN': {
    nav: '催收提醒',
    title: '催收提醒',
    subtitle: '按到期日安排的催收策略、中英文模板，以及将消息写入发件箱的催收运行。',
    tabs: { strategies: '催收策略', templates: '模板', run: '运行预览', history: '运行记录与发件箱' },
    channel: { email: '邮件', sms: '短信', letter: '催款函', call_task: '电话', visit_task: '上门拜访', final_notice: '最后通知', lawyer_letter: '律师函', agency_task: '移交催收机构', legal_task: '移交法务诉讼' },
    status: { queued: '待发送', sending: '发送中', sent: '已发送', failed: '失败', bounced: '退信', task: '待办', done: '已完成' },
    skip: { disputed: '争议中', promise: '有付款承诺', payment_plan: '分期计划中', escalated: '已移交催收机构或诉讼', do_not_dun: '免催收', legal: '法律程序中', below_minimum: '低于起催金额', no_strategy: '无适用策略' },
    strategies: {
      columns: { code: '代码', name: '名称', priority: '优先级', rule: '适用客户', steps: '步骤' },
      default: '默认（无规则匹配时）', segment: '客户分类 {{value}}', grades: '等级 {{value}}', minOpen: '未付 ≥ {{value}}', brokenPromises: '违约承诺 ≥ {{value}} 次',
      inactive: '已停用', add: '新建策略', edit: '编辑', empty: '尚无策略：请先建模板，再建策略',
      days: '{{days}} 天', fee: '费用 {{fee}} {{currency}}', interest: '+ 利息',
    },
    editor: {
      titleNew: '新建策略', titleEdit: '策略 {{code}}', code: '代码', name: '名称', priority: '优先级（小者优先）', isDefault: '默认策略',
      active: '启用', segment: '客户分类', grades: '信用等级', gradesHint: 'A、B…', minOpen: '未付至少', minBrokenPromises: '违约承诺至少',
      minAmount: '起催金额', steps: '步骤', offsetDays: '距到期日天数', channel: '渠道', template: '模板', fee: '费用', feeCurrency: '币种',
      lateInterest: '逾期利息', addStep: '添加步骤', removeStep: '删除第 {{n}} 步', save: '保存策略', saved: '策略 {{code}} 已保存', rule: '分配规则',
    },
    templates: {
      key: '模板', newKey: '新模板代码', keyPlaceholder: '例如 overdue', load: '打开', subject: '主题', body: '正文', preview: '预览',
      save: '保存两种语言', saved: '模板 {{key}} 已保存', variables: '可用变量', lang: { 'zh-CN': '中文', en: 'English' }, empty: '（空）',
      previewNote: '使用示例数据；邮件以纯文本发送。',
    },
    run: {
      asOf: '截至日期', preview: '预览（试运行）', runNow: '立即运行', confirm: '按 {{date}} 运行催收？消息将写入发件箱并记入费用。',
      summary: '{{messages}} 条消息（其中待办 {{tasks}} 项），涉及 {{items}} 笔款项', alreadySent: '今日已有 {{count}} 条在发件箱中', dry: '试运行：未写入任何数据',
      written: '已记录本次运行', skipped: '未催收', fees: '费用单据：{{list}}', nothing: '该日期没有到期的催收步骤',
      columns: { customer: '客户', step: '步骤', channel: '渠道', to: '收件人', subject: '主题', total: '合计' },
    },
    history: {
      columns: { asOf: '截至日期', messages: '消息', tasks: '待办', items: '款项', skipped: '未催收', fees: '费用单据', by: '执行人', at: '时间' },
      outbox: '发件箱', allRuns: '全部运行', ofRun: '{{date}} 的运行', empty: '尚无运行记录', letter: '信函（PDF）', attempts: '尝试次数', error: '错误', done: '标记完成',
      outboxColumns: { date: '日期', customer: '客户', step: '步骤', channel: '渠道', status: '状态', to: '收件人', subject: '主题' },
    },
  },
} as const;
