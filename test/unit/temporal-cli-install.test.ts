import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureTemporalCli, goMissingAdvice } from '../../worker/temporal-server';

/** A directory to serve as the whole PATH, with the given executables (shell scripts). */
function pathWith(executables: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'farman-path-'));
  for (const [name, script] of Object.entries(executables)) {
    writeFileSync(path.join(dir, name), `#!/bin/sh\nPATH=/usr/bin:/bin\n${script}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

describe('The first start builds the temporal CLI', () => {
  it('When neither the CLI nor Go is there, then it says the three ways on', async () => {
    const said: string[] = [];
    await expect(ensureTemporalCli((l) => said.push(l), { PATH: pathWith({}) })).rejects.toThrow(goMissingAdvice);
    expect(goMissingAdvice).toMatch(/install Go/);
    expect(goMissingAdvice).toMatch(/TEMPORAL_CLI/);
    expect(goMissingAdvice).toMatch(/TEMPORAL_ADDRESS/);
    expect(said).toEqual([]);
  });

  it("When Go builds it, then progress with the elapsed time is shown and Go's output goes to the log file", async () => {
    // Go is the boundary here: this one answers `go env GOPATH` and "builds" for 2.5 s, writing a log as Go does.
    const gopath = mkdtempSync(path.join(tmpdir(), 'farman-gopath-'));
    const go = pathWith({
      go: `if [ "$1" = env ]; then echo ${gopath}; exit 0; fi
echo "go: downloading go.temporal.io/server v1.29.1"
sleep 2.5
mkdir -p ${gopath}/bin && printf '#!/bin/sh\\n' > ${gopath}/bin/temporal && chmod +x ${gopath}/bin/temporal`,
    });
    const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'farman-log-')), 'go-install.log');
    mkdirSync(path.dirname(logFile), { recursive: true });
    const said: string[] = [];
    const cli = await ensureTemporalCli((l) => said.push(l), { PATH: go }, { logFile, progressEverySeconds: 1 });
    expect(cli).toBe(path.join(gopath, 'bin', 'temporal'));
    expect(said[0]).toContain(`go install github.com/temporalio/cli/cmd/temporal@v1.5.1`);
    expect(said[0]).toContain(logFile);
    expect(said.filter((l) => /^still building the temporal CLI… \d+ s$/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(said.at(-1)).toMatch(/^temporal CLI built in \d+ s: /);
    expect(readFileSync(logFile, 'utf8')).toContain('go: downloading');
  });

  it("When the build fails, then the error carries the end of Go's log", async () => {
    const gopath = mkdtempSync(path.join(tmpdir(), 'farman-gopath-'));
    const go = pathWith({
      go: `if [ "$1" = env ]; then echo ${gopath}; exit 0; fi\necho "go: cannot find module providing package" >&2\nexit 1`,
    });
    await expect(ensureTemporalCli(() => undefined, { PATH: go }, { progressEverySeconds: 1 })).rejects.toThrow(
      /failed with exit code 1[\s\S]*cannot find module/,
    );
  });
});
