import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Replaces link tokens in a URL or path with `[token]`: tokens are credentials and never reach a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/u\/[^/?#\s]+/g, '/u/[token]').replace(/([?&](token|t|access_token)=)[^&#\s]+/gi, '$1[redacted]');
}

/** The process's JSON logger; secrets in known places are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'farman-api' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'], censor: '[redacted]' },
  });
}

/** Request logging with a request id per request (taken from `X-Request-Id` when the caller sends a sane one). */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}
