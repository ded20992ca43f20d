//! The server's log has request ids and no personal data: no names, dates of birth,
//! NHS numbers, search terms, passwords or tokens (issue: "JSON logs with request ids
//! and no personal data"; design brief: no secret, name or date of birth in logs).

mod common;

use common::{csc_token, http, together};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

/// `together serve --demo` logging at info (the shared helper quietens the log to warn).
struct InfoServer {
    child: Child,
    addr: String,
    lines: Vec<String>,
}

impl InfoServer {
    // `Drop` kills and reaps the server.
    #[allow(clippy::zombie_processes)]
    fn start(db: &str, log: &std::path::Path) -> InfoServer {
        let mut child = together()
            .env("RUST_LOG", "info")
            .args([
                "serve",
                "--demo",
                "--database",
                db,
                "--listen",
                "127.0.0.1:0",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
            .spawn()
            .unwrap();
        let mut lines = Vec::new();
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = out
                .next()
                .expect("the server printed `listening on`")
                .unwrap();
            if let Some(addr) = line.strip_prefix("listening on http://") {
                // Keep draining stdout so the server never blocks on a full pipe.
                std::thread::spawn(move || out.for_each(drop));
                return InfoServer {
                    child,
                    addr: addr.trim().to_string(),
                    lines,
                };
            }
            lines.push(line);
        }
    }
}

impl Drop for InfoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_log_holds_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("together.db");
    let db = db.to_str().unwrap();
    let log = dir.path().join("server.log");
    // Seed first (passwords are printed to stdout, never to the log), then take a token.
    let server = InfoServer::start(db, &log);
    let passwords: Vec<String> = server
        .lines
        .iter()
        .filter_map(|l| l.split("password=").nth(1))
        .map(|p| p.trim().to_string())
        .collect();
    assert_eq!(passwords.len(), 10, "{:?}", server.lines);
    let token = csc_token(db);

    let body = r#"{"kind":"child","given_name":"Zebedith","family_name":"Quillanby","date_of_birth":"2019-04-02","sex":"female","nhs_number":"9434765919","postcode":"ZZ9 9ZZ"}"#;
    let created = http(
        &server.addr,
        "POST",
        "/api/v1/children",
        Some(&token),
        Some(body),
    )
    .unwrap();
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let note = r#"{"title":"Quillanby visit","text":"Zebedith said she was frightened of Uncle Marrowby."}"#;
    assert_eq!(
        http(
            &server.addr,
            "POST",
            &format!("/api/v1/children/{id}/case-notes"),
            Some(&token),
            Some(note)
        )
        .unwrap()
        .status,
        201
    );
    assert_eq!(
        http(
            &server.addr,
            "GET",
            &format!("/api/v1/children/{id}"),
            Some(&token),
            None
        )
        .unwrap()
        .status,
        200
    );
    // A rejected body that carries a name, and a search whose query is a name.
    let bad = r#"{"kind":"child","given_name":"Zebedith","family_name":"Quillanby","date_of_birth":"2019-02-30","sex":"female"}"#;
    assert_eq!(
        http(
            &server.addr,
            "POST",
            "/api/v1/children",
            Some(&token),
            Some(bad)
        )
        .unwrap()
        .status,
        422
    );
    http(&server.addr, "GET", "/children?name=Quillanby", None, None).unwrap();
    drop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for l in &lines {
        let v: serde_json::Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}"));
        assert!(v.get("level").is_some() && v.get("fields").is_some(), "{l}");
    }
    let requests: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("\"request_id\"") && l.contains("\"route\""))
        .collect();
    assert!(
        requests.len() >= 5,
        "request lines carry request ids and routes: {requests:?}"
    );
    for secret in [
        "Zebedith",
        "Quillanby",
        "Marrowby",
        "2019-04-02",
        "2019-02-30",
        "9434765919",
        "ZZ9 9ZZ",
        &token,
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(passwords)
    {
        assert!(!text.contains(&secret), "the log contains {secret:?}");
    }
}
