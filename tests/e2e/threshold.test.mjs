// Threshold decision support in a partnership with a threshold model
// (Northamptonshire's continuum of need, NSCP 001 §4 and Appendices 1–2):
// a front door worker ticks indicators, gets a suggested level, and is told
// plainly when a strategy discussion is required. Works without JavaScript and
// passes an axe scan.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer, defaultBin } from './lib/server.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(HERE, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

const server = await startServer({
  bin: defaultBin(),
  logFile: join(ARTIFACTS, 'server-northamptonshire.log'),
  extraArgs: ['--partnership', 'northamptonshire'],
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
after(async () => {
  await browser.close().catch(() => {});
  if (!server.exited) server.child.kill('SIGKILL');
});

async function signIn(page, role) {
  const u = server.users.find((x) => x.role === role);
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Username', { exact: true }).fill(u.username);
  await page.getByLabel('Password', { exact: true }).fill(u.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState('load');
}

test('ticking a section 47 indicator says a strategy discussion is required (no JavaScript)', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await signIn(page, 'front-door-worker');
  await page.getByRole('link', { name: 'Threshold', exact: true }).click();
  assert.match(await page.locator('h1').innerText(), /Threshold decision support/);
  // A level 2 family indicator only: a suggestion, no strategy discussion.
  await page.locator('details').nth(3).locator('summary').click();
  await page.locator('input[name="ind"][value^="family-2-"]').first().check();
  await page.getByRole('button', { name: 'Suggest a level' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.locator('.govuk-notification-banner__heading').innerText(), /^Level 2:/);
  assert.equal(await page.locator('.govuk-warning-text').count(), 0, 'no strategy-discussion warning for a level 2 indicator');
  // Add an indicator marked for a strategy discussion.
  const s47 = page.locator('label:has(.together-s47)').first();
  const id = await s47.getAttribute('for');
  await page.locator(`details:has(#${id}) summary`).first().click();
  await page.locator(`#${id}`).check();
  await page.getByRole('button', { name: 'Suggest a level' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.locator('.govuk-notification-banner__heading').innerText(), /^Level 4:/);
  assert.match(await page.locator('.govuk-warning-text').innerText(), /A strategy discussion is required/);
  await page.screenshot({ path: join(ARTIFACTS, 'threshold-s47.png'), fullPage: true });
  await ctx.close();
});

test('the threshold page passes axe, with and without ticks', async () => {
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  await signIn(page, 'practice-supervisor');
  for (const path of ['/threshold', '/threshold?ind=health-4-01&ind=family-2-01']) {
    await page.goto(`${server.base}${path}`);
    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v, path));
  }
  await ctx.close();
});
