import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, startStack, type TestStack } from '../support/stack';

/**
 * The README's first session, run as written: the shell block the README marks, in bash, in a terminal
 * (`script`, because `admin create` asks for the password on one), against a real stack. The only change is
 * where things are: `localhost:3000` becomes the stack's address, and DATA_DIR and TEMPORAL_ADDRESS point at
 * the stack's data directory and the run's Temporal server, as `npm start` would set them.
 */

const root = path.join(__dirname, '../..');
const marker = '<!-- test/integration/readme-walkthrough.test.ts runs this block as written. -->';

/** The shell block right after the marker in README.md. */
function readmeBlock(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error('no ```sh block after the marker');
  return block[1];
}

const password = 'first-session-password-0123';

/** Runs a script in bash on a terminal, typing the password at each prompt; resolves with the exit code and the terminal's text. */
function runInTerminal(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const file = path.join(process.env.FARMAN_TEST_DIR!, `readme-${Date.now()}.sh`);
  writeFileSync(file, script);
  const child = spawn('script', ['-qec', `bash -e ${file}`, '/dev/null'], {
    cwd: root,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let prompts = 0;
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const seen = (output.match(/password: |again: /g) ?? []).length;
    for (; prompts < seen; prompts++) child.stdin.write(`${password}\r`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

let stack: TestStack;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  stack = await startStack({ seedAccounts: false });
  env = {
    ...process.env,
    DATA_DIR: stack.dataDir,
    TEMPORAL_ADDRESS: process.env.FARMAN_TEST_TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: process.env.FARMAN_TEST_TEMPORAL_NAMESPACE,
  };
});
afterAll(async () => {
  await stack?.stop();
});

describe("The README's first session, on any day", () => {
  const block = readmeBlock();
  const here = () => block.replaceAll('localhost:3000', new URL(stack.baseUrl).host);
  let id: string;

  test('When a newcomer runs the first-session block as written, then every command succeeds and the directive is issued with Jalali deadlines', async () => {
    const issuedAround = Date.now();
    const { code, output } = await runInTerminal(here(), env);
    expect([code, output]).toEqual([0, expect.any(String)]);
    const answer = /\{"id":"(\d{4}-\d{6})".*?\}\}/.exec(output);
    expect(answer).not.toBeNull();
    id = answer![1];
    const issued = JSON.parse(answer![0]) as {
      created: boolean;
      units: number;
      acknowledgeBy: { at: string; jalali: string };
      reportBy: { at: string; jalali: string };
    };
    expect(issued.created).toBe(true);
    expect(issued.units).toBeGreaterThan(1);
    expect(Date.parse(issued.acknowledgeBy.at) - issuedAround).toBeGreaterThanOrEqual(3 * 60_000 - 60_000);
    expect(Date.parse(issued.acknowledgeBy.at) - issuedAround).toBeLessThanOrEqual(3 * 60_000 + 60_000);
    expect(issued.acknowledgeBy.jalali).toMatch(/^[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} ساعت [۰-۹]{2}:[۰-۹]{2}$/);
    expect(Date.parse(issued.reportBy.at) - Date.parse(issued.acknowledgeBy.at)).toBeGreaterThan(47 * 3_600_000);

    // `npm run temporal -- workflow list`: the directive's workflow and one per unit, on the server it was pointed at.
    expect(output).toContain(`directive:${id}`);
    const units = stack.registry.resolveTargets({ mode: 'under', parents: ['THR-TEH'] });
    const codes = 'codes' in units ? units.codes : [];
    expect(codes).toHaveLength(issued.units);
    for (const unit of codes) expect(output).toContain(`directive:${id}/unit:${unit}`);
    // `npm run audit -- timeline $DIRECTIVE` on an open directive: read from the server, not refused.
    expect(output).toContain('directive-issued');
    expect(output).not.toContain('refusing a partial answer');
  }, 120_000);

  test('When a minute passes, then a reminder arrives in the inbox and the same timeline command shows it', async () => {
    const reminders = await eventually(
      () => {
        const sent = stack.sink
          .withHeader('x-farman-directive', id)
          .filter((m) => (m.headers.get('x-farman-purpose') as string).startsWith('reminder'));
        return sent.length > 0 ? sent : undefined;
      },
      110_000,
      'a reminder e-mail',
    );
    expect(reminders.length).toBeGreaterThan(0);
    const timelineLine = block.split('\n').find((l) => l.startsWith('npm run audit -- timeline'))!;
    const { code, output } = await runInTerminal(`export DIRECTIVE=${id}\n${timelineLine}\n`, env);
    expect(code).toBe(0);
    expect(output).toContain('reminder-due');
  }, 150_000);
});
