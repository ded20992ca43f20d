// Browser end-to-end tests for the Together server.
//
//   TOGETHER_BIN=target/debug/together node --test tests/e2e/*.test.mjs
//
// Builds nothing: it starts $TOGETHER_BIN serve --demo on a temp SQLite file
// and a free port, then drives Debian's Chromium (/usr/bin/chromium) with
// playwright-core, checking every demo user's pages with axe-core.
// Screenshots and the server log go to tests/e2e/artifacts/ (gitignored).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer, defaultBin } from './lib/server.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(HERE, 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const MAX_PAGES_PER_ROLE = Number(process.env.TOGETHER_E2E_MAX_PAGES || 15);
const STEP_TIMEOUT_MS = 20_000;

export const REQUIRED_ROLES = [
  'front-door-worker',
  'social-worker',
  'practice-supervisor',
  'conference-chair',
  'partner-practitioner',
  'partnership-manager',
  'system-administrator',
  'data-protection-officer',
];

// Roles that must not see the children's case list.
const FORBIDDEN_CHILDREN = ['system-administrator', 'partnership-manager'];

rmSync(ARTIFACTS, { recursive: true, force: true });
mkdirSync(ARTIFACTS, { recursive: true });

// ------------------------------------------------------------- fixtures
const bin = defaultBin();
let server = null;
let browser = null;
let setupError = null;

try {
  if (!existsSync(bin)) throw new Error(`TOGETHER_BIN ${bin} does not exist (build it with: cargo build -p together)`);
  server = await startServer({ bin, logFile: join(ARTIFACTS, 'server.log') });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
} catch (err) {
  setupError = err;
}

// Safety net: never leave a server or browser behind, whatever failed.
after(async () => {
  await browser?.close().catch(() => {});
  if (server && !server.exited) server.child.kill('SIGKILL');
});

function requireSetup() {
  if (setupError) throw setupError;
}

const base = () => server.base;
const users = () => server?.users ?? [];
const userFor = (role) => users().find((u) => u.role === role);
const pathOf = (page) => new URL(page.url()).pathname;

/** A fresh browser context (fresh cookies); bypassCSP so axe can be injected. */
async function newPage(opts = {}) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, ...opts });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  return { context, page };
}

function slug(s) {
  return s.replace(/^\/+/, '').replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 80) || 'home';
}

async function screenshot(page, dir, n, label) {
  const d = join(ARTIFACTS, dir);
  mkdirSync(d, { recursive: true });
  const file = join(d, `${String(n).padStart(2, '0')}-${slug(label)}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
}

/** Runs axe; returns a list of problem strings (empty when clean). */
async function a11yProblems(page, where) {
  const v = await axeViolations(page);
  return v.length ? [formatViolations(v, where)] : [];
}

/** Fill and submit the login form; returns the POST response. */
async function submitLogin(page, username, password) {
  const user = page.getByLabel('Username', { exact: true });
  const pass = page.getByLabel('Password', { exact: true });
  assert.equal(await user.getAttribute('name'), 'username', 'the field labelled "Username" is named "username"');
  assert.equal(await pass.getAttribute('name'), 'password', 'the field labelled "Password" is named "password"');
  await user.fill(username);
  await pass.fill(password);
  const posted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
  );
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const resp = await posted;
  await page.waitForLoadState('load');
  return resp;
}

async function login(page, u) {
  const resp = await page.goto(`${base()}/login`);
  assert.equal(resp.status(), 200, 'GET /login is 200');
  await submitLogin(page, u.username, u.password);
  assert.equal(
    pathOf(page),
    '/',
    `after signing in as ${u.role} (${u.username}) the browser is on "/" (it is on ${page.url()})`,
  );
}

/** The "Sign out" button must be a POST form to /logout. Returns the locator. */
async function signOutButton(page) {
  const btn = page.getByRole('button', { name: 'Sign out', exact: true });
  assert.equal(await btn.count(), 1, 'exactly one "Sign out" button');
  const form = await btn.evaluate((b) => (b.form ? { method: b.form.method, action: b.form.action } : null));
  assert.ok(form, '"Sign out" button is inside a form');
  assert.equal(form.method, 'post', '"Sign out" form uses POST');
  assert.equal(new URL(form.action).pathname, '/logout', '"Sign out" form posts to /logout');
  return btn;
}

async function signOut(page) {
  const btn = await signOutButton(page);
  await btn.click();
  await page.waitForLoadState('load');
  assert.equal(pathOf(page), '/login', `after signing out the browser is on /login (it is on ${page.url()})`);
  await page.goto(`${base()}/`);
  assert.equal(pathOf(page), '/login', 'after signing out, "/" redirects to /login');
}

/**
 * Who the page says is signed in: the text of the element that holds the
 * "Sign out" form, less the button (e.g. "Sam Patel (Social worker, ...)").
 */
async function signedInAs(page) {
  await signOutButton(page);
  return page.getByRole('button', { name: 'Sign out', exact: true }).evaluate((b) => {
    const holder = b.form.parentElement;
    return holder.innerText.replace(b.innerText, '').replace(/\s+/g, ' ').trim();
  });
}

/**
 * The first link to a child's own page: a[href^="/children/"], preferring
 * links inside <main>, skipping action pages such as /children/new.
 * Returns { href, text } or null.
 */
async function firstChildLink(page) {
  return page.evaluate(() => {
    const skip = /^\/children\/(new|search|create)(\/|$)/;
    const here = location.pathname;
    const pick = (root) =>
      [...root.querySelectorAll('a[href^="/children/"]')].find((a) => {
        const path = new URL(a.href).pathname;
        return !skip.test(path) && path !== here;
      });
    const a = pick(document.querySelector('main') ?? document) ?? pick(document);
    return a ? { href: a.getAttribute('href'), text: a.innerText.trim() } : null;
  });
}

/** Identity shown per demo user, checked for distinctness at the end. */
const identities = new Map();

/** Same-origin links in <nav>, absolute, without fragment, excluding /logout. */
async function navLinks(page) {
  const hrefs = await page.$$eval('nav a[href]', (as) => as.map((a) => a.href));
  const out = [];
  for (const h of hrefs) {
    const u = new URL(h);
    if (u.origin !== base() || u.pathname === '/logout') continue;
    u.hash = '';
    out.push(u.href);
  }
  return out;
}

// ------------------------------------------------------------- tests

test('server starts with demo users for every role', () => {
  requireSetup();
  const roles = new Set(users().map((u) => u.role));
  const missing = REQUIRED_ROLES.filter((r) => !roles.has(r));
  assert.deepEqual(missing, [], `demo login lines missing for roles: ${missing.join(', ')}\n${server.describe()}`);
  const names = users().map((u) => u.username);
  assert.equal(new Set(names).size, names.length, 'demo usernames are unique');
  console.log(`server ready in ${server.startupMs} ms at ${base()} with ${users().length} demo users`);
});

test('anonymous visit to / redirects to /login', async () => {
  requireSetup();
  const r = await fetch(`${base()}/`, { redirect: 'manual' });
  assert.ok([301, 302, 303, 307, 308].includes(r.status), `GET / anonymously is a redirect (got ${r.status})`);
  assert.equal(new URL(r.headers.get('location'), base()).pathname, '/login', 'redirect goes to /login');
  const { context, page } = await newPage();
  try {
    await page.goto(`${base()}/`);
    assert.equal(pathOf(page), '/login');
  } finally {
    await context.close();
  }
});

test('login page: accessible, first Tab focuses "Skip to main content"', async () => {
  requireSetup();
  const { context, page } = await newPage();
  try {
    const resp = await page.goto(`${base()}/login`);
    assert.equal(resp.status(), 200);
    await screenshot(page, 'anonymous', 1, 'login');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const href = el?.getAttribute('href') || '';
      return {
        tag: el?.tagName,
        text: (el?.textContent || '').trim().replace(/\s+/g, ' '),
        href,
        targetExists: href.startsWith('#') && href.length > 1 && !!document.getElementById(href.slice(1)),
      };
    });
    assert.equal(focused.tag, 'A', `first Tab focuses a link (focused: ${JSON.stringify(focused)})`);
    assert.match(focused.text, /^skip to main content$/i, 'first Tab focuses "Skip to main content"');
    assert.ok(focused.targetExists, `skip link ${focused.href} points at an element on the page`);
    const problems = await a11yProblems(page, 'GET /login');
    assert.equal(problems.length, 0, `accessibility violations:\n${problems.join('\n')}`);
  } finally {
    await context.close();
  }
});

test('bad login shows "There is a problem" and keeps the username', async () => {
  requireSetup();
  const u = userFor('social-worker') ?? users()[0];
  assert.ok(u, 'a demo user exists');
  const { context, page } = await newPage();
  try {
    await page.goto(`${base()}/login`);
    await submitLogin(page, u.username, `${u.password}-wrong`);
    assert.notEqual(pathOf(page), '/', 'a wrong password does not sign in');
    await screenshot(page, 'anonymous', 2, 'login-error');
    await page.getByText('There is a problem').first().waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await page.getByLabel('Username', { exact: true }).inputValue(), u.username, 'username kept');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'password not echoed back');
    const problems = await a11yProblems(page, 'POST /login (bad password)');
    assert.equal(problems.length, 0, `accessibility violations:\n${problems.join('\n')}`);
    await page.goto(`${base()}/`);
    assert.equal(pathOf(page), '/login', 'still signed out');
  } finally {
    await context.close();
  }
});

test('strict Content-Security-Policy: sent, and the pages break none of it', async () => {
  requireSetup();
  const u = userFor('social-worker') ?? users()[0];
  // No bypassCSP here: this context enforces the policy like a real browser.
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const cspErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(`${page.url()}: ${m.text()}`);
  });
  try {
    const resp = await page.goto(`${base()}/login`);
    const csp = resp.headers()['content-security-policy'];
    assert.ok(csp, 'GET /login sends a Content-Security-Policy header');
    const scriptSrc = /(?:^|;)\s*script-src([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src([^;]*)/.exec(csp)?.[1];
    assert.ok(scriptSrc !== undefined, `CSP restricts scripts (script-src or default-src): ${csp}`);
    assert.ok(!/'unsafe-inline'/.test(scriptSrc), `CSP script source has no 'unsafe-inline': ${csp}`);
    await login(page, u);
    await page.goto(`${base()}/children`).catch(() => {});
    assert.deepEqual(cspErrors, [], 'no CSP violations reported by the browser');
  } finally {
    await context.close();
  }
});

// One test per demo user: sign in, crawl nav (+ first child page), axe every page.
for (const u of users()) {
  test(`demo user ${u.role} (${u.username}): sign in, crawl, axe, sign out`, { timeout: 240_000 }, async () => {
    requireSetup();
    const dir = `${u.role}__${slug(u.username)}`;
    const problems = [];
    const { context, page } = await newPage();
    const brokenAssets = [];
    page.on('response', (r) => {
      const url = new URL(r.url());
      if (r.request().resourceType() === 'document') return;
      if (url.origin === base() && r.status() >= 400 && url.pathname !== '/favicon.ico') {
        brokenAssets.push(`${r.status()} ${url.pathname} (on ${pathOf(page)})`);
      }
    });
    try {
      await login(page, u);
      // The signed-in user is named beside the Sign out button.
      const identity = await signedInAs(page);
      assert.ok(identity, 'the home page names the signed-in user beside "Sign out"');
      if (u.name) assert.ok(identity.includes(u.name), `shows the demo name "${u.name}" (shows "${identity}")`);
      identities.set(`${u.role} (${u.username})`, identity);

      const seen = new Set();
      const queue = [`${base()}/`];
      let n = 0;
      while (queue.length && n < MAX_PAGES_PER_ROLE) {
        const href = queue.shift();
        const key = new URL(href).pathname + new URL(href).search;
        if (seen.has(key)) continue;
        seen.add(key);
        n++;
        let resp;
        try {
          resp = await page.goto(href);
        } catch (err) {
          if (/Download is starting/i.test(String(err))) {
            console.log(`  ${u.role}: ${key} is a download, not a page (skipped)`);
            continue;
          }
          problems.push(`  [GET ${key}] navigation failed: ${String(err).split('\n')[0]}`);
          continue;
        }
        const status = resp?.status();
        await screenshot(page, dir, n, key);
        if (status === undefined || status >= 400) {
          problems.push(`  [GET ${key}] linked from the navigation but answered ${status}`);
        }
        if (pathOf(page) === '/login') {
          problems.push(`  [GET ${key}] sent a signed-in user to /login`);
          continue;
        }
        problems.push(...(await a11yProblems(page, `GET ${key}`)));

        for (const link of await navLinks(page)) queue.push(link);
        if (pathOf(page).startsWith('/children')) {
          const child = await firstChildLink(page);
          if (child) queue.push(new URL(child.href, base()).href);
        }
      }
      console.log(`  ${u.role} (${u.username}): visited ${n} pages: ${[...seen].join(' ')}`);
      if (brokenAssets.length) problems.push(`  broken same-origin resources: ${[...new Set(brokenAssets)].join(', ')}`);

      await page.goto(`${base()}/`);
      await signOut(page);
      assert.equal(problems.length, 0, `${u.role} (${u.username}):\n${problems.join('\n')}`);
    } finally {
      await context.close();
    }
  });
}

for (const role of FORBIDDEN_CHILDREN) {
  test(`${role} gets 403 with an accessible error page on /children`, async () => {
    requireSetup();
    const u = userFor(role);
    assert.ok(u, `a demo user with role ${role}`);
    const { context, page } = await newPage();
    try {
      await login(page, u);
      const resp = await page.goto(`${base()}/children`);
      await screenshot(page, 'forbidden', FORBIDDEN_CHILDREN.indexOf(role) + 1, `${role}-children`);
      assert.equal(resp.status(), 403, `${role} opening /children gets 403 (got ${resp.status()} at ${page.url()})`);
      const h1 = (await page.locator('h1').first().innerText({ timeout: 2_000 }).catch(() => '')).trim();
      assert.ok(h1, 'the 403 page has a heading');
      const title = await page.title();
      assert.ok(title.trim(), 'the 403 page has a <title>');
      const problems = await a11yProblems(page, `GET /children as ${role} (403)`);
      assert.equal(problems.length, 0, `accessibility violations:\n${problems.join('\n')}`);
    } finally {
      await context.close();
    }
  });
}

test('no-JavaScript journey: social worker signs in, opens a child, signs out', async () => {
  requireSetup();
  const u = userFor('social-worker');
  assert.ok(u, 'a demo social worker');
  const { context, page } = await newPage({ javaScriptEnabled: false, bypassCSP: false });
  try {
    await login(page, u);
    const list = await page.goto(`${base()}/children`);
    assert.equal(list.status(), 200, 'GET /children is 200 for a social worker');
    await screenshot(page, 'no-js', 1, 'children');
    const child = await firstChildLink(page);
    assert.ok(child, 'the children list links to at least one child (a[href^="/children/"])');
    const target = new URL(child.href, base()).pathname;
    const opened = page.waitForResponse((r) => new URL(r.url()).pathname === target);
    await page.locator(`a[href="${child.href}"]`).first().click();
    const resp = await opened;
    await page.waitForLoadState('load');
    assert.equal(resp.status(), 200, `opening ${child.href} is 200`);
    assert.equal(pathOf(page), target, `on the child's page (${page.url()})`);
    const h1 = (await page.locator('h1').first().innerText()).replace(/\s+/g, ' ');
    assert.ok(h1.includes(child.text), `the child's page heading "${h1}" names the child "${child.text}"`);
    await screenshot(page, 'no-js', 2, 'child');
    await signOut(page);
  } finally {
    await context.close();
  }
});

test('each demo user is shown their own name', () => {
  requireSetup();
  const byIdentity = new Map();
  for (const [who, identity] of identities) {
    byIdentity.set(identity, [...(byIdentity.get(identity) ?? []), who]);
  }
  const clashes = [...byIdentity].filter(([, whos]) => whos.length > 1);
  assert.deepEqual(clashes, [], 'different demo users are shown different names');
  for (const [who, identity] of identities) console.log(`  ${who}: "${identity}"`);
});

// Last: SIGTERM must stop the server cleanly within 10 s.
test('server exits cleanly within 10 s of SIGTERM', async () => {
  requireSetup();
  const r = await server.stop({ graceMs: 10_000 });
  assert.ok(!r.alreadyExited, `server was still running at the end (it exited early: code ${r.code}, signal ${r.signal})\n${server.describe()}`);
  assert.ok(!r.timedOut, 'server exited within 10 s of SIGTERM (it had to be killed)');
  assert.equal(r.code, 0, `server exit code after SIGTERM is 0 (code ${r.code}, signal ${r.signal})`);
  console.log(`server stopped in ${r.elapsedMs} ms`);
});
