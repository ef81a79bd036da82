import { z } from 'zod';
import { dataFields, envBoolean, linkFields, parseConfig, temporalFields } from '../lib/config';

export const workerConfigSchema = z.object({
  ...temporalFields,
  ...dataFields,
  ...linkFields,
  /** smtp://user:pass@host:port or smtps://…; required: the start script points it at the dev inbox. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL'),
  MAIL_FROM: z.string().min(3).default('Farman <farman@example.org>'),
  /** Most messages per second the pooled transport sends. */
  MAIL_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * The SMSC: `smpp://system_id:password@host:port` (`ssmpp://` for TLS), as the SMS provider's SMPP account
   * gives them. Unset, no SMS is sent and every message goes by e-mail; `npm start` points it at a dev SMSC.
   */
  SMS_URL: z
    .string()
    .regex(/^s?smpp:\/\/[^@/]+@[\w.-]+:\d+\/?$/, 'must be smpp://system_id:password@host:port')
    .optional(),
  /** The sender the phone shows: the account's number (e.g. +98100020) or a registered alphanumeric name. */
  SMS_SOURCE_ADDRESS: z.string().min(1).max(20).default('Farman'),
  /** Most SMS parts (submit_sm) per second, as the provider's account allows. */
  SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Most SMS parts awaiting the SMSC's answer at once (the SMPP window the provider allows). */
  SMS_WINDOW: z.coerce.number().int().min(1).max(1_000).default(20),
  /** Ask the SMSC for delivery receipts. */
  SMS_RECEIPTS: envBoolean.default(true),
  /** Base URL of SMS short links when a shorter host name serves the same API; PUBLIC_URL by default. */
  SMS_LINK_BASE: z
    .url()
    .optional()
    .transform((u) => u?.replace(/\/+$/, '')),
  /** Workflows kept in the worker's cache: enough for a large directive's open units to stay in memory. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1_000),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).default(100),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  /**
   * Threads that run workflow code (each with its own sandbox context). One, the SDK's own default with
   * reused contexts: on two cores a second thread made both fan-out and replies slower.
   */
  WORKER_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /** Seconds between the archiver's passes over closed workflows (worker/archiver.ts); 0 switches it off. */
  ARCHIVER_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3_600).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Address the two ports below bind to; 0.0.0.0 in a container so the scraper and healthcheck reach them. */
  WORKER_LISTEN_HOST: z.string().min(1).default('127.0.0.1'),
  /** Temporal's core metrics (the SDK runtime's Prometheus endpoint); 0 switches it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  /** The worker's own HTTP server: /healthz, /readyz and /metrics with Farman's series; 0 switches it off. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(9465),
  /**
   * On SIGTERM/SIGINT the worker stops polling and gives running activities this long to finish; then they
   * are cancelled and Temporal retries them elsewhere. Keep it below the orchestrator's stop timeout.
   */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /** A workflow bundle prebuilt with bundleWorkflowCode; unset, the worker bundles workflows/ at start. */
  WORKFLOW_BUNDLE: z.string().min(1).optional(),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** Reads the worker's configuration from the environment; throws a ConfigError naming each bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseConfig(workerConfigSchema, env);
}
