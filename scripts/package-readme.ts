/**
 * The README as the Python and Java packages show it (PyPI's and Maven's descriptions): jsii takes
 * the package README from README.md as it is, and jsii-rosetta translates its TypeScript blocks
 * into each language. The README's hand-written Python and Java examples, which GitHub readers
 * need, would then show each example twice there. They sit between `<!-- github-only -->` and
 * `<!-- /github-only -->` lines, and this step, run after jsii compiles and before rosetta and
 * pacmak read the assembly, drops those sections from the assembly's copy of the README.
 * jsii has no hook for this; pacmak uses the assembly's fingerprint for its own cache only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const START = '<!-- github-only -->';
const END = '<!-- /github-only -->';

/** The markdown without its GitHub-only sections; throws on markers that do not pair up. */
export function packageReadme(markdown: string): string {
  const out: string[] = [];
  let inside = false;
  markdown.split('\n').forEach((line, i) => {
    const marker = line.trim();
    if (marker === START || marker === END) {
      if ((marker === START) === inside) throw new Error(`README.md line ${i + 1}: ${marker} ${inside ? 'inside' : 'outside'} a GitHub-only section`);
      inside = !inside;
      return;
    }
    if (!inside) out.push(line);
  });
  if (inside) throw new Error(`README.md: a ${START} section is not closed`);
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

if (require.main === module) {
  const file = path.join(__dirname, '..', '.jsii');
  const assembly = JSON.parse(fs.readFileSync(file, 'utf8')) as { readme?: { markdown: string } };
  if (!assembly.readme) throw new Error('.jsii has no readme: is README.md there?');
  assembly.readme.markdown = packageReadme(assembly.readme.markdown);
  fs.writeFileSync(file, `${JSON.stringify(assembly, null, 2)}\n`);
  console.log('.jsii: the README without its GitHub-only sections, for the Python and Java packages');
}
