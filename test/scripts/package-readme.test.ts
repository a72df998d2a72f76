import { packageReadme } from '../../scripts/package-readme';

test('GitHub-only sections leave the package README, markers and all; the rest stays as written', () => {
  const markdown = ['# T', '', '```ts', 'x', '```', '', '<!-- github-only -->', 'In Python:', '', '```python', 'x', '```', '<!-- /github-only -->', '', 'After.'].join('\n');
  expect(packageReadme(markdown)).toBe(['# T', '', '```ts', 'x', '```', '', 'After.'].join('\n'));
  expect(packageReadme('no sections\n')).toBe('no sections\n');
});

test('markers that do not pair up are an error naming the line', () => {
  expect(() => packageReadme('a\n<!-- /github-only -->\n')).toThrow('README.md line 2: <!-- /github-only --> outside a GitHub-only section');
  expect(() => packageReadme('<!-- github-only -->\n<!-- github-only -->\n')).toThrow('README.md line 2: <!-- github-only --> inside a GitHub-only section');
  expect(() => packageReadme('<!-- github-only -->\nx\n')).toThrow('a <!-- github-only --> section is not closed');
});
