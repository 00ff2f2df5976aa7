/** Words of the approvals screens, in both languages (the i18n test holds them to the same keys). */
export const approvals = {
  en: {},
  'zh-CN': {},
};
