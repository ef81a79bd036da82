import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { MailObserver } from '../activities/unit-mail';

/**
 * The worker's own Prometheus metrics, in a registry of its own. Temporal's core metrics (task slots,
 * poll and schedule-to-start latencies, sticky cache…) are served by the SDK runtime on another port:
 * its endpoint cannot carry application series.
 * - `farman_mail_sent_total{kind}`: messages the relay accepted, by kind (notice, reminder, escalation…);
 * - `farman_escalations_sent_total{to}`: escalation messages accepted, by recipient role (deputy, governor);
 * - `farman_mail_undeliverable_total{kind}`: messages refused for good, or whose unit left the registry;
 * - Node's process metrics (`process_*`, `nodejs_*`).
 * A message re-sent because an activity was retried after the relay accepted it counts again.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly sent = new Counter({
    name: 'farman_mail_sent_total',
    help: 'Unit messages accepted by the SMTP relay, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly escalations = new Counter({
    name: 'farman_escalations_sent_total',
    help: 'Escalation messages accepted by the SMTP relay, by recipient role.',
    labelNames: ['to'] as const,
    registers: [this.registry],
  });
  private readonly undeliverable = new Counter({
    name: 'farman_mail_undeliverable_total',
    help: 'Unit messages that could not be delivered (refused for good, or no recipient), by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** What the mail activity reports to. */
  readonly mailObserver: MailObserver = {
    sent: ({ kind, to }) => {
      this.sent.inc({ kind });
      if (kind === 'escalation') this.escalations.inc({ to });
    },
    undeliverable: ({ kind }) => this.undeliverable.inc({ kind }),
  };
}
