/**
 * Tax ids. China's unified social credit code (统一社会信用代码, GB 32100-2015) is 18 characters with a check
 * character, and a typo in it is common; other countries' ids are accepted as 3-40 letters, digits and dashes.
 */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckCharacter(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i]!);
    if (value < 0) return null;
    sum += value * USCC_WEIGHTS[i]!;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Why a tax id is not acceptable, or null. 18-character ids in the USCC alphabet must carry the right check character. */
export function taxIdProblem(taxId: string): string | null {
  const id = taxId.trim().toUpperCase();
  if (!/^[A-Z0-9-]{3,40}$/.test(id)) return `"${taxId}" is not a tax id (3-40 letters, digits or dashes)`;
  if (id.length === 18 && [...id].every((c) => USCC_ALPHABET.includes(c))) {
    const expected = usccCheckCharacter(id.slice(0, 17));
    if (expected !== id[17]) return `"${taxId}" fails the 统一社会信用代码 check character (expected ${expected} at the end); check for a typo`;
  }
  return null;
}
