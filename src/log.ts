// Structured logs to stderr (stdout carries only the ready lines). Secrets never reach a log line:
// the redact paths cover every field name that can hold one, at any depth we log.
import { pino, type Logger } from 'pino';

const SECRET_FIELDS = ['password', 'token', 'authorization', 'credentials', 'secret', 'sasl', 'dek', 'content'];
const redactPaths = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export function createLogger(level: string, name = 'hubgraph'): Logger {
  return pino(
    { name, level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: false }),
  );
}

export type { Logger };
