/**
 * One error type for everything a user can get wrong. `kind` decides the HTTP status (one place: http/errors.ts)
 * and the CLI exit code; `code` is stable and documented; `message` says what was wrong and how to fix it.
 * Programmer errors are not AppErrors: they are assertions and crash loudly.
 */
export type ErrorKind = 'invalid' | 'not_found' | 'conflict' | 'not_allowed' | 'unauthenticated' | 'too_large' | 'too_many';

export interface ErrorDetail {
  /** Where: a field path (`items[2].amount`), or a file position (`line 14, column amount`). */
  field?: string;
  line?: number;
  column?: string;
  message: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(kind: ErrorKind, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const invalid = (code: string, message: string, details?: ErrorDetail[]) =>
  new AppError('invalid', code, message, details);
export const notFound = (code: string, message: string, details?: ErrorDetail[]) =>
  new AppError('not_found', code, message, details);
export const conflict = (code: string, message: string, details?: ErrorDetail[]) =>
  new AppError('conflict', code, message, details);
export const tooLarge = (code: string, message: string, details?: ErrorDetail[]) =>
  new AppError('too_large', code, message, details);
export const unauthenticated = (code: string, message: string) => new AppError('unauthenticated', code, message);
export const notAllowed = (code: string, message: string, details?: ErrorDetail[]) =>
  new AppError('not_allowed', code, message, details);
export const tooMany = (code: string, message: string) => new AppError('too_many', code, message);

/** Crashes on a broken internal invariant. Never use for user input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
