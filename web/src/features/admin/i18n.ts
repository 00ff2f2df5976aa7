/** Words of the admin screens, in both languages (the i18n test holds them to the same keys). */
export const admin = {
  en: {},
  'zh-CN': {},
};
