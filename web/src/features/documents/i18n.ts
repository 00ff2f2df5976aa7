/** Words of the documents screens, in both languages (the i18n test holds them to the same keys). */
export const documents = {
  en: {},
  'zh-CN': {},
};
