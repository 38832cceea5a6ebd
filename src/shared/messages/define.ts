/**
 * One area's texts in both languages. The English object defines the codes; the Chinese object must have
 * exactly the same keys (a missing or extra key is a type error).
 */
export function defineMessages<const E extends Record<string, string>>(
  en: E,
  zhCN: { [K in keyof E]: string },
): { en: { [K in keyof E]: string }; 'zh-CN': { [K in keyof E]: string } } {
  return { en, 'zh-CN': zhCN };
}
