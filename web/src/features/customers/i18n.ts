/** Words of the customers screens, in both languages (the i18n test holds them to the same keys). */
export const customers = {
  en: {},
  'zh-CN': {},
};
