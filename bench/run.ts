/**
 * `npm run bench -- --baseline | --compare | --both [--quick] [options]`: the benchmark of
 * issue 4 (see docs/benchmark.md and `--help`); `--soak MINUTES` runs the soak instead. Prints the report's table and the
 * side-by-side ratios on stdout, narration on stderr, and writes JSON, Markdown and SVG under
 * bench/results/. `--check` is the performance gate: the compare mode's ratios against
 * bench/budgets.json, exit code 1 when one fails (see budget-check.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { USAGE, UsageError, parseBenchArgs } from './cli-options';
import { checkBudgets, checkCells, parseBudgetFile } from './ratios/budget-check';
import { ratioCells } from './report/markdown-summary';
import { createReporter } from './report/progress';
import { renderText, tableCells } from './report/report-table';
import { runBenchmark } from './scenarios/benchmark';
import { runRerankPrice } from './scenarios/rerank-price';
import { runSoak } from './scenarios/soak';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(process.argv.slice(2), path.join(__dirname, 'results'));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const reporter = createReporter(options.quiet);
  const cleanups: Array<() => Promise<void>> = [];
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    reporter.log(`bench: ${signal}: stopping recall and cleaning up (again to force)`);
    Promise.all(cleanups.map((c) => c().catch(() => undefined))).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (options.rerankPriceDepths) {
    const price = await runRerankPrice(options, options.rerankPriceDepths, reporter, (c) => cleanups.push(c));
    process.stdout.write(`${price.text}\n\nwrote ${path.relative(process.cwd(), price.file)}\n`);
    return 0;
  }
  if (options.soakMinutes !== undefined) {
    const soak = await runSoak(options, reporter, (cleanup) => cleanups.push(cleanup));
    process.stdout.write(`${soak.text}\n\nwrote ${path.relative(process.cwd(), soak.file)}\n`);
    return 0;
  }
  // Read before the run: a bad budgets file fails in a second, not after the measurements.
  const budgets = options.check ? parseBudgetFile(readFileSync(options.budgetsFile, 'utf8')) : undefined;
  const outcome = await runBenchmark(options, reporter, (cleanup) => cleanups.push(cleanup));
  const out: string[] = [];
  for (const result of outcome.results) {
    const s = result.latencyMs.search;
    out.push(
      `${result.mode}: search p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms; ${result.load.throughputPerSecond} calls/s; ` +
        `early exit ${(result.earlyExit.fromResponses * 100).toFixed(1)}%; errors ${(result.load.errorRate * 100).toFixed(2)}%`,
    );
  }
  if (outcome.table) {
    out.push(
      '',
      "The report's table, measured (search latency client side; reranker = a 50 ms-class MODEL, see JSON):",
      '',
    );
    out.push(renderText(tableCells(outcome.table)));
  }
  const ratios = outcome.results.find((r) => r.ratios)?.ratios;
  if (ratios)
    out.push(
      '',
      'Side-by-side ratios (paired A B / B A, medians of per-pair A/B):',
      '',
      renderText(ratioCells(ratios)),
    );
  out.push(
    '',
    ...outcome.files.map((f) => `wrote ${path.relative(process.cwd(), f.json)} and ${path.basename(f.markdown)}`),
  );
  let code = 0;
  if (budgets) {
    const { rows, passed } = checkBudgets(ratios ?? [], budgets);
    out.push(
      '',
      `Performance gate: each ratio's lower quartile against its budget (${path.relative(process.cwd(), options.budgetsFile)}):`,
      '',
      renderText(checkCells(rows)),
      '',
      passed
        ? 'gate: PASS'
        : 'gate: FAIL (rows marked FAIL: a lower quartile over its budget, or a ratio that could not be measured; see docs/benchmark.md)',
    );
    code = passed ? 0 : 1;
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`bench: ${error.message}\n`);
    else process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
