//! TLS to PostgreSQL (issue 18, item 15), against the throwaway server, which
//! `scripts/pg-throwaway.sh` starts with TLS on and a certificate for 127.0.0.1 signed
//! by a throwaway CA. Skipped without it, unless `TOGETHER_REQUIRE_POSTGRES=1`.

use together_store::postgres::PgStore;

struct Server {
    /// `postgres://postgres@127.0.0.1:PORT/together_test`, in a schema of its own.
    url: String,
    ca: String,
    other_ca: String,
}

fn server() -> Option<Server> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let (Some(base), Some(ca), Some(other_ca)) = (
        var("TOGETHER_TEST_POSTGRES_URL"),
        var("TOGETHER_TEST_POSTGRES_CA"),
        var("TOGETHER_TEST_POSTGRES_OTHER_CA"),
    ) else {
        if std::env::var("TOGETHER_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("TOGETHER_REQUIRE_POSTGRES=1 but the throwaway server's URL and CA are not set");
        }
        eprintln!("skipping: start scripts/pg-throwaway.sh to test TLS to PostgreSQL");
        return None;
    };
    let schema = format!("tls_{}", uuid::Uuid::new_v4().simple());
    let mut admin = ::postgres::Client::connect(&base, ::postgres::NoTls).expect("connect");
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(Server {
        url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
        ca,
        other_ca,
    })
}

#[test]
fn verify_full_encrypts_and_checks_the_servers_certificate_and_name() {
    let Some(s) = server() else { return };
    let store = PgStore::open(&format!(
        "{}&sslmode=verify-full&sslrootcert={}",
        s.url, s.ca
    ))
    .expect("verify-full with the CA that signed the server's certificate");
    assert!(store.encrypted().unwrap(), "the connection is encrypted");

    // Without TLS asked for, nothing is encrypted (a database on the same host).
    let plain = PgStore::open(&s.url).unwrap();
    assert!(!plain.encrypted().unwrap());
    // `require` encrypts without checking whose certificate it is.
    let required = PgStore::open(&format!("{}&sslmode=require", s.url)).unwrap();
    assert!(required.encrypted().unwrap());
}

#[test]
fn verify_full_refuses_a_certificate_from_another_ca_or_for_another_name() {
    let Some(s) = server() else { return };
    let err = PgStore::open(&format!(
        "{}&sslmode=verify-full&sslrootcert={}",
        s.url, s.other_ca
    ))
    .err()
    .expect("a server whose certificate another CA signed is refused");
    assert!(err.to_string().contains("could not connect"), "{err}");

    // The certificate names 127.0.0.1; reached as "localhost" the name does not match:
    // verify-full refuses, verify-ca (the chain only) accepts.
    let by_name = s.url.replacen("127.0.0.1", "localhost", 1);
    let err = PgStore::open(&format!(
        "{by_name}&sslmode=verify-full&sslrootcert={}",
        s.ca
    ))
    .err()
    .expect("a certificate for another name is refused");
    assert!(err.to_string().contains("could not connect"), "{err}");
    let chain_only = PgStore::open(&format!("{by_name}&sslmode=verify-ca&sslrootcert={}", s.ca))
        .expect("verify-ca checks the chain, not the name");
    assert!(chain_only.encrypted().unwrap());
}

#[test]
fn a_missing_root_file_is_named() {
    let Some(s) = server() else { return };
    let err = PgStore::open(&format!(
        "{}&sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
        s.url
    ))
    .err()
    .expect("refused");
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
}
