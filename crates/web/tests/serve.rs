//! The server loop's limits (issue 18): a connection that does not send its request's
//! headers in time is closed; past the connection limit a new connection is closed at
//! once; an ordinary request is served. Real TCP against a real listener.

mod common;

use common::TestApp;
use std::sync::Arc;
use std::time::Duration;
use together_web::{AppState, Metrics, ServeLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(
    ta: &TestApp,
    limits: ServeLimits,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        app: ta.app.clone(),
        metrics: Arc::new(Metrics::default()),
        https: false,
        metrics_token: None,
        trusted_proxies: Vec::new(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(together_web::serve_with(
        state,
        listener,
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    (addr, stop)
}

/// Read until the server closes the connection (or `within` passes): what was read.
async fn read_to_close(s: &mut TcpStream, within: Duration) -> Option<String> {
    let mut buf = Vec::new();
    match tokio::time::timeout(within, s.read_to_end(&mut buf)).await {
        Ok(_) => Some(String::from_utf8_lossy(&buf).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_sender_is_closed_and_an_ordinary_request_is_served() {
    let ta = TestApp::start().await;
    let (addr, _stop) = start(
        &ta,
        ServeLimits {
            header_read_timeout: Duration::from_millis(300),
            ..ServeLimits::default()
        },
    )
    .await;
    // Headers begun and never finished: closed, not held open.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        read_to_close(&mut slow, Duration::from_secs(20))
            .await
            .is_some(),
        "the slow connection was closed"
    );
    // An ordinary request is answered.
    let mut ok = TcpStream::connect(addr).await.unwrap();
    ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut ok, Duration::from_secs(20))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_connection_limit_a_connection_is_closed_at_once() {
    let ta = TestApp::start().await;
    let (addr, _stop) = start(
        &ta,
        ServeLimits {
            max_connections: 1,
            header_read_timeout: Duration::from_secs(60),
            ..ServeLimits::default()
        },
    )
    .await;
    let mut first = TcpStream::connect(addr).await.unwrap();
    first.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut second = TcpStream::connect(addr).await.unwrap();
    let _ = second
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    // Closed with no answer, while the first (which has a minute) is still open.
    let answer = read_to_close(&mut second, Duration::from_secs(20)).await;
    assert_eq!(answer.as_deref(), Some(""));
    drop(first);
}
