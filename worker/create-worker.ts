import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { composeUnitMail } from '../activities/mail/compose';
import type { Mailer } from '../activities/mailer';
import type { HistoryArchive } from '../audit/archive';
import type { MailObserver } from '../activities/unit-mail';
import type { SentLedger } from '../activities/sent-ledger';
import { type FileStore } from '../lib/file-store';
import { signInboxToken, signLinkToken, type SigningKey } from '../lib/link-token';
import { shortLinkCode, type ShortLinkStore } from '../lib/short-link';
import { composeUnitSms } from '../activities/sms/compose-sms';
import type { SmsSender } from '../activities/sms/smpp-client';
import type { SmsLedger } from '../activities/sms/sms-ledger';
import { Client } from '@temporalio/client';
import { inboxLinkExpiry, readInboxGeneration } from '../domain/inbox-link';
import type { Registry } from '../domain/registry';
import type { DirectiveSpec } from '../workflows/types';
import { taskQueue, unitInboxWorkflowId } from '../workflows/contract';
import { buildStamp, loadWorkflowBuild } from './workflow-build';

export interface FarmanWorkerSetup {
  connection: NativeConnection;
  namespace: string;
  registry: () => Registry;
  mailer: Mailer;
  files: FileStore;
  signingKeys: SigningKey[];
  publicUrl: string;
  linkGraceMs: number;
  mailFrom: string;
  /** A prebuilt workflow bundle (tests build one per file); otherwise the worker bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The audit archive: the worker's workflow bundle is archived there under its build id before it runs. */
  archive?: HistoryArchive;
  tuning?: Pick<
    WorkerOptions,
    | 'maxCachedWorkflows'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentActivityTaskExecutions'
    | 'workflowThreadPoolSize'
    | 'shutdownGraceTime'
    | 'shutdownForceTime'
  >;
  /** Told each send's outcome (worker/metrics.ts). */
  mailObserver?: MailObserver;
  /** Messages already handed to the relay (activities/sent-ledger.ts); unset, a retried send sends again. */
  sentLedger?: SentLedger;
  /** The SMS channel (SMS_URL); unset, every message goes by e-mail. */
  sms?: {
    sender: SmsSender;
    /** Where short codes are written for the API to resolve (DATA_DIR/short-links). */
    shortLinks: ShortLinkStore;
    ledger?: SmsLedger;
    /** Base of short links when it differs from `publicUrl` (a shorter host name that serves the same API). */
    linkBase?: string;
  };
  taskQueue?: string;
}

/** The directory of the workflow code, as the bundler and the replayer take it. */
export const workflowsPath = path.join(__dirname, '..', 'workflows');

/** Wires the activities' dependencies and creates the worker; the one place implementations meet workflows. */
export async function createFarmanWorker(setup: FarmanWorkerSetup): Promise<Worker> {
  const messageIdDomain = /@([^>\s]+)/.exec(setup.mailFrom)?.[1] ?? 'farman.local';
  const tokenFor = ({
    directiveId,
    unitCode,
    generation,
    reportBy,
  }: {
    directiveId: string;
    unitCode: string;
    generation: number;
    reportBy: string;
  }) =>
    signLinkToken(
      { directiveId, unitCode, purpose: 'reply', generation, expiresAt: Date.parse(reportBy) + setup.linkGraceMs },
      setup.signingKeys,
    );
  const sms = setup.sms;
  // Reads each unit's inbox generation when a message to its head is composed (a describe call).
  const client = new Client({ connection: setup.connection, namespace: setup.namespace });
  const activities = createActivities({
    registry: setup.registry,
    mailer: setup.mailer,
    compose: composeUnitMail,
    from: setup.mailFrom,
    messageIdDomain,
    observer: setup.mailObserver,
    sentLedger: setup.sentLedger,
    linkFor: (args) => `${setup.publicUrl}/u/${tokenFor(args)}`,
    inboxLinkFor: async ({ unitCode, reportBy }) =>
      `${setup.publicUrl}/k/${signInboxToken(
        {
          unitCode,
          purpose: 'inbox',
          generation: await readInboxGeneration(client, unitInboxWorkflowId(unitCode)),
          expiresAt: inboxLinkExpiry(Date.now(), reportBy, setup.linkGraceMs),
        },
        setup.signingKeys,
      )}`,
    loadDocument: async (specRef) => {
      const spec = await setup.files.getJson<DirectiveSpec>(specRef);
      return { title: spec.title, body: spec.body, attachments: spec.attachments, smsForUrgent: spec.smsForUrgent };
    },
    sms: sms && {
      sender: sms.sender,
      compose: composeUnitSms,
      ledger: sms.ledger,
      // The code is derived, so writing it again on a retry (or on another worker) writes the same entry.
      shortLinkFor: (args) => {
        const code = shortLinkCode(setup.signingKeys, args);
        sms.shortLinks.put(code, tokenFor(args));
        return `${sms.linkBase ?? setup.publicUrl}/s/${code}`;
      },
    },
  });
  // The bundle's hash is the build id stamped into every history (worker/workflow-build.ts).
  const build = await loadWorkflowBuild(setup.workflowBundle, require.resolve(workflowsPath));
  await setup.archive?.addBundle(build.code);
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue ?? taskQueue,
    activities,
    ...buildStamp(build),
    ...setup.tuning,
  });
}
