/** The one place where error kinds become HTTP statuses, and every failure becomes `{code, message, details}`. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorKind } from '../domain/errors.ts';

export const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  not_allowed: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  too_many: 429,
};

export interface ErrorBody {
  code: string;
  message: string;
  details: { field?: string; line?: number; column?: string; message: string }[];
}

/** PostgreSQL errors a user's input can cause, turned into user errors instead of 500s. */
function fromDatabase(error: { code?: string; message: string; constraint?: string }): AppError | null {
  switch (error.code) {
    case '23505':
      return new AppError('conflict', 'DUPLICATE', `this record already exists (${error.constraint ?? 'unique key'}); use another number or code`);
    case '23514':
      if (error.constraint === 'item_balances_range') {
        return new AppError('conflict', 'OVER_APPLIED', 'the change would apply an item beyond its amount; reload the open amounts and try again');
      }
      return new AppError('invalid', 'CHECK_FAILED', `a value breaks the rule ${error.constraint ?? ''}`);
    case '22P02':
    case '22007':
    case '22008':
    // A NUL character (\u0000), which PostgreSQL text and jsonb cannot hold.
    case '22021':
    case '22P05':
      return new AppError('invalid', 'INVALID_VALUE', error.message);
    case '22003':
      return new AppError('invalid', 'OUT_OF_RANGE', 'a number is out of range');
    default:
      return null;
  }
}

export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return { status: STATUS[error.kind], body: { code: error.code, message: error.message, details: error.details } };
  }
  const e = error as FastifyError & { code?: string; constraint?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const details = e.validation.map((v) => ({
      field: [e.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return { status: 400, body: { code: 'VALIDATION_FAILED', message: `${details[0]!.field}: ${details[0]!.message}${details.length > 1 ? ` (and ${details.length - 1} more problems)` : ''}`, details } };
  }
  const db = fromDatabase(e);
  if (db) return toErrorBody(db);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'BODY_TOO_LARGE' : e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    return { status: e.statusCode, body: { code, message: e.message, details: [] } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'arflow hit an internal error; it is logged with the request id', details: [] } };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toErrorBody(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.status(status).send(body);
}
