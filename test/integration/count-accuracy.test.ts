import { unitStateLabels } from '../../api/dashboard/labels';
import { inPool } from '../../bench/histories';
import { generateRegistry } from '../../scripts/generate-registry';
import { acknowledgeUpdate, submitReportUpdate } from '../../workflows/contract';
import { whenBusyRetry } from '../../reliability/harness/busy-retry';
import { checkCounts } from '../../reliability/harness/count-check';
import { parseCsv } from '../support/csv';
import { directiveBody, issueViaApi, unitActor } from '../support/directives';
import { inSeconds, startStack, type TestStack } from '../support/stack';

/**
 * Every reply must reach the counts the directive shows, whatever the interleaving with the signals a unit
 * sends its parent. The bound: once the last reply is recorded, the directive's counts equal the units' own
 * states within `settleMs` (a few workflow tasks; the shard path adds at most one flush interval).
 */
const settleMs = 30_000;
const unitCount = 48;
const heads = { name: 'بخشدار', position: 'بخشدار' };

/**
 * Issues to every unit, then has `acknowledgers` heads acknowledge and the first `reporters` of them report
 * right after (one sitting, back to back), many heads at once; returns the id and the expected counts.
 */
async function replyBackToBack(stack: TestStack, acknowledgers: number, reporters: number) {
  const { id } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'all' },
      acknowledgeBy: inSeconds(3600),
      reportBy: inSeconds(7200),
      acceptance: 'manual',
      form: [],
    }),
  );
  const codes = stack.registry.recipients().map((u) => u.code);
  await inPool(codes.slice(0, acknowledgers), 12, async (code) => {
    const i = codes.indexOf(code);
    await whenBusyRetry(() =>
      stack.gateway.unitUpdate(id, code, acknowledgeUpdate, { ...heads, by: unitActor(code) }, `ack-${code}`),
    );
    if (i < reporters)
      await whenBusyRetry(() =>
        stack.gateway.unitUpdate(
          id,
          code,
          submitReportUpdate,
          { ...heads, values: {}, by: unitActor(code) },
          `report-${code}`,
        ),
      );
  });
  return { id, codes };
}

describe.each([
  ['directly under the directive', undefined],
  ['through shards of 16 units', 16],
])('When heads acknowledge and report back to back %s', (_label, shardSize) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ registry: generateRegistry(unitCount, 11), shardSize });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('then the directive counts every reply, as the units themselves do', async () => {
    const acknowledgers = 36;
    const reporters = 24;
    const { id, codes } = await replyBackToBack(stack, acknowledgers, reporters);
    const expected = {
      reported: reporters,
      acknowledged: acknowledgers - reporters,
      notified: unitCount - acknowledgers,
    };

    const check = await checkCounts(stack.gateway, id, codes, settleMs);
    expect(check).toMatchObject({ agreed: true, miscounted: 0 });
    expect(check.units).toEqual(expected);
    expect(check.shown).toEqual(expected);

    // What the office reads agrees too: the directive's detail (its counts, compliance and unit rows) and
    // the CSV export, one row per unit.
    const detail = (await (await stack.api(`/api/v1/directives/${id}`)).json()) as {
      compliancePercent: number;
      status: { counts: Record<string, number> };
      units: { unitCode: string; state: string }[];
    };
    expect(detail.status.counts).toMatchObject(expected);
    expect(detail.units.filter((u) => u.state === 'reported')).toHaveLength(reporters);
    expect(detail.compliancePercent).toBeCloseTo((reporters / unitCount) * 100, 0);
    const csv = await (await stack.api(`/api/v1/directives/${id}/export.csv`)).text();
    const [headers, ...rows] = parseCsv(csv.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    const stateCol = headers.indexOf('وضعیت');
    const reportCol = headers.indexOf('زمان گزارش');
    expect(rows).toHaveLength(unitCount);
    expect(rows.filter((r) => r[stateCol] === unitStateLabels.reported)).toHaveLength(reporters);
    // No row may say a unit is only acknowledged while its report time is filled in.
    expect(rows.filter((r) => r[reportCol] !== '' && r[stateCol] !== unitStateLabels.reported)).toEqual([]);
  }, 300_000);
});
