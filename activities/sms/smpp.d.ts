/**
 * The part of `smpp` 0.5.1 (CommonJS, untyped) that Farman uses: sessions (client and server side), the
 * server, PDUs as loose field bags, and the status and option constants.
 */
declare module 'smpp' {
  import { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  /** A decoded PDU: the header fields plus whatever fields its command carries. */
  export interface PDU {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
    [field: string]: unknown;
  }

  export type PduCallback = (pdu: PDU) => void;
  type Command = (
    options?: Record<string, unknown>,
    responseCallback?: PduCallback,
    sendCallback?: PduCallback,
  ) => boolean;

  export class Session extends EventEmitter {
    socket: Socket;
    /** Sends a PDU; false when the socket is no longer writable. */
    send(pdu: PDU, responseCallback?: PduCallback, sendCallback?: PduCallback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver: Command;
    submit_sm: Command;
    deliver_sm: Command;
    enquire_link: Command;
    unbind: Command;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export interface ConnectOptions {
    host?: string;
    port?: number;
    url?: string;
    auto_enquire_link_period?: number;
    [option: string]: unknown;
  }

  export function connect(options: ConnectOptions, listener?: () => void): Session;
  export function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
  export function createServer(listener?: (session: Session) => void): Server;

  export const errors: Record<string, number>;
  export const ESME_ROK: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RSYSERR: number;
  export const ESME_RINVDSTADR: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RINVPASWD: number;
  export const ESME_RINVBNDSTS: number;
  export const ESME_RSUBMITFAIL: number;
  export const ESME_RX_T_APPN: number;
  export const ESM_CLASS: Record<string, number>;
  export const MESSAGE_STATE: Record<string, number>;
  export const TON: Record<string, number>;
  export const NPI: Record<string, number>;
  export const REGISTERED_DELIVERY: Record<string, number>;
}
