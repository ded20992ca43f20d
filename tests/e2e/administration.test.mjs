// Issue 18: an administrator's password reset, as the people it touches see it. The
// administrator hands over a temporary password; the user signing in with it is taken
// to choose their own before anything else; the data protection officer finds the
// reset in the administration log. Every page is checked with axe, without script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { openSession, ARTIFACTS, submit } from './lib/session.mjs';

const { server, browser, as, assertAxe } = await openSession('administration-server.log');

test('a reset password is temporary, must be changed, and is in the administration log', async () => {
  const temporary = await as('admin', async (page) => {
    await page.goto(`${server.base}/admin/users`);
    await page.getByRole('button', { name: 'Reset password for supervisor', exact: true }).click();
    await page.waitForLoadState('load');
    const shown = await page.locator('code.together-code--large').innerText();
    assert.match(await page.content(), /must choose their own password/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-reset.png'), fullPage: true });
    // The answer to the POST is the users page; axe scans it by its own address.
    await page.goto(`${server.base}/admin/users`);
    await assertAxe(page, 'users page');
    return shown.trim();
  });

  // Signing in with it leads to "Your account", whatever page is asked for.
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Username', { exact: true }).fill('supervisor');
  await page.getByLabel('Password', { exact: true }).fill(temporary);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState('load');
  assert.ok(page.url().endsWith('/account/password'), page.url());
  await page.goto(`${server.base}/children`);
  assert.ok(page.url().endsWith('/account/password'), page.url());
  assert.match(await page.content(), /set by an administrator/);
  await page.screenshot({ path: join(ARTIFACTS, 'must-change.png'), fullPage: true });
  await assertAxe(page, 'your account, with a temporary password');
  await page.getByLabel('Current password', { exact: true }).fill(temporary);
  await page.getByLabel('New password (at least 12 characters)', { exact: true }).fill('the-supervisors-own-one');
  await page.getByLabel('New password again', { exact: true }).fill('the-supervisors-own-one');
  await submit(page, 'Change password');
  assert.match(await page.content(), /Your password is changed/);
  await page.goto(`${server.base}/children`);
  assert.ok(page.url().endsWith('/children'), page.url());
  await ctx.close();

  await as('dpo', async (p) => {
    await p.goto(`${server.base}/admin-log`);
    const text = await p.locator('main').innerText();
    assert.match(text, /Password reset/);
    assert.ok(!text.includes(temporary), 'never the password itself');
    await p.screenshot({ path: join(ARTIFACTS, 'admin-log.png') });
    await assertAxe(p, 'administration log');
  });
});
