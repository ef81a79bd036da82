import { DefaultLogger, type LogEntry, type LogLevel as SdkLogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { SmtpMailerOptions } from '../activities/mailer';

const pinoLevel: Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

const sdkLevel = (level: string): SdkLogLevel =>
  level === 'trace'
    ? 'TRACE'
    : level === 'debug'
      ? 'DEBUG'
      : level === 'info'
        ? 'INFO'
        : level === 'warn'
          ? 'WARN'
          : 'ERROR';

/**
 * The Temporal runtime's logger, forwarding every SDK, core and activity log entry (`log` from
 * `@temporalio/activity`) to the process's JSON logger, so the worker writes one format and one redaction
 * applies. The entry's metadata (workflow id, activity id, task queue…) becomes fields of the line, the
 * SDK's own time is kept as `sdkTime`, and an error under `error` is serialized with its stack.
 */
export function runtimeLogger(logger: Logger): DefaultLogger {
  const target = logger.child({ component: 'temporal' });
  return new DefaultLogger(sdkLevel(logger.level), (entry: LogEntry) => {
    const { sdkComponent, ...meta } = entry.meta ?? {};
    target[pinoLevel[entry.level]](
      {
        ...meta,
        ...(sdkComponent ? { sdkComponent } : {}),
        sdkTime: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
      },
      entry.message,
    );
  });
}

/**
 * Nodemailer's logger interface over the JSON logger, for the SMTP transport's connection events. It logs at
 * `warn` and above unless the process runs at `debug` or `trace`, where the transport's chatter is wanted.
 */
export function smtpTransportLogger(logger: Logger): NonNullable<SmtpMailerOptions['logger']> {
  const target = logger.child(
    { component: 'smtp' },
    { level: logger.level === 'debug' || logger.level === 'trace' ? logger.level : 'warn' },
  );
  const forward =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal') =>
    (entry: unknown, message?: string, ...args: unknown[]) =>
      target[level](typeof entry === 'object' && entry ? entry : { entry }, message ?? '', ...args);
  return {
    level: () => undefined,
    trace: forward('trace'),
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
    fatal: forward('fatal'),
  };
}
