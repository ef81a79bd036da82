import { inPool } from '../../bench/histories';
import { generateRegistry } from '../../scripts/generate-registry';
import { shardWorkflowId, submitReportUpdate, unitWorkflowId } from '../../workflows/contract';
import type { DirectiveStatus } from '../../workflows/types';
import { directiveBody, issueViaApi, unitActor } from '../support/directives';
import { inSeconds, startStack, type TestStack } from '../support/stack';

const unitCount = 600;
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ registry: generateRegistry(unitCount, 7) });
});
afterAll(async () => {
  await stack?.stop();
});

async function historyLength(workflowId: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events?.length ?? 0;
}

test(`When a directive targets ${unitCount} units, then it fans out through shards of at most 500 and every unit ends accepted`, async () => {
  const { id } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'all' },
      acknowledgeBy: inSeconds(600),
      reportBy: inSeconds(900),
      acceptance: 'automatic',
      form: [],
    }),
  );
  const codes = stack.registry.recipients().map((u) => u.code);
  expect(codes).toHaveLength(unitCount);

  const status = await stack.gateway.directiveStatus(id);
  expect(status.shards).toEqual([shardWorkflowId(id, 0), shardWorkflowId(id, 1)]);
  expect(status.total).toBe(unitCount);

  await inPool(codes, 16, (code) =>
    stack.gateway.unitUpdate(
      id,
      code,
      submitReportUpdate,
      { name: 'بخشدار', position: 'بخشدار', values: {}, by: unitActor(code) },
      `report-${code}`,
    ),
  );
  const summary: DirectiveStatus = await stack.client.workflow.getHandle(`directive:${id}`).result();
  expect(summary.state).toBe('completed');
  expect(summary.counts.accepted).toBe(unitCount);
  expect(summary.started).toBe(unitCount);

  // Each shard parents at most 500 units, and no history comes near Temporal's 10,240-event warning.
  const shardSizes = await Promise.all(
    status.shards.map(async (shardId) => {
      let children = 0;
      for await (const _ of stack.client.workflow.list({ query: `ParentWorkflowId = '${shardId}'` })) children++;
      return children;
    }),
  );
  expect(shardSizes).toEqual([500, 100]);
  const lengths = await Promise.all(
    [`directive:${id}`, ...status.shards, unitWorkflowId(id, codes[0])].map(historyLength),
  );
  for (const length of lengths) expect(length).toBeLessThan(10_240 / 2);
}, 600_000);
