// Writes the run's counts for .ci/run, which prints `N passed, N failed`: to test/artifacts/summary.json, or
// to JEST_SUMMARY_FILE (relative to the repository) when set, so that a second run (the cluster suite) keeps
// its own counts instead of overwriting the first's. Suites that fail to load count as one failure each, so a
// broken file can never look like a pass.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter(
      (r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0),
    ).length;
    const summary = { passed: results.numPassedTests, failed: results.numFailedTests + brokenSuites };
    const root = path.join(__dirname, '..', '..');
    const file = path.resolve(root, process.env.JEST_SUMMARY_FILE || path.join('test', 'artifacts', 'summary.json'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(summary));
    console.log(`${summary.passed} passed, ${summary.failed} failed`);
  }
}
module.exports = SummaryReporter;
