import { openSession, ARTIFACTS } from './lib/session.mjs';
import { join } from 'node:path';
const { server, as } = await openSession('server-shots.log');
await as('socialworker', async (page) => {
  await page.screenshot({ path: join(ARTIFACTS, 'shot-sw-home.png'), fullPage: true });
  const links = await page.locator('a[href^="/cases/"]').evaluateAll(a => [...new Set(a.map(x => x.getAttribute('href')))]);
  console.log(links.join('\n'));
  let i = 0;
  for (const href of links.slice(0, 8)) {
    await page.goto(server.base + href);
    await page.screenshot({ path: join(ARTIFACTS, `shot-sw-case-${i++}.png`), fullPage: true });
    console.log(i-1, href, (await page.locator('h1').innerText()), (await page.locator('.govuk-caption-l').first().innerText()));
  }
});
await as('supervisor', async (page) => {
  await page.screenshot({ path: join(ARTIFACTS, 'shot-sup-home.png'), fullPage: true });
});
process.exit(0);
