// One error type crosses every layer; its code becomes the GraphQL `extensions.code`.
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'PLATFORM_ERROR',
  'TIMEOUT',
  'FORBIDDEN_ADDRESS',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HubError';
    this.code = code;
    this.details = details;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  static from(value: unknown): HubError {
    if (value instanceof HubError) return value;
    if (isSerializedError(value)) return new HubError(value.code, value.message, value.details);
    // the message names no address: the client needs to know to retry, not where Redis lives
    if (isRedisUnreachable(value)) return new HubError('UNAVAILABLE', 'Redis is unreachable; try again shortly');
    const message = value instanceof Error ? value.message : typeof value === 'string' ? value : 'unexpected error';
    return new HubError('PLATFORM_ERROR', message);
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SerializedError).message === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as SerializedError).code)
  );
}

/** ioredis's ways of saying the server is gone (after its few retries): an outage, not a bug. */
export function isRedisUnreachable(value: unknown): boolean {
  if (!(value instanceof Error)) return false;
  if (value.name === 'MaxRetriesPerRequestError') return true;
  // ioredis's own wording only: a platform's "connect ECONNREFUSED" is not about Redis
  return /^Connection is closed\.?$|^Stream isn't writeable and enableOfflineQueue options is false/.test(value.message);
}
