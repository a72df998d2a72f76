/**
 * Every relative link of the README and the guides in docs/ points at a file or folder of the
 * repository, and every #anchor at a heading of its target, as GitHub renders them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];

/** Markdown outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** The relative link targets of a page (inline links and images), as written. */
export function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** What is wrong with a link of `page`, or undefined. */
function brokenLink(page: string, target: string): string | undefined {
  const [file, anchor] = target.split('#', 2);
  const resolved = file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), decodeURIComponent(file));
  if (!resolved.startsWith(ROOT + path.sep) && resolved !== ROOT) return `${target}: outside the repository`;
  if (!fs.existsSync(resolved)) return `${target}: no such file`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md')) return `${target}: an anchor into a file that is not Markdown`;
  return anchors(fs.readFileSync(resolved, 'utf8')).has(anchor) ? undefined : `${target}: no heading with that anchor`;
}

describe('links between the README and the guides', () => {
  test.each(PAGES)('%s: every relative link resolves', (page) => {
    const links = relativeLinks(fs.readFileSync(path.join(ROOT, page), 'utf8'));
    expect(links.map((target) => brokenLink(page, target)).filter(Boolean)).toEqual([]);
  });

  test('the README links to every guide', () => {
    const linked = new Set(relativeLinks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map((target) => target.split('#')[0]));
    expect(PAGES.filter((page) => page !== 'README.md' && !linked.has(page))).toEqual([]);
  });
});

describe('reading links and anchors', () => {
  test('anchors follow GitHub: code spans, dashes and parentheses', () => {
    expect(anchors('# HTTP API\n## `POST /` — append an event\n## Appending without a Lambda (`WritePath.DIRECT`)\n## Logs\n## Logs\n'))
      .toEqual(new Set(['http-api', 'post---append-an-event', 'appending-without-a-lambda-writepathdirect', 'logs', 'logs-1']));
  });

  test('headings and links inside code are not read', () => {
    expect(anchors('```bash\n# not a heading\n```\n# Real\n')).toEqual(new Set(['real']));
    expect(relativeLinks('[a](docs/a.md) `[b](b.md)`\n```md\n[c](c.md)\n```\n[d](https://example.com) [e](#e)')).toEqual(['docs/a.md', '#e']);
  });

  test('a missing file, a missing anchor and a link out of the repository are each reported', () => {
    expect(brokenLink('README.md', 'docs/nope.md')).toBe('docs/nope.md: no such file');
    expect(brokenLink('README.md', 'docs/operating.md#nope')).toBe('docs/operating.md#nope: no heading with that anchor');
    expect(brokenLink('docs/operating.md', '../../elsewhere.md')).toBe('../../elsewhere.md: outside the repository');
    expect(brokenLink('docs/operating.md', '../README.md#license')).toBeUndefined();
  });
});
