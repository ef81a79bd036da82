import { randomBytes } from 'node:crypto';
import smpp, { type PDU, type Server, type Session } from 'smpp';
import { formatDeliveryReceipt } from './delivery-receipt';

/**
 * A small SMSC for development and tests, on the `smpp` package's server: it binds any ESME (or only the
 * given credentials), accepts submit_sm, reassembles concatenated parts by their UDH, and answers each
 * accepted part with a delivery receipt when one was asked for. Tests steer it: numbers it refuses, numbers
 * whose delivery fails, throttling answers, and going down and up again on the same port.
 */

/** One part as the SMSC accepted it. */
export interface ReceivedPart {
  smscId: string;
  from: string;
  to: string;
  text: string;
  dataCoding: number;
  /** The concatenation header's reference, part count and number, when the part had one. */
  concat: { ref: number; total: number; seq: number } | null;
  receivedAt: number;
}

/** A whole message: its parts joined in order once the last one has arrived. */
export interface ReceivedSms {
  from: string;
  to: string;
  text: string;
  parts: ReceivedPart[];
  receivedAt: number;
}

export interface DevSmscOptions {
  port: number;
  host?: string;
  /** When set, a bind must carry these credentials; otherwise any system_id binds. */
  credentials?: { systemId: string; password: string };
  /** Delay before a part's delivery receipt. */
  receiptDelayMs?: number;
}

export class DevSmsc {
  readonly parts: ReceivedPart[] = [];
  readonly messages: ReceivedSms[] = [];
  /** Destination numbers (digits, no `+`) refused at submit with ESME_RINVDSTADR: a permanent failure. */
  readonly refuse = new Set<string>();
  /** Destination numbers accepted at submit but reported UNDELIV in their receipt. */
  readonly undeliverable = new Set<string>();
  /** The next this many submit_sm are answered ESME_RTHROTTLED. */
  throttleNext = 0;
  /** How many submit_sm were answered with a throttling status. */
  throttled = 0;
  private server: Server | null = null;
  private readonly pending = new Map<string, ReceivedPart[]>();
  private readonly boot = randomBytes(3).toString('hex');
  private counter = 0;
  private readonly listeners: ((message: ReceivedSms) => void)[] = [];

  constructor(readonly options: DevSmscOptions) {}

  /** Is told each message once all its parts have arrived. */
  onMessage(listener: (message: ReceivedSms) => void): void {
    this.listeners.push(listener);
  }

  async up(): Promise<void> {
    const server = smpp.createServer((session) => this.serve(session));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
  }

  /** Stops listening and drops every bound session, as an SMSC restart does. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const session of [...server.sessions]) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Messages to a number (E.164 or digits). */
  to(number: string): ReceivedSms[] {
    const digits = number.replace(/^\+/, '');
    return this.messages.filter((m) => m.to === digits);
  }

  private serve(session: Session): void {
    let bound = false;
    session.on('error', () => undefined);
    const bind = (pdu: PDU) => {
      const creds = this.options.credentials;
      if (creds && (pdu.system_id !== creds.systemId || pdu.password !== creds.password)) {
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        return;
      }
      bound = true;
      session.send(pdu.response({ system_id: 'farman-dev-smsc' }));
    };
    session.on('bind_transceiver', bind);
    session.on('bind_transmitter', bind);
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('deliver_sm_resp', () => undefined);
    session.on('submit_sm', (pdu: PDU) => {
      if (!bound) return session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      if (this.throttleNext > 0) {
        this.throttleNext -= 1;
        this.throttled += 1;
        return session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      }
      const to = String(pdu.destination_addr);
      if (this.refuse.has(to)) return session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      const part = this.accept(pdu);
      session.send(pdu.response({ message_id: part.smscId }));
      if (Number(pdu.registered_delivery) & 0x03) {
        const stat = this.undeliverable.has(to) ? 'UNDELIV' : 'DELIVRD';
        const submittedAt = new Date(part.receivedAt);
        setTimeout(() => {
          session.deliver_sm({
            source_addr: to,
            destination_addr: part.from,
            esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
            short_message: formatDeliveryReceipt({
              smscId: part.smscId,
              stat,
              submittedAt,
              doneAt: new Date(),
              error: stat === 'DELIVRD' ? '000' : '001',
            }),
            receipted_message_id: part.smscId,
            message_state: stat === 'DELIVRD' ? smpp.MESSAGE_STATE.DELIVERED : smpp.MESSAGE_STATE.UNDELIVERABLE,
          });
        }, this.options.receiptDelayMs ?? 50).unref();
      }
    });
  }

  /** Records a part and, when it completes its message, the whole message. */
  private accept(pdu: PDU): ReceivedPart {
    const sm = pdu.short_message as { udh?: Buffer[]; message?: string | Buffer };
    const udh = sm.udh?.find((ie) => ie[0] === 0x00 && ie[1] === 3);
    const part: ReceivedPart = {
      smscId: `${this.boot}${(this.counter += 1).toString(16).padStart(6, '0')}`,
      from: String(pdu.source_addr),
      to: String(pdu.destination_addr),
      text: typeof sm.message === 'string' ? sm.message : (sm.message?.toString('latin1') ?? ''),
      dataCoding: Number(pdu.data_coding),
      concat: udh ? { ref: udh[2], total: udh[3], seq: udh[4] } : null,
      receivedAt: Date.now(),
    };
    this.parts.push(part);
    if (!part.concat) {
      this.complete([part]);
      return part;
    }
    const key = `${part.from}|${part.to}|${part.concat.ref}|${part.concat.total}`;
    const list = this.pending.get(key) ?? [];
    // A part sent again (a retried attempt) replaces the earlier copy instead of joining twice.
    const kept = list.filter((p) => p.concat!.seq !== part.concat!.seq);
    kept.push(part);
    if (kept.length === part.concat.total) {
      this.pending.delete(key);
      this.complete(kept.sort((a, b) => a.concat!.seq - b.concat!.seq));
    } else this.pending.set(key, kept);
    return part;
  }

  private complete(parts: ReceivedPart[]): void {
    const last = parts[parts.length - 1];
    const message: ReceivedSms = {
      from: last.from,
      to: last.to,
      text: parts.map((p) => p.text).join(''),
      parts,
      receivedAt: last.receivedAt,
    };
    this.messages.push(message);
    for (const listener of this.listeners) listener(message);
  }
}
