// Prints the plain closing line CI tools read: "tests: N passed, N failed, N skipped", and
// leaves the same counts for scripts/run-jest.js.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numRuntimeErrorTestSuites;
    const failed = results.numFailedTests + failedSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
    // scripts/run-jest.js takes the run's verdict from this file, not from jest's exit status.
    const file = process.env.RECALL_JEST_SUMMARY;
    if (file) {
      const summary = { passed: results.numPassedTests, failed, skipped };
      require('node:fs').writeFileSync(file, JSON.stringify(summary));
    }
  }
}

module.exports = SummaryReporter;
