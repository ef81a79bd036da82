import type { RefusalCode } from '../workflows/unit-state';

/**
 * The API's error vocabulary. Use cases throw these; `api/http/problem.ts` maps them to
 * application/problem+json in one place, and the unit pages map them to Persian messages.
 */

export interface FieldIssue {
  /** Dotted path of the bad field, e.g. `targets.codes.3` or `values.stations`. */
  path: string;
  message: string;
}

export abstract class FarmanError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/** The input is wrong; nothing was changed. */
export class ValidationFailed extends FarmanError {
  readonly status = 400;
  readonly code = 'validation-failed';
  constructor(
    readonly issues: FieldIssue[],
    message = 'the request is invalid',
  ) {
    super(message);
  }
}

export class NotFound extends FarmanError {
  readonly status = 404;
  readonly code = 'not-found';
}

/** The action does not apply to the current state (already closed, already decided, …). */
export class Rejected extends FarmanError {
  readonly status = 409;
  constructor(
    readonly code: RefusalCode | 'conflict',
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** Temporal or the worker cannot be reached now; the client should try again. Nothing was recorded. */
export class Unavailable extends FarmanError {
  readonly status = 503;
  readonly code = 'unavailable';
}

export class Unauthorized extends FarmanError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class Forbidden extends FarmanError {
  readonly status = 403;
  readonly code = 'forbidden';
}

/** Turns zod issues into field issues with dotted paths. */
export function fieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix: (string | number)[] = [],
): FieldIssue[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path].map(String).join('.') || '(body)', message: i.message }));
}
