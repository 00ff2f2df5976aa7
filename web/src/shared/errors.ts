/** An API failure in the user's language: a known code is translated; an unknown one shows the server's words. */
import type { TFunction } from 'i18next';
import type { FormInstance } from 'antd';
import { ApiError } from '../api/client.ts';

export function errorMessage(t: TFunction, error: unknown, ns?: string): string {
  if (!(error instanceof ApiError)) return t('common:errors.generic', { code: error instanceof Error ? error.message : String(error) });
  for (const key of [ns ? `${ns}:errors.${error.code}` : null, `common:errors.${error.code}`]) {
    if (key && t(key, { defaultValue: '' })) return t(key);
  }
  if (error.status === 404) return t('common:errors.NOT_FOUND');
  if (error.status === 409 && error.code === 'STALE_VERSION') return t('common:errors.CONFLICT');
  return `${t('common:errors.generic', { code: error.code })} ${t('common:errors.serverSaid', { message: error.message })}`;
}

/**
 * Put the API's field errors (details with `field`, e.g. `body.amount` or `amount`) on the form's fields; answers
 * whether any landed, so the caller shows the rest as a banner.
 */
export function showFieldErrors(form: FormInstance, error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  const known = new Set(Object.keys(form.getFieldsValue(true) as object));
  const fields = error.details
    .filter((d) => d.field)
    .map((d) => ({ name: d.field!.replace(/^body\./, '').split('.')[0]!, message: d.message }))
    .filter((d) => known.has(d.name));
  if (fields.length === 0) return false;
  form.setFields(fields.map((f) => ({ name: f.name, errors: [f.message] })));
  return true;
}

