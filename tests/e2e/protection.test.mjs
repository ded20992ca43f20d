// Child protection (issue 5), in a real browser without JavaScript, from referral to the
// first review conference with four agencies (children's social care, police, health,
// a school): the strategy discussion (WT2026 003 L1667–L1733) initiates section 47
// enquiries; the outcome is countersigned; the initial conference, chaired
// independently, makes a plan; the core group meets; the review conference continues
// the plan. A police officer at the strategy discussion reads its record, not the
// child's file. Pages pass axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { ARTIFACTS, openSession, byId, submit, choose } from './lib/session.mjs';

const { server, as, assertAxe } = await openSession('server-protection.log');

async function noErrors(page, where) {
  const n = await page.locator('.govuk-error-summary').count();
  if (n > 0) assert.fail(`${where}: ${await page.locator('.govuk-error-summary').innerText()}`);
  assert.notEqual(await page.locator('h1').innerText(), 'There is a problem', where);
}
/// Fill a row of people: a user of Together (by the text of their option) and a role.
async function person(page, i, userText, role) {
  await choose(page, `people[${i}].user`, userText);
  await byId(page, `people[${i}].role`).fill(role);
}
async function go(page, label) {
  await page.getByRole('link', { name: label }).first().click();
  await page.waitForLoadState('load');
}

test('from referral to the first review conference with four agencies', async () => {
  const given = 'Nell';
  const family = 'Protectcase';
  await as('frontdoor', async (page) => {
    await page.goto(`${server.base}/children/new`);
    await page.getByLabel('A child', { exact: true }).check();
    await page.getByLabel('First name').fill(given);
    await page.getByLabel('Last name').fill(family);
    await page.getByLabel('Date of birth').fill('2016-02-03');
    await page.getByLabel('Female').check();
    await page.getByRole('button', { name: /Open/ }).click();
    await page.waitForLoadState('load');
  });
  await as('school', async (page) => {
    await go(page, 'Refer a child');
    await page.locator('#referrer\\.job_title').fill('Designated safeguarding lead');
    await page.locator('#referrer\\.email').fill('dsl@example.org');
    await page.locator('[id="children[0].given_name"]').fill(given);
    await page.locator('[id="children[0].family_name"]').fill(family);
    await page.locator('[id="children[0].date_of_birth"]').fill('2016-02-03');
    await page.locator('#concern\\.what_happened').fill('Finger-mark bruising on Nell\'s arm.');
    await page.locator('#concern\\.seen_or_heard').fill('She said her stepfather grabbed her.');
    await page.locator('#consent\\.family_knows').check();
    await page.locator('#consent\\.family_consents').check();
    await page.locator('#immediate_risk-no').check();
    await submit(page, 'Send the referral');
  });
  await as('frontdoor', async (page) => {
    await go(page, `Check whether ${given} ${family} is known`);
    const row = page.locator('tr', { hasText: `${given} ${family}` }).first();
    await row.getByRole('button', { name: /Link/ }).click();
    await page.waitForLoadState('load');
  });
  const caseUrl = await as('supervisor', async (page) => {
    const tray = page.locator('tr', { hasText: `${given} ${family}` }).filter({ hasText: 'Decide next steps' });
    await tray.getByRole('link', { name: 'Decide next steps' }).click();
    await page.waitForLoadState('load');
    await page.locator('#outcome-strategy-discussion').check();
    await page.locator('#reasons').fill('Reasonable cause to suspect significant harm: non-accidental injury.');
    await page.locator('#strategy_by').fill(new Date().toISOString().slice(0, 10));
    await submit(page, 'Record the decision');
    await page.getByRole('button', { name: /Open a case for/ }).click();
    await page.waitForLoadState('load');
    await noErrors(page, 'open case');
    const url = page.url();
    assert.match(await page.locator('#child-protection').innerText(), /Child protection/);
    assert.match(await page.locator('body').innerText(), /Strategy discussion 1/);
    // Allocate the social worker.
    await go(page, 'Allocate a lead practitioner');
    await choose(page, 'practitioner', 'social worker,');
    await page.locator('#family_views').fill('Mother asks for the social worker who knows the family.');
    await submit(page, 'Ask them to be lead practitioner');
    return url;
  });
  await as('socialworker', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Answer the request');
    await page.locator('#answer').check();
    await submit(page, 'Send answer');
  });

  // The strategy discussion, with social care, police, health and the school.
  await as('supervisor', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Record the strategy discussion');
    await assertAxe(page, 'strategy discussion form');
    await person(page, 0, 'social worker,', 'Social worker');
    await person(page, 1, 'Demo Constabulary', 'Detective constable');
    await person(page, 2, 'Demo NHS Foundation Trust', 'Named nurse');
    await person(page, 3, 'Demo Primary School', 'Designated safeguarding lead');
    await page.locator('#information').fill('Bruising seen at school; police attended a domestic incident last month.');
    await page.locator('#initiate_s47').check();
    await page.locator('#s47_reason').fill('Reasonable cause to suspect physical abuse.');
    await page.locator('#criminal_investigation').fill('Police to interview the stepfather after the medical.');
    await page.locator('#share_with_family').fill('That enquiries are being made and why.');
    await page.locator('#withhold_from_family').fill('The timing of the police interview.');
    await submit(page, 'Save the record');
    await noErrors(page, 'strategy discussion');
    assert.match(await page.locator('body').innerText(), /Section 47 enquiry 1/);
  });

  // The school, which referred Nell, asks for a conference from the case's page (003
  // L1785); the request is the supervisors' to answer, and the school sees it waiting.
  await as('school', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Ask for a child protection conference');
    await assertAxe(page, 'conference request form (school)');
    await page.locator('#by').fill('Designated safeguarding lead, Demo Primary School');
    await page.locator('#reason').fill('Nell is frightened to go home; a conference should decide on a plan.');
    await submit(page, 'Send request');
    await noErrors(page, 'conference request');
    assert.match(await page.locator('body').innerText(), /Waiting for children's social care's answer/);
  });
  await as('supervisor', async (page) => {
    const row = page.locator('tr', { hasText: `${given} ${family}` }).filter({ hasText: 'request for a conference' });
    assert.ok(await row.count() > 0, 'the request is in the supervisors\' tray');
  });

  // The police officer reads that discussion's record, and not the child's file.
  await as('police', async (page) => {
    const caseId = caseUrl.split('/cases/')[1];
    await page.goto(`${server.base}/cases/${caseId}/record/strategy-1`);
    const text = await page.locator('main').innerText();
    assert.match(text, /Section 47 enquiries: initiated/);
    assert.match(text, /The timing of the police interview/);
    await assertAxe(page, 'strategy record (police)');
    const r = await page.goto(caseUrl);
    assert.equal(r.status(), 403, 'the case is not the invited officer\'s to read');
  });

  await as('socialworker', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Record a task');
    await page.locator('#task').check(); // the child seen alone
    await page.locator('#note').fill('Seen alone at school; said she is scared of her stepfather.');
    await submit(page, 'Record');
    await go(page, 'Record the outcome');
    await page.locator('#substantiated').check();
    await page.locator('#reasons').fill('Medical consistent with a grab injury; history of violence.');
    await submit(page, 'Send for countersignature');
    await noErrors(page, 's47 outcome');
  });

  await as('supervisor', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Countersign the outcome');
    await submit(page, 'Countersign');
    assert.match(await page.locator('body').innerText(), /Initial child protection conference 1/);
    await go(page, 'Arrange the conference');
    await byId(page, 'date').fill(new Date().toISOString().slice(0, 10));
    await byId(page, 'time').fill('10:00');
    await byId(page, 'place').fill('Civic Centre, room 2');
    await choose(page, 'chair', 'conference chair');
    await byId(page, 'people[0].name').fill('Mother');
    await byId(page, 'people[0].role').fill('parent');
    await person(page, 1, 'Demo Constabulary', 'Detective constable');
    await person(page, 2, 'Demo NHS Foundation Trust', 'Named nurse');
    await person(page, 3, 'Demo Primary School', 'Designated safeguarding lead');
    await submit(page, 'Arrange and invite');
    await noErrors(page, 'arrange conference');
  });

  // Health sends its report from its tray.
  await as('health', async (page) => {
    const row = page.locator('tr', { hasText: `${given} ${family}` }).filter({ hasText: 'send your agency' });
    await row.getByRole('link').first().click();
    await page.waitForLoadState('load');
    await page.locator('#agency').fill('Demo NHS Foundation Trust');
    await page.locator('#by').fill('Named nurse');
    await page.locator('#summary').fill('Two previous A&E attendances with minor injuries.');
    await page.locator('#share_with_parents').check();
    await submit(page, 'Send report');
    await noErrors(page, 'agency report');
  });

  // The chair records the initial conference: a plan.
  await as('chair', async (page) => {
    const row = page.locator('tr', { hasText: `${given} ${family}` }).filter({ hasText: 'Chair the initial' });
    await row.getByRole('link').first().click();
    await page.waitForLoadState('load');
    await go(page, 'Record the conference');
    await assertAxe(page, 'conference form');
    await person(page, 0, 'social worker,', 'Social worker');
    await person(page, 1, 'Demo Constabulary', 'Detective constable');
    await person(page, 2, 'Demo NHS Foundation Trust', 'Named nurse');
    await person(page, 3, 'Demo Primary School', 'Designated safeguarding lead');
    await page.locator('#views').fill('Mother: accepts help and wants her partner to leave (4)\nSchool: worried about attendance (3)');
    await page.locator('#outcome').check(); // plan
    await page.locator('#category_physical').check();
    await choose(page, 'lead_social_worker', 'social worker,');
    await page.locator('#core_group').fill('Mother, parent\nSocial worker, lead social worker, Children\'s social care\nDSL, designated safeguarding lead, Demo Primary School');
    await page.locator('#changes').fill('No physical chastisement | none at all | 2027-03-01');
    await page.locator('#core_group_every_weeks').fill('4');
    await submit(page, 'Save the decisions');
    await noErrors(page, 'initial conference');
    const body = await page.locator('body').innerText();
    assert.match(body, /Child protection plan/);
    assert.match(body, /Physical abuse/);
    assert.match(body, /Child protection review conference 2/);
  });

  await as('socialworker', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Record a core group meeting');
    await person(page, 0, 'social worker,', 'Lead social worker');
    await person(page, 1, 'Demo Primary School', 'Designated safeguarding lead');
    await page.locator('#progress').fill('Stepfather has moved out; Nell attending daily.');
    await byId(page, 'actions[0].what').fill('Daily welfare check at school');
    await choose(page, 'actions[0].owner', 'Demo Primary School');
    await byId(page, 'actions[0].by').fill('2027-01-31');
    await submit(page, 'Save the meeting');
    await noErrors(page, 'core group');
    assert.match(await page.locator('body').innerText(), /Core group \d/);
  });

  await as('supervisor', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Arrange the conference');
    await byId(page, 'date').fill(new Date().toISOString().slice(0, 10));
    await byId(page, 'time').fill('10:00');
    await byId(page, 'place').fill('Civic Centre, room 2');
    await choose(page, 'chair', 'conference chair');
    await byId(page, 'people[0].name').fill('Mother');
    await byId(page, 'people[0].role').fill('parent');
    await person(page, 1, 'Demo Primary School', 'Designated safeguarding lead');
    await submit(page, 'Arrange and invite');
    await noErrors(page, 'arrange review');
  });

  await as('chair', async (page) => {
    await page.goto(caseUrl);
    await go(page, 'Record the conference');
    await person(page, 0, 'social worker,', 'Social worker');
    await person(page, 1, 'Demo Primary School', 'Designated safeguarding lead');
    await person(page, 2, 'Demo NHS Foundation Trust', 'Named nurse');
    await person(page, 3, 'Demo Constabulary', 'Detective constable');
    await page.locator('#views').fill('Mother: things are calmer (6)');
    await page.locator('#outcome').check(); // the plan continues
    await page.locator('#category_physical').check();
    await choose(page, 'lead_social_worker', 'social worker,');
    await page.locator('#core_group').fill('Mother, parent\nSocial worker, lead social worker, Children\'s social care');
    await page.locator('#changes').fill('No physical chastisement | none at all | 2027-06-01');
    await page.locator('#core_group_every_weeks').fill('6');
    await submit(page, 'Save the decisions');
    await noErrors(page, 'review conference');
    assert.match(await page.locator('body').innerText(), /Child protection review conference 3/);
    await assertAxe(page, 'case page after the review');
    await page.screenshot({ path: join(ARTIFACTS, 'case-child-protection.png'), fullPage: true });
    await go(page, 'Read the record (printable)');
    await assertAxe(page, 'meeting record');
    // The multi-agency chronology (Liverpool 004 §6), filterable and printable.
    await page.goto(caseUrl);
    await go(page, /Back to .*record/);
    await go(page, 'Multi-agency chronology (filter and print)');
    const text = await page.locator('main').innerText();
    assert.match(text, /Strategy discussion held: section 47 enquiries initiated/);
    assert.match(text, /Conference held: child protection plan/);
    await assertAxe(page, 'chronology');
  });
});
