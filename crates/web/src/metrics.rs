//! Prometheus figures at `/metrics`, in the text exposition format. Kept small and
//! dependency-free: request counts and durations by route and status, and requests
//! in flight.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    in_flight: AtomicI64,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    durations: Mutex<BTreeMap<(String, String), Series>>,
}

impl Metrics {
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        // Known methods only: an invented one must not grow the series (issue 18). The
        // route is already a template or "unmatched".
        let method = known_method(method);
        let secs = took.as_secs_f64();
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut d) = self.durations.lock() {
            let s = d
                .entry((method.to_string(), route.to_string()))
                .or_default();
            s.count += 1;
            s.sum += secs;
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    pub fn render(&self, backend: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP together_info Build and storage backend.\n# TYPE together_info gauge"
        );
        let _ = writeln!(
            out,
            "together_info{{version=\"{}\",backend=\"{backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(out, "# HELP together_http_requests_in_flight Requests being served.\n# TYPE together_http_requests_in_flight gauge");
        let _ = writeln!(
            out,
            "together_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP together_http_requests_total Requests served, by route and status.\n# TYPE together_http_requests_total counter");
        if let Ok(r) = self.requests.lock() {
            for ((m, route, status), n) in r.iter() {
                let _ = writeln!(out, "together_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{status}\"}} {n}", esc(route));
            }
        }
        let _ = writeln!(out, "# HELP together_http_request_duration_seconds Time to serve a request.\n# TYPE together_http_request_duration_seconds histogram");
        if let Ok(d) = self.durations.lock() {
            for ((m, route), s) in d.iter() {
                let labels = format!("method=\"{m}\",route=\"{}\"", esc(route));
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "together_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                        s.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "together_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "together_http_request_duration_seconds_sum{{{labels}}} {}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "together_http_request_duration_seconds_count{{{labels}}} {}",
                    s.count
                );
            }
        }
        out
    }
}

fn known_method(m: &str) -> &'static str {
    match m {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
