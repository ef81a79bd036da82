// Writes the run's counts to test/artifacts/summary.json for .ci/run, which prints `N passed, N failed`.
// Suites that fail to load count as one failure each, so a broken file can never look like a pass.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter((r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0)).length;
    const summary = { passed: results.numPassedTests, failed: results.numFailedTests + brokenSuites };
    const dir = path.join(__dirname, '..', 'artifacts');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
    console.log(`${summary.passed} passed, ${summary.failed} failed`);
  }
}
module.exports = SummaryReporter;
