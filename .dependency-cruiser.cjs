/**
 * The dependency rules of recall's layers (docs/architecture.md draws them). `npm run lint:deps`
 * checks them, and `npm test` runs it: a violation fails CI.
 *
 *   domain          imports only domain (ports for stores, models, breakers, metrics, logs)
 *   adapters        domain, their drivers, shared infrastructure (resilience, observability)
 *   resilience      domain, observability
 *   observability   domain
 *   grpc            domain, generated code, observability
 *   config          domain rules and adapters' accepted values; nothing that wires or serves
 *   composition     builds adapters from config: src/composition/ and the root src/app.ts
 *   cli, bench      composition, config, domain, generated code, observability — not adapters
 *   client          the typed client for other services: generated code only
 *   harness         local real services for tests and the benchmark; never test/
 */
const LAYERS_ABOVE_ADAPTERS = '^src/(app|main|composition|cli|grpc|config)';

/**
 * The domain's sealed modules: each is reached only through its `index.ts`. Its own files, and
 * the unit tests of its internals under `test/unit/<module>/`, may import any file of it.
 */
const SEALED_MODULES = ['search', 'memory'];

module.exports = {
  forbidden: [
    ...SEALED_MODULES.map((module) => ({
      name: `${module}-module-is-sealed`,
      comment: `Outside src/domain/${module}/, import the module through its index.ts only (docs/architecture.md).`,
      severity: 'error',
      from: { pathNot: [`^src/domain/${module}/`, `^test/unit/${module}/`] },
      to: { path: `^src/domain/${module}/`, pathNot: `^src/domain/${module}/index\\.ts$` },
    })),
    {
      name: 'domain-imports-only-domain',
      comment: 'The domain owns its ports; implementations are injected by the composition root.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'adapters-stay-below',
      comment: 'An adapter imports the domain and its driver, never the layers that wire or call it.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: [LAYERS_ABOVE_ADAPTERS, '^src/gen/'] },
    },
    {
      name: 'infrastructure-stays-below',
      comment: 'Breakers, metrics and logs serve every layer and depend on none of them but the domain.',
      severity: 'error',
      from: { path: '^src/(resilience|observability)/' },
      to: { path: [LAYERS_ABOVE_ADAPTERS, '^src/adapters/', '^src/gen/'] },
    },
    {
      name: 'observability-below-resilience',
      severity: 'error',
      from: { path: '^src/observability/' },
      to: { path: '^src/resilience/' },
    },
    {
      name: 'grpc-only-translates',
      comment: 'gRPC handlers validate, call the domain and map the result; no adapters, no config.',
      severity: 'error',
      from: { path: '^src/grpc/' },
      to: { path: ['^src/(adapters|composition|cli|config|resilience)', '^src/(app|main)\\.ts$'] },
    },
    {
      name: 'config-stays-below-its-users',
      comment:
        'Config is parsed once from the environment. It may read the vocabularies it validates (domain rules, an ' +
        "adapter's accepted values) but nothing that wires or serves; nothing below composition imports it.",
      severity: 'error',
      from: { path: '^src/config(\\.ts$|/)' },
      to: { path: ['^src/(app|main)\\.ts$', '^src/(composition|cli|grpc|resilience|observability|gen)/'] },
    },
    {
      name: 'only-composition-builds-adapters',
      comment:
        'The server, the CLIs and the benchmark get adapters from src/composition. The benchmark may ' +
        'read two pure helpers for its floor measurements: the built-in embedding function and the SQL text of a read.',
      severity: 'error',
      from: { path: ['^src/(cli|main\\.ts)', '^bench/'] },
      to: {
        path: '^src/adapters/',
        pathNot: ['^src/adapters/embedders/local-embedder\\.ts$', '^src/adapters/sql/memory-sql\\.ts$'],
      },
    },
    {
      name: 'client-stands-alone',
      comment: 'The typed client ships to other services: generated code and its own files only.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/(client|gen)/' },
    },
    {
      name: 'src-does-not-import-tooling',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|harness|scripts)/' },
    },
    {
      name: 'bench-and-harness-do-not-import-tests',
      comment: 'What tests and the benchmark share lives in harness/.',
      severity: 'error',
      from: { path: '^(bench|harness)/' },
      to: { path: '^test/' },
    },
    {
      name: 'harness-does-not-import-bench',
      severity: 'error',
      from: { path: '^harness/' },
      to: { path: '^bench/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(src|bench|harness)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^src/gen/', '^dist/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
