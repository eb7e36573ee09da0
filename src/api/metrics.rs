//! Prometheus metrics (`GET /metrics`, text exposition format 0.0.4).
//!
//! Hand-written rather than a metrics framework: the platform needs a handful of series
//! (requests, latency histogram, in-flight requests, database pools), and owning the format
//! keeps the dependency tree and the hot path small.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum_micros: u128,
}

#[derive(Default)]
struct Series {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The node's metrics.
pub struct Metrics {
    series: Mutex<Series>,
    in_flight: AtomicI64,
    started: f64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            series: Mutex::new(Series::default()),
            in_flight: AtomicI64::new(0),
            started: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        }
    }
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, elapsed: std::time::Duration) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        *series
            .requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = series.latency.entry(route.to_string()).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum_micros += elapsed.as_micros();
    }

    /// The exposition text.
    pub fn render(&self, pools: &[crate::repository::db::PoolStats], backend: &str) -> String {
        let mut out = String::new();
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(
            out,
            "# HELP tianguis_build_info Version and database engine of this node."
        );
        let _ = writeln!(out, "# TYPE tianguis_build_info gauge");
        let _ = writeln!(
            out,
            "tianguis_build_info{{version=\"{}\",backend=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            backend
        );
        let _ = writeln!(
            out,
            "# HELP process_start_time_seconds Start time of the process since the Unix epoch."
        );
        let _ = writeln!(out, "# TYPE process_start_time_seconds gauge");
        let _ = writeln!(out, "process_start_time_seconds {:.3}", self.started);
        let _ = writeln!(
            out,
            "# HELP tianguis_http_requests_total HTTP requests by method, route and status."
        );
        let _ = writeln!(out, "# TYPE tianguis_http_requests_total counter");
        for ((method, route, status), n) in &series.requests {
            let _ = writeln!(
                out,
                "tianguis_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}",
                escape(method),
                escape(route),
                status,
                n
            );
        }
        let _ = writeln!(
            out,
            "# HELP tianguis_http_request_duration_seconds Request latency by route."
        );
        let _ = writeln!(
            out,
            "# TYPE tianguis_http_request_duration_seconds histogram"
        );
        for (route, h) in &series.latency {
            let route = escape(route);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "tianguis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "tianguis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "tianguis_http_request_duration_seconds_sum{{route=\"{route}\"}} {:.6}",
                h.sum_micros as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "tianguis_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        drop(series);
        let _ = writeln!(
            out,
            "# HELP tianguis_http_requests_in_flight Requests being served."
        );
        let _ = writeln!(out, "# TYPE tianguis_http_requests_in_flight gauge");
        let _ = writeln!(
            out,
            "tianguis_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP tianguis_db_pool_connections Database connections by pool and state."
        );
        let _ = writeln!(out, "# TYPE tianguis_db_pool_connections gauge");
        for p in pools {
            let busy = p.size.saturating_sub(p.idle);
            let _ = writeln!(
                out,
                "tianguis_db_pool_connections{{pool=\"{}\",state=\"idle\"}} {}",
                p.name, p.idle
            );
            let _ = writeln!(
                out,
                "tianguis_db_pool_connections{{pool=\"{}\",state=\"busy\"}} {}",
                p.name, busy
            );
        }
        let _ = writeln!(
            out,
            "# HELP tianguis_db_pool_max_connections Configured pool maximum."
        );
        let _ = writeln!(out, "# TYPE tianguis_db_pool_max_connections gauge");
        for p in pools {
            let _ = writeln!(
                out,
                "tianguis_db_pool_max_connections{{pool=\"{}\"}} {}",
                p.name, p.max
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Records every request (route template, not the raw path, so ids do not explode the series).
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let response = next.run(req).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut body = state
        .metrics
        .render(&state.db.pool_stats(), state.db.backend().name());
    let stats = state.auctions.stats();
    for (name, help, value) in [
        (
            "tianguis_auction_commits_total",
            "Batches of auction events committed by this node.",
            &stats.batches,
        ),
        (
            "tianguis_auction_events_total",
            "Auction events committed by this node.",
            &stats.events,
        ),
        (
            "tianguis_auction_bids_accepted_total",
            "Live bids accepted by this node.",
            &stats.accepted,
        ),
    ] {
        use std::fmt::Write;
        let _ = writeln!(body, "# HELP {name} {help}");
        let _ = writeln!(body, "# TYPE {name} counter");
        let _ = writeln!(
            body,
            "{name} {}",
            value.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.observe(
            "GET",
            "/healthz",
            200,
            std::time::Duration::from_micros(1500),
        );
        m.observe("GET", "/healthz", 200, std::time::Duration::from_millis(30));
        let text = m.render(&[], "sqlite");
        assert!(text.contains(
            "tianguis_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.001\"} 0"));
        assert!(text.contains("le=\"0.0025\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
    }
}
