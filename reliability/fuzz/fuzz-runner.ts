import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { UnitState } from '../../workflows/unit-state';
import { submissionIdIn } from '../harness/unit-links';
import { actionRequests, issueRequests, pageRequests, type FuzzContext, type HostileRequest } from './hostile-requests';

/** A deployment to fuzz: where it answers, where it keeps its files, and how to read a unit's state. */
export interface FuzzTarget extends FuzzContext {
  baseUrl: string;
  dataDir: string;
  unitState(code: string): Promise<UnitState>;
}

export interface FuzzCounts {
  seed: number;
  requests: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  fourXX: number;
  fiveXX: number;
  /** Answers outside 4xx (2xx, 3xx, 5xx) or a 4xx without a clear message: each with the request that got it. */
  failures: string[];
  /** Differences between the state before and after (unit histories, directives, stored files); empty is right. */
  stateChanges: string[];
}

/**
 * Puts a unit of the target directive where it takes no report: a report through its page (`link`, a path),
 * then the office's accept over the API. The fuzz run then sends it uploads, which must be refused.
 */
export async function acceptUnitReport(
  target: { baseUrl: string; officeToken: string; directiveId: string },
  code: string,
  link: string,
): Promise<FuzzContext['accepted']> {
  const page = await (await fetch(`${target.baseUrl}${link}`)).text();
  const submissionId = submissionIdIn(page, 'report');
  const report = new FormData();
  for (const [k, v] of Object.entries({ submissionId, name: 'حسن رحیمی', position: 'بخشدار', v_stations: '۱۲' }))
    report.append(k, v);
  const sent = await fetch(`${target.baseUrl}${link}/report?submission=${submissionId}`, {
    method: 'POST',
    body: report,
    headers: { origin: target.baseUrl },
    redirect: 'manual',
  });
  const accepted = await fetch(`${target.baseUrl}/api/v1/directives/${target.directiveId}/units/${code}/accept`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.officeToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (sent.status !== 303 || accepted.status !== 200)
    throw new Error(`cannot accept ${code}'s report: report ${sent.status}, accept ${accepted.status}`);
  return { code, link };
}

/**
 * Sends `runs` generated hostile requests of each family (issue, unit actions, unit pages) and checks each
 * answer: a 4xx, with a clear message (problem+json with a title and detail on the API; a Persian alert or
 * field error on the pages), and, over the whole run, no change to the units' histories, the directive
 * serials or the stored files. The seed is reported so a failing run can be replayed.
 */
export async function fuzzDeployment(
  target: FuzzTarget,
  runs: { issue: number; actions: number; pages: number; oversizedUploads?: boolean; seed?: number },
): Promise<FuzzCounts> {
  const seed = runs.seed ?? Date.now() % 2_147_483_647;
  const counts: FuzzCounts = {
    seed,
    requests: 0,
    byKind: {},
    byStatus: {},
    fourXX: 0,
    fiveXX: 0,
    failures: [],
    stateChanges: [],
  };
  const before = await snapshot(target);
  const families: [fc.Arbitrary<HostileRequest>, number][] = [
    [issueRequests(target), runs.issue],
    [actionRequests(target), runs.actions],
    [pageRequests(target, { oversizedUploads: runs.oversizedUploads ?? false }), runs.pages],
  ];
  for (const [i, [arbitrary, n]] of families.entries()) {
    const requests = fc.sample(arbitrary, { numRuns: n, seed: seed + i });
    // A few at a time: enough to be quick, few enough not to starve the machine's other work.
    for (let at = 0; at < requests.length; at += 4) {
      await Promise.all(requests.slice(at, at + 4).map((r) => send(target, r, counts)));
    }
  }
  const after = await snapshot(target);
  counts.stateChanges = diff(before, after);
  return counts;
}

/**
 * One request. A network error is retried once: a kept-alive socket that the server closed while idle is
 * refused before the request reaches the app (no answer is not the app's answer), and a request that did
 * reach it must change nothing anyway, which the state snapshot checks.
 */
function fetchOnce(target: FuzzTarget, request: HostileRequest): Promise<Response> {
  return fetch(`${target.baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
  });
}

async function send(target: FuzzTarget, request: HostileRequest, counts: FuzzCounts): Promise<void> {
  counts.requests += 1;
  counts.byKind[request.kind] = (counts.byKind[request.kind] ?? 0) + 1;
  let status: number;
  let type = '';
  let text = '';
  try {
    const res = await fetchOnce(target, request).catch(() => fetchOnce(target, request));
    status = res.status;
    type = res.headers.get('content-type') ?? '';
    text = await res.text();
  } catch (err) {
    counts.failures.push(`${request.kind} [${request.breaking}]: no answer (${(err as Error).message})`);
    return;
  }
  counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
  if (status >= 500) counts.fiveXX += 1;
  if (status >= 400 && status < 500) counts.fourXX += 1;
  const clear = status >= 400 && status < 500 && clearMessage(request, status, type, text);
  if (!clear) {
    const shown = request.path.replace(/\/u\/[^/]+/, '/u/<token>').slice(0, 80);
    const said = /<div class="notice[^"]*"[^>]*>([^<]*)</.exec(text)?.[1] ?? text.replace(/\s+/g, ' ').slice(0, 120);
    counts.failures.push(
      `${request.kind} [${request.breaking}] ${request.method} ${shown} → ${status} ${type.split(';')[0]}: ${said.replace(/\/u\/[^/?\s]+/g, '/u/<token>')}`,
    );
  }
}

/** Whether a refusal says what is wrong: problem+json on the API, a Persian alert or field error on the pages. */
function clearMessage(request: HostileRequest, status: number, type: string, text: string): boolean {
  if (request.path.startsWith('/api/')) {
    if (!type.startsWith('application/problem+json')) return false;
    const problem = JSON.parse(text) as { title?: unknown; detail?: unknown; status?: unknown };
    return (
      typeof problem.title === 'string' &&
      typeof problem.detail === 'string' &&
      problem.detail.length > 0 &&
      problem.status === status
    );
  }
  if (!type.startsWith('text/html')) return status === 431 || status === 414;
  const alert = /<div class="(notice [a-z]+|field-error)"[^>]*>([^<]*[\u0600-\u06FF][^<]*)<\/div>/.exec(text);
  return alert !== null;
}

interface Snapshot {
  units: Record<string, string>;
  files: string[];
}

async function snapshot(target: FuzzTarget): Promise<Snapshot> {
  const units: Record<string, string> = {};
  for (const code of [...target.unitCodes, target.accepted.code]) {
    const s = await target.unitState(code);
    units[code] = JSON.stringify({
      state: s.state,
      log: s.log.filter((t) => t.event.type !== 'mailRecorded').length,
      linkGeneration: s.linkGeneration,
    });
  }
  const files: string[] = [];
  for (const dir of ['directives', 'requests', 'files']) files.push(...listFiles(path.join(target.dataDir, dir), dir));
  return { units, files: files.sort() };
}

function listFiles(dir: string, label: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const full = path.join(dir, name);
    const st = statSync(full);
    return st.isDirectory() ? listFiles(full, `${label}/${name}`) : [`${label}/${name} ${st.size}`];
  });
}

function diff(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const code of Object.keys(a.units))
    if (a.units[code] !== b.units[code]) out.push(`unit ${code}: ${a.units[code]} → ${b.units[code]}`);
  const before = new Set(a.files);
  const after = new Set(b.files);
  for (const f of b.files) if (!before.has(f)) out.push(`new or changed file ${f}`);
  for (const f of a.files) if (!after.has(f)) out.push(`missing file ${f}`);
  return out;
}
