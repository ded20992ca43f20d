// Starts and stops the Together server under test.
//
// Contract (see tests/e2e/README.md):
//   $TOGETHER_BIN serve --demo --database <tmp>/together.db --listen 127.0.0.1:<port>
// prints once, on stdout, one line per demo user:
//   demo login: role=<role-id> username=<username> password=<password>
// and, when ready:
//   listening on http://127.0.0.1:<port>
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_LINE =
  /^demo login: role=(?<role>[a-z0-9-]+) username=(?<username>\S+) password=(?<password>\S+)(?<rest>.*)$/;
export const LISTENING_LINE = /^listening on (?<url>https?:\/\/\S+?)\/?$/;

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** $TOGETHER_BIN, else <target dir>/debug/together (target dir: $CARGO_TARGET_DIR or <repo>/target). */
export function defaultBin() {
  if (process.env.TOGETHER_BIN) return resolve(process.env.TOGETHER_BIN);
  const target = process.env.CARGO_TARGET_DIR ? resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR) : join(REPO_ROOT, 'target');
  return join(target, 'debug', 'together');
}

async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// Optional extras after the password, e.g. name="Sam Patel" (not required).
function parseExtras(rest) {
  const out = {};
  for (const m of rest.matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)) out[m[1]] = m[2] ?? m[3];
  return out;
}

/**
 * Start the server; resolves once the "listening on" line has been printed
 * and /login answers. Rejects (with the server's output) on timeout or exit.
 */
export async function startServer({ bin = defaultBin(), logFile, timeoutMs = 60_000, extraArgs = [] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'together-e2e-'));
  const port = await freePort();
  const args = ['serve', '--demo', '--database', join(dir, 'together.db'), '--listen', `127.0.0.1:${port}`, ...extraArgs];
  const log = logFile ? createWriteStream(logFile) : null;
  const started = Date.now();
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });

  const users = [];
  const stdoutLines = [];
  const stderrTail = [];
  let url = null;
  let exited = null;
  const exitPromise = new Promise((res) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal, at: Date.now() };
      res(exited);
    });
  });

  let onReady;
  const ready = new Promise((res) => (onReady = res));

  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    log?.write(chunk);
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (stdoutLines.length < 400) stdoutLines.push(line);
      const d = DEMO_LINE.exec(line);
      if (d) {
        const { role, username, password, rest } = d.groups;
        users.push({ role, username, password, ...parseExtras(rest) });
        continue;
      }
      const l = LISTENING_LINE.exec(line);
      if (l && !url) {
        url = l.groups.url;
        onReady();
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    log?.write(chunk);
    for (const line of chunk.split('\n')) {
      if (line) stderrTail.push(line);
      if (stderrTail.length > 60) stderrTail.shift();
    }
  });
  const spawnError = new Promise((_, rej) => child.on('error', rej));

  const describe = () =>
    `command: ${bin} ${args.join(' ')}\n` +
    `--- stdout (first lines) ---\n${stdoutLines.slice(0, 40).join('\n')}\n` +
    `--- stderr (last lines) ---\n${stderrTail.join('\n')}`;

  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(
      () => rej(new Error(`server did not print "listening on http://..." within ${timeoutMs} ms\n${describe()}`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([
      ready,
      timeout,
      spawnError,
      exitPromise.then((e) => {
        throw new Error(`server exited early (code ${e.code}, signal ${e.signal})\n${describe()}`);
      }),
    ]);
  } catch (err) {
    clearTimeout(timer);
    if (!exited) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  clearTimeout(timer);

  // Let late demo lines (printed before "listening") settle, then probe.
  const base = new URL(url).origin;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/login`, { redirect: 'manual' });
      await r.arrayBuffer();
      break;
    } catch (err) {
      if (i >= 50 || exited) throw new Error(`server printed "listening" but ${base}/login fails: ${err}\n${describe()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    base,
    port,
    users,
    dir,
    child,
    startupMs: Date.now() - started,
    describe,
    get exited() {
      return exited;
    },
    /** SIGTERM, wait up to graceMs; SIGKILL if still alive. Returns the exit info. */
    async stop({ graceMs = 10_000 } = {}) {
      let result;
      if (exited) {
        result = { ...exited, alreadyExited: true, elapsedMs: 0 };
      } else {
        const t0 = Date.now();
        child.kill('SIGTERM');
        const timedOut = await Promise.race([
          exitPromise.then(() => false),
          new Promise((r) => setTimeout(() => r(true), graceMs)),
        ]);
        if (timedOut) {
          child.kill('SIGKILL');
          await exitPromise;
        }
        result = { ...exited, timedOut, elapsedMs: Date.now() - t0 };
      }
      log?.end();
      await rm(dir, { recursive: true, force: true });
      return result;
    },
  };
}
