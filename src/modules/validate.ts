/** Validation at the edge: zod schemas shared by API and CLI, their failures turned into one field-named error. */
import { z } from 'zod';
import { invalid } from '../domain/errors.ts';

export function zodDetails(error: z.ZodError) {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const details = zodDetails(result.error);
  const first = details[0]!;
  throw invalid('VALIDATION_FAILED', `${what}: ${first.field}: ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more problems)` : ''}`, details);
}

/** A decimal amount in major units as text: "1234.50". Numbers are refused so no float ever carries money. */
const AMOUNT_HINT = 'write the amount as a decimal string in major units, like "1234.50"';
export const amountText = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : AMOUNT_HINT) })
  .trim()
  .regex(/^\d{1,17}(\.\d{1,4})?$/, 'write the amount as a decimal string in major units, like "1234.50"');

export const localDateText = z.string({ error: (issue) => (issue.input === undefined ? 'required' : 'write the date as a string YYYY-MM-DD') }).regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD');
export const rateText = z.string({ error: 'write the rate as a decimal string, like "7.1234"' }).trim().regex(/^\d{1,12}(\.\d{1,10})?$/, 'write the rate as a decimal string, like "7.1234"');
