import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { unitCommandNames, unitCommands } from '../../api/office/unit-commands';
import { submitReportUpdate } from '../../workflows/contract';
import { directiveBody, issueViaApi, unitActor } from '../support/directives';
import { inSeconds, startStack, type TestStack } from '../support/stack';

/**
 * The office's unit actions are defined once (api/office/unit-commands.ts). The API, the dashboard's forms
 * and the CLI each send them, validated by the same schema: the same input records the same transition, and
 * the same bad input is refused for the same field.
 */
const run = promisify(execFile);
const codes = ['THR-TEH-MRK', 'THR-TEH-KAN', 'THR-REY-KHR'];
let stack: TestStack;
let id: string;

beforeAll(async () => {
  stack = await startStack();
  ({ id } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes },
      acknowledgeBy: inSeconds(3600),
      reportBy: inSeconds(7200),
      form: [],
    }),
  ));
  for (const code of codes) {
    await stack.gateway.unitUpdate(
      id,
      code,
      submitReportUpdate,
      { name: 'بخشدار', position: 'بخشدار', values: {}, by: unitActor(code) },
      `report-${code}`,
    );
  }
});
afterAll(async () => {
  await stack?.stop();
});

const cli = (args: string[]) =>
  run(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '../../scripts/farman.ts'), ...args], {
    cwd: path.join(__dirname, '../..'),
    env: { ...process.env, FARMAN_URL: stack.baseUrl, FARMAN_TOKEN: stack.officeToken, DATA_DIR: stack.dataDir },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );

async function dashboardAction(
  action: string,
  fields: Record<string, string>,
): Promise<{ status: number; html: string }> {
  const office = await stack.session('office');
  const res = await fetch(`${stack.baseUrl}/directives/${id}/actions/${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: office.cookie },
    body: new URLSearchParams({ ...fields, _csrf: office.csrfToken, submissionId: randomUUID() }).toString(),
  });
  return { status: res.status, html: res.status === 303 ? '' : await res.text() };
}

const stateOf = async (code: string) => (await stack.gateway.unitState(id, code)).state;

test('The API serves every unit command of the table, at the route the table names', async () => {
  const spec = (await (await stack.api('/api/v1/openapi.json')).json()) as {
    paths: Record<string, { post?: { operationId: string } }>;
  };
  for (const name of unitCommandNames) {
    const { route } = unitCommands[name];
    expect(spec.paths[`/directives/{id}/units/{code}/${route.path}`]?.post?.operationId).toBe(route.operationId);
  }
});

test('When the office accepts through the API, returns through the dashboard and exempts through the CLI, then each unit records it', async () => {
  const api = await stack.api(`/api/v1/directives/${id}/units/${codes[0]}/accept`, {
    method: 'POST',
    json: { note: 'تأیید شد' },
  });
  expect(api.status).toBe(200);
  expect(await stateOf(codes[0])).toBe('accepted');

  const page = await dashboardAction('return', { unit: codes[1], reason: 'ناقص است', reportBy: '' });
  expect(page.status).toBe(303);
  expect(await stateOf(codes[1])).toBe('returned');

  const cliRun = await cli(['unit', 'exempt', id, codes[2], '--reason', 'معاف شد', '--json']);
  expect(cliRun).toMatchObject({ code: 0 });
  expect(JSON.parse(cliRun.stdout)).toMatchObject({ state: { state: 'exempted' } });
  expect(await stateOf(codes[2])).toBe('exempted');
});

test('When an extension names no new deadline, then the API, the dashboard and the CLI refuse it for the same field and nothing changes', async () => {
  const before = (await stack.gateway.unitState(id, codes[1])).seq;
  const api = await stack.api(`/api/v1/directives/${id}/units/${codes[1]}/extend`, {
    method: 'POST',
    json: { reason: 'تمدید' },
  });
  expect(api.status).toBe(400);
  expect(api.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const problem = (await api.json()) as { errors: { path: string }[] };
  expect(problem.errors.map((e) => e.path)).toEqual(['reportBy']);

  const page = await dashboardAction('extend', { unit: codes[1], reason: 'تمدید', acknowledgeBy: '', reportBy: '' });
  expect(page.status).toBe(400);
  expect(page.html).toContain('lang="fa"');

  const cliRun = await cli(['unit', 'extend', id, codes[1], '--reason', 'تمدید']);
  expect(cliRun.code).not.toBe(0);
  expect(cliRun.stderr).toMatch(/reportBy/);

  expect((await stack.gateway.unitState(id, codes[1])).seq).toBe(before);
});

test('When the CLI is given an action that is not in the table, then it names the actions it knows', async () => {
  const cliRun = await cli(['unit', 'promote', id, codes[0]]);
  expect(cliRun.code).not.toBe(0);
  expect(cliRun.stderr).toContain(unitCommandNames.join(', '));
});
