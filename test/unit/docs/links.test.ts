import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * README is the front door and the detail lives in docs/: a section that moves must not leave
 * a link behind that leads nowhere. Every relative link in README, docs/ and bench/, and every
 * alert's runbook annotation, must name a file that exists, and every `#anchor` a heading of
 * its target.
 */

const ROOT = path.join(__dirname, '..', '..', '..');

/** Markdown files whose links are checked, relative to the repository root. */
function markdownFiles(): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'results') walk(rel);
      else if (entry.isFile() && entry.name.endsWith('.md')) found.push(rel);
    }
  };
  walk('docs');
  walk('bench');
  return found;
}

/** Lines outside fenced code blocks (a `# comment` in a shell block is no heading). */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(readFileSync(path.join(ROOT, file), 'utf8'))) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every relative link target in a file, as written. */
function linksOf(file: string): string[] {
  const prose = proseLines(readFileSync(path.join(ROOT, file), 'utf8'))
    .join('\n')
    .replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** What is wrong with each link of the checked files; empty when every link leads somewhere. */
function brokenLinks(): string[] {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    for (const target of linksOf(file)) {
      const [filePart = '', anchor] = target.split('#');
      const resolved = filePart === '' ? file : path.normalize(path.join(path.dirname(file), filePart));
      if (!existsSync(path.join(ROOT, resolved))) broken.push(`${file}: ${target} (no such file)`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor))
        broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  return broken;
}

/** The alert rules' `runbook:` annotations that name no heading of an existing page. */
function brokenRunbooks(): string[] {
  const rules = readFileSync(path.join(ROOT, 'deploy', 'prometheus', 'rules', 'recall-alerts.yml'), 'utf8');
  const runbooks = [...rules.matchAll(/runbook: (\S+)/g)].map((match) => match[1] ?? '');
  return runbooks.filter((runbook) => {
    const [file = '', anchor = ''] = runbook.split('#');
    return !existsSync(path.join(ROOT, file)) || !anchorsOf(file).has(anchor);
  });
}

describe('links in README and docs', () => {
  test('every relative link names a file that exists and a heading it has', () => {
    expect(brokenLinks()).toEqual([]);
  });

  test("every alert's runbook annotation names a heading of an existing page", () => {
    expect(brokenRunbooks()).toEqual([]);
  });

  test('the check sees README and the pages it links to', () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', path.join('docs', 'operations.md')]));
    expect(linksOf('README.md')).toContain('docs/operations.md#exit-codes');
    expect(anchorsOf(path.join('docs', 'operations.md'))).toContain('alert-recallbreakeropen');
    expect(readFileSync(path.join(ROOT, 'deploy', 'prometheus', 'rules', 'recall-alerts.yml'), 'utf8')).toMatch(
      /runbook: /,
    );
  });
});
