import path from 'node:path';
import { ownerOf, summarizeProfile } from '../../bench/histories';

const root = path.join(__dirname, '..', '..');
const file = (relative: string) => `file://${path.join(root, relative)}`;

// A V8 CPU profile in the shape `--cpu-prof` writes: a call tree of nodes, the sampled node per tick and
// the microseconds between ticks.
function profileOf(stacks: { frames: { name: string; url: string }[]; us: number }[]) {
  const nodes = [{ id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: 0 }, children: [] as number[] }];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (const { frames, us } of stacks) {
    let parent = nodes[0];
    for (const f of frames) {
      let child = parent.children
        .map((id) => nodes[id - 1])
        .find((n) => n.callFrame.functionName === f.name && n.callFrame.url === f.url);
      if (!child) {
        child = { id: nodes.length + 1, callFrame: { functionName: f.name, url: f.url, lineNumber: 0 }, children: [] };
        nodes.push(child);
        parent.children.push(child.id);
      }
      parent = child;
    }
    samples.push(parent.id);
    timeDeltas.push(us);
  }
  return { nodes, samples, timeDeltas };
}

describe('the benchmark profile summary', () => {
  test('When frames come from packages, this repository or the workflow bundle, then each is owned by its source', () => {
    expect(ownerOf(file('node_modules/nodemailer/lib/mime-node/index.js'))).toBe('nodemailer');
    expect(ownerOf(file('node_modules/@temporalio/worker/lib/worker.js'))).toBe('@temporalio/worker');
    expect(ownerOf(file('activities/unit-mail.ts'))).toBe('farman activities');
    expect(ownerOf('/tmp/workflow-bundle-a3b4716f5ceabfae61c6.js')).toBe('workflow bundle');
    expect(ownerOf('evalmachine.<anonymous>')).toBe('vm sandbox');
    expect(ownerOf('node:internal/streams/writable')).toBeNull();
    expect(ownerOf('')).toBeNull();
    // The benchmark's counter wraps the sandbox entry; its caller owns the time.
    expect(ownerOf(file('bench/sandbox-calls.ts'))).toBeNull();
  });

  test('When a sample ends in native or Node code, then its time goes to the innermost owned frame above it, idle time to none', () => {
    const sdk = { name: 'activate', url: file('node_modules/@temporalio/worker/lib/workflow/vm-shared.js') };
    const counter = { name: 'runInContext', url: file('bench/sandbox-calls.ts') };
    const native = { name: 'runInContext', url: '' };
    const mailer = { name: 'send', url: file('activities/mailer.ts') };
    const nodemailer = { name: 'build', url: file('node_modules/nodemailer/lib/mime-node/index.js') };
    const stream = { name: 'write', url: 'node:internal/streams/writable' };
    const summary = summarizeProfile(
      profileOf([
        { frames: [sdk, counter, native], us: 3_000 },
        { frames: [mailer, nodemailer, stream], us: 2_000 },
        { frames: [mailer], us: 1_000 },
        { frames: [{ name: '(garbage collector)', url: '' }], us: 500 },
        { frames: [{ name: '(idle)', url: '' }], us: 9_000 },
      ]),
    );
    expect(summary.sampledMs).toBe(7);
    expect(summary.byOwner).toEqual([
      { owner: '@temporalio/worker', ms: 3, share: 0.462 },
      { owner: 'nodemailer', ms: 2, share: 0.308 },
      { owner: 'farman activities', ms: 1, share: 0.154 },
      { owner: '(garbage collector)', ms: 1, share: 0.077 },
    ]);
  });
});
