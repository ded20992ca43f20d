// Help for children and families (issue 4), in a real browser without JavaScript:
// a Family Help plan made with a school as lead practitioner (WT2026 ¶138, ¶135, ¶144),
// and a social worker's child and family assessment through to a child in need plan
// (¶162–¶169; Box "Statutory requirements for children in need"). Pages pass axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { ARTIFACTS, openSession, byId, submit, choose } from './lib/session.mjs';

const { server, as, assertAxe } = await openSession('server-cases.log');


/// The front door opens a record; the supervisor opens a case from it and asks
/// `lead` (an option's text) to lead. Returns the case's URL.
async function openAndAllocate(given, family, service, leadOption) {
  await as('frontdoor', async (page) => {
    await page.goto(`${server.base}/children/new`);
    await page.getByLabel('A child', { exact: true }).check();
    await page.getByLabel('First name').fill(given);
    await page.getByLabel('Last name').fill(family);
    await page.getByLabel('Date of birth').fill('2017-05-06');
    await page.getByLabel('Female').check();
    await page.getByRole('button', { name: /Open/ }).click();
    await page.waitForLoadState('load');
  });
  return as('supervisor', async (page) => {
    await page.goto(`${server.base}/children?q=${encodeURIComponent(family)}`);
    await page.getByRole('link', { name: `${given} ${family}` }).first().click();
    await page.waitForLoadState('load');
    await page.locator(service === 'family-help' ? '#service-fh' : '#service').check();
    await page.locator('#case-reason').fill('Referral accepted');
    await submit(page, 'Open a case');
    assert.match(await page.locator('h1').innerText(), new RegExp(`${given} ${family}`));
    const url = page.url();
    await page.getByRole('link', { name: 'Allocate a lead practitioner' }).click();
    await page.waitForLoadState('load');
    await assertAxe(page, 'allocate form');
    await choose(page, 'practitioner', leadOption);
    await page.locator('#family_views').fill('Mother would like someone the children already know.');
    await submit(page, 'Ask them to be lead practitioner');
    assert.match(await page.locator('body').innerText(), /has been asked and has not yet answered/);
    return url;
  });
}

async function agree(username, given) {
  await as(username, async (page) => {
    const row = page.locator('tr', { hasText: given }).filter({ hasText: 'Agree to be lead practitioner' });
    await row.getByRole('link').first().click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: 'Answer the request' }).click();
    await page.waitForLoadState('load');
    await page.locator('#answer').check();
    await submit(page, 'Send answer');
  });
}

test('a Family Help plan made with a school as lead practitioner', async () => {
  const url = await openAndAllocate('Ivy', 'Schoolled', 'family-help', 'Demo Primary School');
  await agree('school', 'Ivy Schoolled');

  await as('school', async (page) => {
    await page.goto(url);
    assert.match(await page.locator('body').innerText(), /Lead practitioner\s+.*Demo Primary School/);
    await assertAxe(page, 'case page (school lead)');
    // Family Help is voluntary: consent first (¶135), and what is recorded and why (¶146).
    await page.getByRole('link', { name: "Record the family's consent" }).click();
    await page.waitForLoadState('load');
    await page.locator('#given').check();
    await page.locator('#given_by').fill('Mother');
    await page.locator('#told').fill('What we record, who we share it with and why.');
    await submit(page, 'Record consent');

    await page.getByRole('link', { name: 'Start an assessment' }).click();
    await page.waitForLoadState('load');
    await page.locator('#kind').check();
    await submit(page, 'Start assessment');
    await page.getByRole('link', { name: /Record that the child was seen/ }).first().click();
    await page.waitForLoadState('load');
    await page.locator('#by').fill('DSL, at school');
    await page.locator('#alone').check();
    await submit(page, 'Record visit');
    await page.getByRole('link', { name: /Write the assessment/ }).first().click();
    await page.waitForLoadState('load');
    for (const id of ['child_developmental_needs', 'parenting_capacity', 'family_and_environment', 'wishes_and_feelings', 'parents_views', 'analysis']) {
      await page.locator(`#${id}`).fill(`Written with the family: ${id}.`);
    }
    await submit(page, 'Save assessment');
    await page.getByRole('link', { name: /Conclude the assessment/ }).first().click();
    await page.waitForLoadState('load');
    await page.locator('#outcome').check(); // continue the help planned
    await submit(page, 'Submit');
    assert.match(await page.locator('body').innerText(), /Family Help assessment completed/);

    // The plan: an action without a date is refused, with the entries kept.
    await page.getByRole('link', { name: 'Make the Family Help plan' }).click();
    await page.waitForLoadState('load');
    await assertAxe(page, 'plan form');
    await page.locator('#outcomes').fill('Ivy is in school on time every day');
    await page.locator('#family_views').fill('Made with mother at school.');
    await byId(page, 'actions[0].what').fill('Breakfast club place');
    await choose(page, 'actions[0].owner', 'Demo Primary School');
    await page.locator('#next_review').fill('2027-01-15');
    await submit(page, 'Save plan');
    assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter the date it will be done by/);
    assert.equal(await page.locator('#outcomes').inputValue(), 'Ivy is in school on time every day');
    await assertAxe(page, 'plan form with errors');
    await byId(page, 'actions[0].by').fill('2026-12-15');
    await submit(page, 'Save plan');
    const body = await page.locator('body').innerText();
    assert.match(body, /Family Help plan, agreed/);
    assert.match(body, /Breakfast club place/);
    // The school leads Family Help but does not close or step up the case (issue 4).
    assert.equal(await page.getByRole('link', { name: 'Close the case' }).count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, 'case-family-help.png'), fullPage: true });

    await page.getByRole('link', { name: /The plan in plain words/ }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').innerText(), /How we are helping Ivy Schoolled/);
    await assertAxe(page, 'family summary');
  });
});

test("a social worker's assessment through to a child in need plan", async () => {
  const url = await openAndAllocate('Otto', 'Assessed', 'social-care', 'social worker');
  await agree('socialworker', 'Otto Assessed');

  await as('socialworker', async (page) => {
    await page.goto(url);
    await page.getByRole('link', { name: 'Start an assessment' }).click();
    await page.waitForLoadState('load');
    await page.locator('#kind').check(); // child and family assessment (section 17)
    await submit(page, 'Start assessment');
    assert.match(await page.locator('body').innerText(), /Due\s+\w+day \d+ \w+ \d{4}/);
    await page.getByRole('link', { name: /Write the assessment/ }).first().click();
    await page.waitForLoadState('load');
    for (const id of ['child_developmental_needs', 'parenting_capacity', 'family_and_environment', 'wishes_and_feelings', 'parents_views', 'analysis']) {
      await page.locator(`#${id}`).fill(`Assessed: ${id}.`);
    }
    await submit(page, 'Save assessment');
    // Not yet seen: the assessment is refused, with the reason asked for by the field.
    await page.getByRole('link', { name: /Conclude the assessment/ }).first().click();
    await page.waitForLoadState('load');
    await page.locator('#outcome-child-in-need-plan').check();
    await submit(page, 'Submit');
    assert.match(await page.locator('#child_not_seen_reason-error').innerText(), /The child has not been seen/);
    assert.ok(await page.locator('#outcome-child-in-need-plan').isChecked(), 'the choice is kept');
    await assertAxe(page, 'conclude form with errors');
    await page.getByRole('link', { name: 'Back to the case' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: /Record that the child was seen/ }).first().click();
    await page.waitForLoadState('load');
    await page.locator('#by').fill('Social worker, home visit');
    await page.locator('#alone').check();
    await submit(page, 'Record visit');
    await page.getByRole('link', { name: /Conclude the assessment/ }).first().click();
    await page.waitForLoadState('load');
    await page.locator('#outcome-child-in-need-plan').check();
    // The CIN census asks the factors identified and the primary need (issue 6):
    // refused without them, entries kept.
    await submit(page, 'Submit');
    assert.match(await page.locator('.govuk-error-summary').innerText(), /factors identified/);
    assert.equal(await page.locator('#outcome-child-in-need-plan').isChecked(), true);
    await page.locator('#primary_need').selectOption('N4');
    await page.locator('#factors-3B').check();
    await page.locator('#factors-4B').check();
    await submit(page, 'Submit');
    assert.match(await page.locator('body').innerText(), /Waiting for authorisation/);
  });

  await as('supervisor', async (page) => {
    const row = page.locator('tr', { hasText: 'Otto Assessed' }).filter({ hasText: 'Authorise' });
    await row.getByRole('link').first().click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: 'Authorise the assessment' }).click();
    await page.waitForLoadState('load');
    await submit(page, 'Authorise');
    assert.match(await page.locator('body').innerText(), /Child and family assessment \(section 17\) completed/);
  });

  await as('socialworker', async (page) => {
    const row = page.locator('tr', { hasText: 'Otto Assessed' }).filter({ hasText: 'Make the child in need plan' });
    await row.getByRole('link').first().click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: 'Make the child in need plan' }).click();
    await page.waitForLoadState('load');
    await page.locator('#outcomes').fill('Otto feels safe at home\nOtto goes to school every day');
    await page.locator('#services').fill('Parenting support');
    await page.locator('#family_views').fill('Agreed with mother and Otto at home.');
    await byId(page, 'actions[0].what').fill('Parenting course');
    await choose(page, 'actions[0].owner', 'Someone else');
    await byId(page, 'actions[0].owner_name').fill('Mother');
    await byId(page, 'actions[0].by').fill('2027-01-31');
    await page.locator('#next_review').fill('2027-02-20');
    await submit(page, 'Save plan');
    assert.match(await page.locator('body').innerText(), /Child in need plan, agreed/);
    await page.getByRole('link', { name: /Record a child in need meeting/ }).click();
    await page.waitForLoadState('load');
    await page.locator('#attendees').fill('Mother, parent\nSocial worker, social worker, Children\'s social care');
    await page.locator('#child_views').fill('Otto said home is calmer.');
    await page.locator('#summary').fill('Reviewed: good progress.');
    await page.locator('#scale').fill('6');
    await page.locator('#next_review').fill('2027-03-20');
    await submit(page, 'Save meeting');
    const body = await page.locator('body').innerText();
    assert.match(body, /Scaling over time/);
    assert.equal(await page.locator('svg.scale-chart').count(), 1);
    await assertAxe(page, 'case page with a child in need plan');
    await page.screenshot({ path: join(ARTIFACTS, 'case-child-in-need.png'), fullPage: true });
  });
});
