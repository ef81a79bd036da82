import { createHash } from 'node:crypto';
import smpp, { type PDU, type Session } from 'smpp';
import { parseDeliveryReceipt, type DeliveryReceipt } from './delivery-receipt';
import { concatenationUdh, dataCodingOf, splitSms } from './sms-text';

/** One text message ready for the SMSC. `reference` is deterministic, so a retried send is the same message. */
export interface OutgoingSms {
  reference: string;
  /** E.164, e.g. +989123456789. */
  to: string;
  text: string;
}

/** What the SMSC accepted: one SMSC id per part, in order. */
export interface SmsSubmitted {
  reference: string;
  smscIds: string[];
  encoding: 'gsm7' | 'ucs2';
}

/** The SMSC refused the message for good (a bad number, a text it cannot take): retrying cannot help. */
export class PermanentSmsError extends Error {
  constructor(
    message: string,
    readonly commandStatus?: number,
  ) {
    super(message);
    this.name = 'PermanentSmsError';
  }
}

/** The SMSC cannot be reached or bound, or kept throttling past the retries: try again later. */
export class SmsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsUnavailableError';
  }
}

/** Sends text messages or throws: `PermanentSmsError` for a refusal, any other error for a transient fault. */
export interface SmsSender {
  /**
   * Submits every part of a message. `sentParts` holds the SMSC ids of parts an earlier attempt already
   * submitted (by part index), which are not sent again; `onPart` is told each part as the SMSC accepts it.
   */
  send(
    sms: OutgoingSms,
    progress?: { sentParts?: ReadonlyMap<number, string>; onPart?: (index: number, smscId: string) => void },
  ): Promise<SmsSubmitted>;
  /** Registers a listener for delivery receipts (called for every receipt, in arrival order). */
  onReceipt(listener: (receipt: DeliveryReceipt) => void): void;
  close(): Promise<void>;
}

export interface SmppClientOptions {
  /** `smpp://system_id:password@host:port` (`ssmpp://` for TLS). */
  url: string;
  /** The sender the phone shows: a number or an alphanumeric name the provider registered. */
  sourceAddress: string;
  /** Most submit_sm PDUs per second (one per part), as the provider's account allows. */
  ratePerSecond: number;
  /** How long a send waits for a bound session before failing as unavailable. */
  bindWaitMs?: number;
  /** How long a submit_sm waits for its response. */
  responseTimeoutMs?: number;
  /** Answers of ESME_RTHROTTLED / ESME_RMSGQFUL tolerated per part before the send fails as unavailable. */
  throttleRetries?: number;
  /** Period of enquire_link keep-alives while bound. */
  enquireLinkMs?: number;
  /** Most submit_sm awaiting their response at once (the SMPP window; providers commonly allow 10 to 50). */
  window?: number;
  /** Asks the SMSC for delivery receipts (registered_delivery 1). */
  receipts?: boolean;
  /** Receives connection events (bound, dropped, throttled); never message text or credentials. */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

const transientStatuses = new Set([
  smpp.ESME_RSYSERR,
  smpp.ESME_RTHROTTLED,
  smpp.ESME_RMSGQFUL,
  smpp.ESME_RX_T_APPN,
  smpp.ESME_RINVBNDSTS,
]);
const statusNames = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

/** The SMPP name of a command status, e.g. `ESME_RTHROTTLED (0x58)`. */
export function statusName(status: number): string {
  return `${statusNames.get(status) ?? 'status'} (0x${status.toString(16)})`;
}

/** The 8-bit concatenation reference of a message: from its reference, so every attempt uses the same one. */
function concatenationReference(reference: string): number {
  return createHash('sha256').update(reference).digest()[0];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An SMPP 3.4 client (ESME) kept bound as a transceiver to one SMSC: it binds at the first send, keeps the
 * session alive with enquire_link, and re-binds after a drop with backoff (1 s doubling to 30 s) for as long
 * as it is open. Sends wait for a bound session up to `bindWaitMs`, keep at most `window` parts awaiting
 * their answer, space their parts to `ratePerSecond`,
 * and answer the SMSC's throttling (ESME_RTHROTTLED, ESME_RMSGQFUL) by waiting and retrying the part with
 * backoff. Receipts arriving on the session are parsed and handed to the listeners.
 */
export class SmppClient implements SmsSender {
  private readonly url: URL;
  private session: Session | null = null;
  private bound = false;
  private binding: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private closed = false;
  private reconnectDelay = 1000;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private nextSlot = 0;
  private inFlight = 0;
  /** Requests awaiting their answer on the current session, each with how to fail it. */
  private readonly pending = new Set<(err: Error) => void>();
  private readonly windowWaiters: (() => void)[] = [];
  private readonly receiptListeners: ((receipt: DeliveryReceipt) => void)[] = [];

  constructor(private readonly options: SmppClientOptions) {
    this.url = new URL(options.url);
    if (!/^s?smpp:$/.test(this.url.protocol)) throw new Error('SMS_URL must be an smpp:// or ssmpp:// URL');
  }

  /** True while a session is bound (for health checks). */
  get isBound(): boolean {
    return this.bound;
  }

  onReceipt(listener: (receipt: DeliveryReceipt) => void): void {
    this.receiptListeners.push(listener);
  }

  async send(
    sms: OutgoingSms,
    progress: { sentParts?: ReadonlyMap<number, string>; onPart?: (index: number, smscId: string) => void } = {},
  ): Promise<SmsSubmitted> {
    const { encoding, parts } = splitSms(sms.text);
    const ref = concatenationReference(sms.reference);
    const smscIds: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const earlier = progress.sentParts?.get(i);
      if (earlier !== undefined) {
        smscIds.push(earlier);
        continue;
      }
      const shortMessage =
        parts.length === 1
          ? { message: parts[i] }
          : { udh: concatenationUdh(ref, parts.length, i + 1), message: parts[i] };
      const smscId = await this.submit({
        source_addr: this.options.sourceAddress,
        source_addr_ton: /^\+?\d+$/.test(this.options.sourceAddress) ? smpp.TON.INTERNATIONAL : smpp.TON.ALPHANUMERIC,
        source_addr_npi: /^\+?\d+$/.test(this.options.sourceAddress) ? smpp.NPI.ISDN : smpp.NPI.UNKNOWN,
        destination_addr: sms.to.replace(/^\+/, ''),
        dest_addr_ton: smpp.TON.INTERNATIONAL,
        dest_addr_npi: smpp.NPI.ISDN,
        registered_delivery: this.options.receipts === false ? 0 : smpp.REGISTERED_DELIVERY.FINAL,
        data_coding: dataCodingOf[encoding],
        short_message: shortMessage,
      });
      smscIds.push(smscId);
      progress.onPart?.(i, smscId);
    }
    return { reference: sms.reference, smscIds, encoding };
  }

  /** Unbinds and closes the session, and stops re-binding. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const session = this.session;
    this.session = null;
    this.bound = false;
    for (const wake of this.waiters.splice(0)) wake();
    if (!session) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => session.destroy(() => resolve()), 1000);
      const sent = session.unbind({}, () => {
        clearTimeout(timer);
        session.close(() => resolve());
      });
      if (!sent) {
        clearTimeout(timer);
        session.destroy();
        resolve();
      }
    });
  }

  /** Submits one part, waiting for a bound session and the rate limit, retrying throttling answers. */
  private async submit(fields: Record<string, unknown>): Promise<string> {
    const retries = this.options.throttleRetries ?? 8;
    for (let attempt = 0; ; attempt++) {
      await this.windowSlot();
      let pdu: PDU;
      try {
        const session = await this.boundSession();
        await this.rateSlot();
        pdu = await this.request(session, 'submit_sm', fields);
      } finally {
        this.inFlight -= 1;
        this.windowWaiters.shift()?.();
      }
      const status = pdu.command_status;
      if (status === smpp.ESME_ROK) return String(pdu.message_id);
      if (!transientStatuses.has(status))
        throw new PermanentSmsError(`SMSC refused the message: ${statusName(status)}`, status);
      if (attempt >= retries) throw new SmsUnavailableError(`SMSC kept answering ${statusName(status)}`);
      const backoff = Math.min(8000, 250 * 2 ** attempt);
      this.log('throttled', { status: statusName(status), backoffMs: backoff });
      await sleep(backoff);
    }
  }

  /** Sends a request PDU and resolves with its response; rejects when the session drops or times out. */
  private request(session: Session, command: 'submit_sm', fields: Record<string, unknown>): Promise<PDU> {
    return new Promise<PDU>((resolve, reject) => {
      const timeoutMs = this.options.responseTimeoutMs ?? 10_000;
      const done = (err: Error | null, pdu?: PDU) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        if (err) reject(err);
        else resolve(pdu!);
      };
      // One listener on the session's close fails every request awaiting an answer (see `bind`).
      const fail = (err: Error) => done(err);
      const timer = setTimeout(
        () => done(new SmsUnavailableError(`no ${command}_resp within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending.add(fail);
      if (!session[command](fields, (pdu) => done(null, pdu)))
        done(new SmsUnavailableError('the SMSC session is not writable'));
    });
  }

  /** Waits until fewer than `window` requests await their response, then takes a place. */
  private async windowSlot(): Promise<void> {
    while (this.inFlight >= (this.options.window ?? 20))
      await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
    this.inFlight += 1;
  }

  /** Waits for the next send slot of the rate limit (slots are `1000 / ratePerSecond` ms apart). */
  private async rateSlot(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.options.ratePerSecond;
    if (slot > now) await sleep(slot - now);
  }

  /** The bound session, binding first if need be; throws SmsUnavailableError after `bindWaitMs`. */
  private async boundSession(): Promise<Session> {
    if (this.closed) throw new SmsUnavailableError('the SMS client is closed');
    if (this.bound && this.session) return this.session;
    // A send does not wait out the re-bind backoff: it binds now (one attempt at a time).
    if (!this.binding) {
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.bind();
    }
    const waitMs = this.options.bindWaitMs ?? 3000;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, waitMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
    });
    if (this.bound && this.session) return this.session;
    throw new SmsUnavailableError(`not bound to the SMSC at ${this.url.hostname}:${this.url.port} after ${waitMs} ms`);
  }

  /** Connects and binds as a transceiver; on failure or a later drop, schedules the next attempt. */
  private bind(): void {
    this.binding = new Promise<void>((resolve) => {
      const session = smpp.connect({
        host: this.url.hostname,
        port: Number(this.url.port || (this.url.protocol === 'ssmpp:' ? 3550 : 2775)),
        ...(this.url.protocol === 'ssmpp:' ? { tls: true } : {}),
        auto_enquire_link_period: this.options.enquireLinkMs ?? 30_000,
      });
      this.session = session;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        this.binding = null;
        resolve();
      };
      session.on('error', (err: Error) => this.log('session error', { error: err.message }));
      session.on('close', () => {
        for (const fail of [...this.pending])
          fail(new SmsUnavailableError('the SMSC session closed before it answered'));
        const wasBound = this.bound;
        if (this.session === session) {
          this.session = null;
          this.bound = false;
        }
        settle();
        if (wasBound) this.log('dropped', {});
        this.scheduleReconnect();
      });
      session.on(this.url.protocol === 'ssmpp:' ? 'secureConnect' : 'connect', () => {
        session.bind_transceiver(
          {
            system_id: decodeURIComponent(this.url.username),
            password: decodeURIComponent(this.url.password),
            interface_version: 0x34,
          },
          (pdu) => {
            if (pdu.command_status !== smpp.ESME_ROK) {
              this.log('bind refused', { status: statusName(pdu.command_status) });
              session.destroy();
              return;
            }
            this.bound = true;
            this.reconnectDelay = 1000;
            this.log('bound', { host: this.url.hostname, port: this.url.port });
            settle();
            for (const wake of this.waiters.splice(0)) wake();
          },
        );
      });
      session.on('deliver_sm', (pdu: PDU) => {
        session.send(pdu.response());
        const receipt = parseDeliveryReceipt(pdu);
        if (receipt) for (const listener of this.receiptListeners) listener(receipt);
      });
      session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
      session.on('unbind', (pdu: PDU) => {
        session.send(pdu.response());
        session.close();
      });
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(30_000, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed && !this.bound && !this.binding) this.bind();
    }, delay);
    this.reconnectTimer.unref();
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.options.log?.(event, fields);
  }
}
