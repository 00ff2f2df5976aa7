/** Words of the sign-in and password screens, in both languages (the i18n test holds them to the same keys). */
export const signin = {
  en: {
    title: 'Sign in to arflow',
    subtitle: 'Accounts receivable: ledger, credit, collections and cash',
    email: 'Email', password: 'Password', submit: 'Sign in',
    emailRequired: 'Enter your email address', passwordRequired: 'Enter your password',
    demoHint: 'Demo company: sign in as admin@demo.example (or finance@, credit@, collector@, sales@, auditor@, viewer@) with the password arflow-demo-2026.',
    changeTitle: 'Choose your password',
    changeFirst: 'You signed in with a one-time password. Choose your own before you go on.',
    current: 'Current password', next: 'New password', repeat: 'New password again',
    nextHelp: 'At least 12 characters; a few words make a good password.',
    mismatch: 'The two new passwords differ',
    changeSubmit: 'Save password', changed: 'Your password is changed.',
  },
  'zh-CN': {
    title: '登录 arflow',
    subtitle: '应收账款管理：台账、信用、催收与现金',
    email: '邮箱', password: '密码', submit: '登录',
    emailRequired: '请输入邮箱地址', passwordRequired: '请输入密码',
    demoHint: '演示公司：可用 admin@demo.example（或 finance@、credit@、collector@、sales@、auditor@、viewer@）登录，密码 arflow-demo-2026。',
    changeTitle: '设置您的密码',
    changeFirst: '您使用一次性密码登录，请先设置自己的密码。',
    current: '当前密码', next: '新密码', repeat: '再次输入新密码',
    nextHelp: '至少 12 个字符，由几个词组成的密码较好。',
    mismatch: '两次输入的新密码不一致',
    changeSubmit: '保存密码', changed: '密码已修改。',
  },
};
