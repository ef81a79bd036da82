import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayObserver } from '../temporal-gateway';

/** The unit's own replies; every other unit update is an office action. */
const replyKinds = new Set(['acknowledge', 'submitReport', 'requestExtension']);

export interface ApiMetricsOptions {
  /**
   * When set, `GET /metrics` requires `Authorization: Bearer <token>`. When unset, it answers only requests
   * made straight to the process from its own host (loopback peer, no forwarding header), so a published
   * port never exposes it.
   */
  token?: string;
}

/**
 * The API's Prometheus metrics, in a registry of its own (several apps can live in one test process):
 * - `farman_http_request_duration_seconds{method,route,status}`: latency by route template, never the raw URL;
 * - `farman_directives_issued_total`: directives whose workflow was started;
 * - `farman_replies_recorded_total{kind}`: unit replies (acknowledge, submitReport, requestExtension) recorded;
 * - `farman_office_actions_recorded_total{kind}`: the other unit updates (accept, return, exempt, …);
 * - Node's process metrics (`process_*`, `nodejs_*`).
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly duration = new Histogram({
    name: 'farman_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [this.registry],
  });
  private readonly directivesIssued = new Counter({
    name: 'farman_directives_issued_total',
    help: 'Directives whose workflow was started.',
    registers: [this.registry],
  });
  private readonly repliesRecorded = new Counter({
    name: 'farman_replies_recorded_total',
    help: 'Unit replies recorded by their workflow, by kind (a resubmission answered from the workflow counts again).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly officeActions = new Counter({
    name: 'farman_office_actions_recorded_total',
    help: 'Office actions on a unit recorded by its workflow, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(private readonly options: ApiMetricsOptions = {}) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** What the Temporal gateway reports to: it is the one place directives start and updates are recorded. */
  readonly gatewayObserver: GatewayObserver = {
    directiveStarted: () => this.directivesIssued.inc(),
    unitUpdateRecorded: (kind) => (replyKinds.has(kind) ? this.repliesRecorded : this.officeActions).inc({ kind }),
  };

  /** Times every request and labels it, when the response is finished, with its route template. */
  readonly middleware: RequestHandler = (req, res, next) => {
    const end = this.duration.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeTemplate(req), status: String(res.statusCode) }));
    next();
  };

  /** `GET /metrics` in the Prometheus text format, behind the access rule of `ApiMetricsOptions.token`. */
  readonly handler: RequestHandler = async (req, res) => {
    if (!this.allowed(req)) {
      res
        .status(this.options.token ? 401 : 404)
        .type('text/plain')
        .send(this.options.token ? 'unauthorized\n' : 'not found\n');
      return;
    }
    res.type(this.registry.contentType).send(await this.registry.metrics());
  };

  private allowed(req: Request): boolean {
    const token = this.options.token;
    if (token) {
      const given = Buffer.from(/^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '');
      const expected = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    }
    const peer = req.socket.remoteAddress ?? '';
    const direct = !req.get('x-forwarded-for') && !req.get('forwarded');
    return direct && (peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1');
  }
}

/** A path segment that is a word of the app's own routes (`api`, `v1`, `directives`), not a value. */
const literalSegment = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * The route template a request matched, e.g. `/api/v1/directives/:id`, built from Express's matched route
 * and the part of the path in front of it. Express keeps no template for the mount paths of routers, so
 * every segment of that part that is not a literal word becomes `:param`: a router mounted on a parameter
 * (`/u/:token`) can never put a token in a label. A request no route matched is labelled by its router's
 * mount followed by `/*`, or `unmatched`, so random URLs cannot grow the label set.
 */
export function routeTemplate(req: Pick<Request, 'route' | 'baseUrl' | 'originalUrl'>): string {
  const route = req.route as { path?: unknown } | undefined;
  // Express's final 404 handler runs outside every router: there is no base URL at all then.
  const mount = (req.baseUrl ?? '').split('/').filter(Boolean);
  if (!route || typeof route.path !== 'string') {
    const base = templateOf(mount);
    return base ? `${base}/*` : 'unmatched';
  }
  const routeSegments = route.path.split('/').filter(Boolean);
  const pathSegments = ((req.originalUrl ?? '').split(/[?#]/)[0] ?? '').split('/').filter(Boolean);
  const fixedLength = !routeSegments.some((s) => s.includes('*') || s.includes('{'));
  const baseSegments = fixedLength
    ? pathSegments.slice(0, Math.max(0, pathSegments.length - routeSegments.length))
    : mount;
  return `${templateOf(baseSegments)}/${routeSegments.join('/')}`.replace(/\/$/, '') || '/';
}

function templateOf(segments: string[]): string {
  return segments.map((s) => `/${literalSegment.test(s) ? s : ':param'}`).join('');
}
