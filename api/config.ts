import { z } from 'zod';
import { dataFields, linkFields, parseConfig, temporalFields } from '../domain/config';

export const apiConfigSchema = z.object({
  ...temporalFields,
  ...dataFields,
  ...linkFields,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** The Temporal Web UI, for links from the dashboard. */
  TEMPORAL_UI_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ApiConfig = z.infer<typeof apiConfigSchema>;

/** Reads the API's configuration from the environment; throws a ConfigError naming each bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}
