// One browser session against one Together server, for the journey tests: start the
// server with the demo partnership, launch Debian's chromium, sign in as a demo user
// (JavaScript off, as a keyboard-only user without script would), and check a page
// with axe (in a scripted context with the same cookies).
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer, defaultBin } from './server.mjs';
import { axeViolations, formatViolations } from './axe.mjs';

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/** Start a server (its log in artifacts/<logName>) and a browser, stopped after the file's tests. */
export async function openSession(logName) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer({ bin: defaultBin(), logFile: join(ARTIFACTS, logName) });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  after(async () => {
    await browser.close().catch(() => {});
    if (!server.exited) server.child.kill('SIGKILL');
  });

  /** Sign in as `username` in a fresh context without JavaScript, run `fn(page)`, return its result. */
  async function as(username, fn) {
    const u = server.users.find((x) => x.username === username);
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${server.base}/login`);
    await page.getByLabel('Username', { exact: true }).fill(u.username);
    await page.getByLabel('Password', { exact: true }).fill(u.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForLoadState('load');
    try {
      return await fn(page);
    } finally {
      await ctx.close();
    }
  }

  /** axe needs script: scan the same URL in a scripted context with the same cookies. */
  async function assertAxe(page, where) {
    const ctx = await browser.newContext({ bypassCSP: true, storageState: await page.context().storageState() });
    const p = await ctx.newPage();
    await p.goto(page.url());
    const v = await axeViolations(p);
    await ctx.close();
    assert.equal(v.length, 0, formatViolations(v, where));
  }

  return { server, browser, as, assertAxe };
}

/** An element by its id (ids here may hold brackets and dots). */
export const byId = (page, id) => page.locator(`[id="${id}"]`);

export async function submit(page, name) {
  await page.getByRole('button', { name, exact: true }).click();
  await page.waitForLoadState('load');
}

/** Choose the first option of a select whose text contains `text`. */
export async function choose(page, selectId, text) {
  // The demo also has a small generated partnership (issue 6): prefer the hand-made
  // demo's people and agencies, whose names start "Demo".
  const options = byId(page, selectId).locator('option', { hasText: text });
  const demo = options.filter({ hasText: 'Demo' });
  const pick = (await demo.count()) > 0 ? demo.first() : options.first();
  await byId(page, selectId).selectOption(await pick.getAttribute('value'));
}
