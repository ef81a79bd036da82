import { DevSmsc } from '../../activities/sms/dev-smsc';
import { freePort } from '../../worker/temporal-server';

export const sinkCredentials = { systemId: 'farman', password: 'sink-pass' };

/**
 * A real SMPP server in the test process (the dev SMSC on a free port, with credentials), as `SmtpSink` is
 * for mail: it keeps every part and reassembled message for assertions, refuses or fails chosen numbers,
 * throttles on demand, and can go down and up again on the same port to play an SMSC restart.
 */
export class SmppSink extends DevSmsc {
  static async start(options: { receiptDelayMs?: number } = {}): Promise<SmppSink> {
    const sink = new SmppSink({ port: await freePort(), credentials: sinkCredentials, ...options });
    await sink.up();
    return sink;
  }

  get url(): string {
    return `smpp://${sinkCredentials.systemId}:${sinkCredentials.password}@127.0.0.1:${this.options.port}`;
  }
}
