//! Shared by the CLI's integration tests: running the real `together` binary, and a
//! minimal HTTP/1.1 client over `std::net::TcpStream` (one request per connection,
//! `Connection: close`), so the tests need no HTTP crate.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_together");

/// The binary with the environment it reads cleared, so a developer's
/// `TOGETHER_*` settings cannot change what a test sees.
pub fn together() -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "TOGETHER_DATABASE",
        "TOGETHER_PARTNERSHIP",
        "TOGETHER_PROFILES",
    ] {
        c.env_remove(var);
    }
    c.env("RUST_LOG", "warn");
    c
}

/// Run `together ARGS`, returning its output (whatever the exit status).
pub fn run(args: &[&str]) -> Output {
    together()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the together binary")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run `together ARGS` and expect success; returns stdout.
pub fn run_ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "together {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// A running `together serve`.
pub struct Server {
    pub child: Child,
    /// host:port the server printed.
    pub addr: String,
    /// What it printed before `listening on`.
    pub lines: Vec<String>,
}

impl Server {
    /// `together serve --demo --database DB --listen 127.0.0.1:0`; waits (up to
    /// two minutes) for `listening on http://ADDR`. The server's log goes to `log`.
    pub fn start(database: &str, log: &Path) -> Server {
        let log_file = std::fs::File::create(log).expect("create the server log file");
        let mut child = together()
            .args([
                "serve",
                "--demo",
                "--database",
                database,
                "--listen",
                "127.0.0.1:0",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start together serve");
        let out = child.stdout.take().expect("stdout piped");
        let (tx, rx) = mpsc::channel::<String>();
        // Keep draining stdout for the server's whole life so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more: keep reading, drop the lines.
                }
            }
        });
        let mut lines = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    if let Some(addr) = line.strip_prefix("listening on http://") {
                        let addr = addr.trim().to_string();
                        return Server { child, addr, lines };
                    }
                    lines.push(line);
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = std::fs::read_to_string(log).unwrap_or_default();
                    panic!("the server did not start listening ({e:?}); it printed {lines:?}; its log:\n{log}");
                }
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL (what `Child::kill` sends on unix), then reap.
    pub fn kill9(mut self) {
        self.child.kill().expect("SIGKILL the server");
        let status = self.child.wait().expect("reap the server");
        assert!(
            !status.success(),
            "the server should have died of SIGKILL, not exited: {status}"
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Never leave a server behind when a test fails half way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response: status and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request on a fresh connection. Any I/O failure (refused, reset,
/// a response cut short) is an `Err`: the caller cannot count it as acknowledged.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<Response> {
    http_with(addr, method, path, token, body, &[])
}

/// [`http`] with more headers.
pub fn http_with(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> std::io::Result<Response> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    s.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or("");
    if method != "GET" {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    parse_response(&raw).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "incomplete HTTP response",
        )
    })
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut length = None;
    let mut chunked = false;
    for l in lines {
        let (k, v) = l.split_once(':')?;
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "content-length" {
            length = Some(v.parse::<usize>().ok()?);
        } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let body = if chunked {
        let mut out = Vec::new();
        let mut r = rest;
        loop {
            let eol = r.windows(2).position(|w| w == b"\r\n")?;
            let size = usize::from_str_radix(
                std::str::from_utf8(&r[..eol])
                    .ok()?
                    .split(';')
                    .next()?
                    .trim(),
                16,
            )
            .ok()?;
            r = &r[eol + 2..];
            if size == 0 {
                break;
            }
            if r.len() < size + 2 {
                return None;
            }
            out.extend_from_slice(&r[..size]);
            r = &r[size + 2..];
        }
        out
    } else {
        match length {
            Some(n) if rest.len() >= n => rest[..n].to_vec(),
            Some(_) => return None,
            None => rest.to_vec(),
        }
    };
    Some(Response {
        status,
        body: String::from_utf8(body).ok()?,
    })
}

/// A token for the demo children's social care agency, issued with the CLI
/// (`user agencies`, then `api-client add`): the API treats it as a front door worker.
pub fn csc_token(database: &str) -> String {
    agency_token(database, "childrens-social-care")
}

/// A token for the demo's first agency of `kind` ("education", "police", ...).
pub fn agency_token(database: &str, kind: &str) -> String {
    let agencies = run_ok(&["user", "agencies", "--database", database]);
    let csc = agencies
        .lines()
        .find_map(|l| {
            let mut w = l.split_whitespace();
            let (id, k) = (w.next()?, w.next()?);
            (k == kind).then(|| id.to_string())
        })
        .unwrap_or_else(|| panic!("no {kind} agency in:\n{agencies}"));
    let out = run_ok(&[
        "api-client",
        "add",
        "--database",
        database,
        "--agency",
        &csc,
        "--name",
        "Durability test client",
    ]);
    let token = out
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(token.starts_with("tgr_"), "no token in: {out}");
    token
}

/// A PostgreSQL schema of its own in the database named by
/// `TOGETHER_TEST_POSTGRES_URL`, dropped at the end. `None` (with a note) when the
/// variable is unset, unless `TOGETHER_REQUIRE_POSTGRES=1`.
pub struct PgSchema {
    admin_url: String,
    pub schema: String,
    /// The URL that puts Together in this schema.
    pub url: String,
}

impl PgSchema {
    pub fn create(test: &str) -> Option<PgSchema> {
        let admin_url = match std::env::var("TOGETHER_TEST_POSTGRES_URL") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                if std::env::var("TOGETHER_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!("TOGETHER_REQUIRE_POSTGRES=1 but TOGETHER_TEST_POSTGRES_URL is not set");
                }
                eprintln!(
                    "skipping {test} on PostgreSQL: set TOGETHER_TEST_POSTGRES_URL to run it"
                );
                return None;
            }
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)
            .expect("connect to TOGETHER_TEST_POSTGRES_URL");
        // Generated above (hex only), not user data.
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create the test schema");
        // tokio-postgres percent-decodes URL parameters: %20 is a space, %3D an '='.
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
        Some(PgSchema {
            admin_url,
            schema,
            url,
        })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            if let Err(e) =
                admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
            {
                eprintln!("could not drop test schema {}: {e}", self.schema);
            }
        }
    }
}
