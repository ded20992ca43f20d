// Runs axe-core in a page (the page's context must be created with
// bypassCSP: true, since the server's CSP forbids inline scripts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Returns the list of axe violations for the page's current document. */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(
    (tags) =>
      window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      }),
    AXE_TAGS,
  );
  return result.violations;
}

/** Human-readable report: rule id, impact, help, then each failing node. */
export function formatViolations(violations, where) {
  const lines = [];
  for (const v of violations) {
    lines.push(`  [${where}] axe ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>`);
    for (const n of v.nodes.slice(0, 10)) {
      lines.push(`      target: ${JSON.stringify(n.target)}  html: ${n.html.slice(0, 200)}`);
      if (n.failureSummary) lines.push(`        ${n.failureSummary.replace(/\n/g, '\n        ')}`);
    }
    if (v.nodes.length > 10) lines.push(`      ... and ${v.nodes.length - 10} more nodes`);
  }
  return lines.join('\n');
}
