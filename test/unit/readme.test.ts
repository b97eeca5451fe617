import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SETTINGS } from '../../webhook/config/options.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string>; bin: Record<string, string> };

  it('documents every setting with its flag, environment variable and default', () => {
    for (const s of SETTINGS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.flag}\` |`));
      assert.ok(row, `README lists ${s.flag}`);
      assert.ok(row.includes(`\`${s.env}\``), `${s.flag} row names ${s.env}`);
      if (s.default !== undefined && s.default !== '') assert.ok(row.includes(`\`${String(s.default)}\``), `${s.flag} row shows its default`);
    }
  });

  it('explains every runtime dependency', () => {
    for (const dep of Object.keys(pkg.dependencies)) assert.match(readme, new RegExp(`\\| [^\\n]*${dep.replace(/[/@.]/g, '\\$&')}[^\\n]*\\| \\S`), `README explains ${dep}`);
  });

  it('shows the two commands that package.json provides', () => {
    assert.match(readme, /npm ci && npm start/);
    assert.match(readme, /npm test/);
    assert.ok(pkg.scripts.start && pkg.scripts.test && pkg.bin.bulwark);
  });
});
