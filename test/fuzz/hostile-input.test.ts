import { noticeLink } from '../../reliability/harness/unit-links';
import { issueViaApi } from '../support/directives';
import { startStack, type TestStack } from '../support/stack';
import { acceptUnitReport, fuzzDeployment, type FuzzTarget } from '../../reliability/fuzz/fuzz-runner';
import { validDirective } from '../../reliability/fuzz/hostile-requests';

/**
 * Hostile input against the real app (real Temporal, real worker): over a thousand generated requests to
 * the office API and the unit pages, each invalid by construction. Every answer must be a 4xx with a clear
 * message, never a 5xx, and nothing may change. `npm run chaos` runs a longer version.
 */

let stack: TestStack;
let target: FuzzTarget;
beforeAll(async () => {
  stack = await startStack();
  const unitCodes = ['THR-TEH-MRK', 'THR-TEH-KAN'];
  const acceptedCode = 'THR-REY-MRK';
  const { id, status } = await issueViaApi(stack, validDirective([...unitCodes, acceptedCode]));
  expect(status).toBe(201);
  const links: Record<string, string> = {};
  for (const code of [...unitCodes, acceptedCode]) links[code] = new URL(await noticeLink(stack, id, code)).pathname;
  const accepted = await acceptUnitReport(
    { baseUrl: stack.baseUrl, officeToken: stack.officeToken, directiveId: id },
    acceptedCode,
    links[acceptedCode],
  );
  delete links[acceptedCode];
  target = {
    accepted,
    baseUrl: stack.baseUrl,
    origin: stack.baseUrl,
    dataDir: stack.dataDir,
    officeToken: stack.officeToken,
    directiveId: id,
    unitCodes,
    links,
    unitState: (code) => stack.gateway.unitState(id, code),
  };
});
afterAll(async () => {
  await stack?.stop();
});

test('When over a thousand hostile requests hit the API and the unit pages, then each gets a clear 4xx, none a 5xx, and nothing changes', async () => {
  const counts = await fuzzDeployment(target, { issue: 350, actions: 250, pages: 450, oversizedUploads: true });
  console.log(
    `fuzz seed ${counts.seed}: ${counts.requests} requests, ${counts.fourXX} 4xx, ${counts.fiveXX} 5xx; by status ${JSON.stringify(counts.byStatus)}; by kind ${JSON.stringify(counts.byKind)}`,
  );
  expect(counts.requests).toBeGreaterThanOrEqual(1_000);
  expect(counts.failures).toEqual([]);
  expect(counts.fiveXX).toBe(0);
  expect(counts.stateChanges).toEqual([]);
}, 600_000);
