/** Helpers for the domain's table-driven tests. */
import { expect } from 'vitest';
import { AppError } from './errors.ts';

/** Runs `fn` and returns the AppError it throws (fails the test if it throws nothing or something else). */
export function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError, nothing was thrown');
}
