import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryServiceService } from '../../../../src/gen/recall/v1/memory';
import { SearchServiceService } from '../../../../src/gen/recall/v1/search';
import { RPC_SCOPES } from '../../../../src/grpc/middleware/auth-scopes';

/**
 * The scope of each RPC has one source, RPC_SCOPES: it names every RPC the services define,
 * and the Security page's table (docs/security.md, linked from README) says the same, row by row.
 */

/** The rows of the table on docs/security.md, under its `# Security` title, as `Service/Method` → scope. */
function readmeScopeRows(): Array<[string, string]> {
  const page = readFileSync(path.join(__dirname, '..', '..', '..', '..', 'docs', 'security.md'), 'utf8');
  const section = page.split(/^# /m).find((s) => s.startsWith('Security\n'));
  if (!section) throw new Error('docs/security.md has no "# Security" section');
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.map((line) => {
    const [rpc = '', scope = '', ...rest] = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim().replace(/^`|`$/g, ''));
    if (rest.length > 0) throw new Error(`docs/security.md scope row has more than two cells: ${line}`);
    return [`recall.v1.${rpc}`, scope];
  });
}

describe('RPC scopes', () => {
  test('cover exactly the RPCs of both services', () => {
    const defined = [SearchServiceService, MemoryServiceService].flatMap((service) =>
      Object.values(service).map((method) => method.path.slice(1)),
    );
    expect(Object.keys(RPC_SCOPES).sort()).toEqual(defined.sort());
  });

  test("are the Security page's table, row by row", () => {
    expect(readmeScopeRows()).toEqual(Object.entries(RPC_SCOPES));
  });
});
