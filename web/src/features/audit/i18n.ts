/** Words of the audit screens, in both languages (the i18n test holds them to the same keys). */
export const audit = {
  en: {},
  'zh-CN': {},
};
