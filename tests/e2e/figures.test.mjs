// Issue 6: the partnership manager checks and downloads the Children in Need census and
// reads the timeliness figures; a team manager sees the figures for their team; nobody
// else makes the return. Without JavaScript, with axe on each page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from './lib/session.mjs';

const { as, assertAxe } = await openSession('server-figures.log');

test('the partnership manager checks the census, downloads it and reads the figures', async () => {
  await as('partnership', async (page) => {
    await page.getByRole('link', { name: 'Census', exact: true }).click();
    await page.waitForLoadState('load');
    const body = await page.locator('body').innerText();
    assert.match(body, /Children in the return\s+\d+/);
    await assertAxe(page, 'census');
    // The return itself, in the DfE's layout.
    const year = await page.locator('#year').inputValue();
    const xml = await page.request.get(new URL(`/returns/census.xml?year=${year}`, page.url()).toString());
    assert.equal(xml.status(), 200);
    const text = await xml.text();
    assert.match(text, /<Collection>CIN<\/Collection>/);
    assert.match(text, /<LAchildID>[0-9A-Z]{1,16}<\/LAchildID>/);
    assert.doesNotMatch(text, /<LAchildID>[^<]*-/);

    await page.getByRole('link', { name: 'Figures', exact: true }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h2').allInnerTexts().then((h) => h.join('|')), /Assessments completed within 45 working days/);
    assert.equal(await page.locator('svg[role="img"] title').count() > 0, true);
    // The partnership manager sees caseloads as a distribution, not by name.
    assert.match(await page.locator('#t-caseloads').locator('..').innerText(), /cases/);
    await assertAxe(page, 'figures');
    const csv = await page.request.get(new URL(`/figures/by-age.csv?year=${year}`, page.url()).toString());
    assert.equal(csv.status(), 200);
    const rows = (await csv.text()).trim().split('\n');
    assert.match(rows[0], /Referred/);
    // Counts of 1 to 4 never leave the system.
    for (const r of rows.slice(1)) assert.doesNotMatch(r, /,[1-4](,|$)/);
  });
});

test('a team manager reads the figures but does not make the return', async () => {
  await as('supervisor', async (page) => {
    await page.goto(new URL('/figures', page.url()).toString());
    assert.match(await page.locator('h1').innerText(), /Timeliness and effectiveness/);
    const r = await page.request.get(new URL('/returns/census.xml', page.url()).toString());
    assert.equal(r.status(), 403);
  });
  await as('socialworker', async (page) => {
    const r = await page.request.get(new URL('/figures', page.url()).toString());
    assert.equal(r.status(), 403);
  });
});
