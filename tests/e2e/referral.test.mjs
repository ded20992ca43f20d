// The front door journey (issue 3; WT2026 ¶163–¶167), in a real browser without
// JavaScript: a school's designated safeguarding lead refers a child; the front door
// finds the child's existing record and links it; the practice supervisor decides from
// the work tray; the school sees the decision and the reasons (¶165). Pages pass axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { ARTIFACTS, openSession } from './lib/session.mjs';

const { server, as, assertAxe } = await openSession('server-referral.log');

test('a school refers, the front door links a known child, the supervisor decides, the school sees the feedback', async () => {
  // The child is already known to children's social care.
  await as('frontdoor', async (page) => {
    await page.goto(`${server.base}/children/new`);
    await page.getByLabel('A child', { exact: true }).check();
    await page.getByLabel('First name').fill('Wren');
    await page.getByLabel('Last name').fill('Journeyman');
    await page.getByLabel('Date of birth').fill('2018-03-04');
    await page.getByLabel('Female').check();
    await page.getByRole('button', { name: /Open/ }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').innerText(), /Wren Journeyman/);
  });

  // The school's DSL refers, with the day and month the wrong way round.
  await as('school', async (page) => {
    await page.getByRole('link', { name: 'Refer a child' }).first().click();
    await page.locator('#referrer\\.job_title').fill('Designated safeguarding lead');
    await page.locator('#referrer\\.email').fill('dsl@parkroad.example.org');
    await page.locator('[id="children[0].given_name"]').fill('Wren');
    await page.locator('[id="children[0].family_name"]').fill('Journeyman');
    await page.locator('[id="children[0].date_of_birth"]').fill('2018-04-03');
    await page.locator('#concern\\.what_happened').fill('Wren said she is scared to go home.');
    await page.locator('#concern\\.seen_or_heard').fill('She told me: "I hide when he shouts."');
    await page.locator('#consent\\.family_knows').check(); // the first option: Yes
    await page.locator('#consent\\.family_consents').check();
    await page.locator('#immediate_risk-no').check();
    await assertAxe(page, 'referral form');
    await page.getByRole('button', { name: 'Send the referral' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').innerText(), /Wren Journeyman/);
    assert.match(await page.locator('body').innerText(), /Due by/);
  });

  // The front door checks whether she is known and links the record.
  await as('frontdoor', async (page) => {
    await page.getByRole('link', { name: /Check whether Wren Journeyman is known/ }).first().click();
    await page.waitForLoadState('load');
    await assertAxe(page, 'referral page (front door)');
    const row = page.locator('tr', { hasText: 'Wren Journeyman' }).first();
    await row.getByRole('button', { name: /Link/ }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('body').innerText(), /Linked to the child's record/);
  });

  // The supervisor decides from the tray.
  await as('supervisor', async (page) => {
    const tray = page.locator('tr', { hasText: 'Wren Journeyman' }).filter({ hasText: 'Decide next steps' });
    await tray.getByRole('link', { name: 'Decide next steps' }).click();
    await page.waitForLoadState('load');
    await assertAxe(page, 'referral page (supervisor)');
    await page.locator('#outcome-no-further-action').check();
    await page.locator('#reasons').fill('The school and early help can meet Wren\'s needs with her mother\'s agreement.');
    await page.locator('#signpost-early-help').check();
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('#outcome').innerText(), /No further action/);
    await page.goto(`${server.base}/`);
    assert.equal(await page.locator('tr', { hasText: 'Wren Journeyman' }).filter({ hasText: 'Decide next steps' }).count(), 0,
      'the decision has left the tray');
  });

  // The school sees the decision, the reasons and the support suggested.
  await as('school', async (page) => {
    await page.getByRole('link', { name: 'Wren Journeyman' }).first().click();
    await page.waitForLoadState('load');
    const outcome = await page.locator('#outcome').innerText();
    assert.match(outcome, /No further action/);
    assert.match(outcome, /early help can meet Wren's needs/);
    assert.match(outcome, /Early help/);
    await assertAxe(page, 'referral page (referrer)');
    await page.screenshot({ path: join(ARTIFACTS, 'referral-feedback.png'), fullPage: true });
  });
});
