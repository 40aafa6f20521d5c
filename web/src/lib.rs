//! The REST API (`/api/v1/…`) and Prometheus metrics (`/metrics`) over the aggregator's published snapshot.
//!
//! Every request loads the current `Arc<Snapshot>` once and answers from it: nothing here touches worker state or
//! takes a lock the engine holds. The server runs its own single-threaded tokio runtime on its own OS thread, so it
//! never competes with the pinned workers for their cores' run queues.

mod api;
mod metrics;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use arc_swap::ArcSwap;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use xntop_model::Snapshot;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub listen: SocketAddr,
    /// The API token every `/api` and `/metrics` request must carry as `Authorization: Bearer …`;
    /// `None` only with `--disable-login`.
    pub token: Option<String>,
}

/// Shared by the handlers.
#[derive(Clone)]
pub struct AppState {
    snapshot: Arc<ArcSwap<Snapshot>>,
    token: Option<Arc<str>>,
}

/// A running server.
pub struct WebHandle {
    pub local_addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for WebHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebHandle")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl WebHandle {
    /// Stops accepting, lets running requests finish, and joins the server thread.
    pub fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The router, for tests and for [`spawn`].
pub fn router(snapshot: Arc<ArcSwap<Snapshot>>, token: Option<String>) -> Router {
    let state = AppState {
        snapshot,
        token: token.map(Into::into),
    };
    let protected = Router::new()
        .route("/api/v1/interfaces", get(api::interfaces))
        .route("/api/v1/hosts", get(api::hosts))
        .route("/api/v1/hosts/{ip}", get(api::host))
        .route("/api/v1/flows", get(api::flows))
        .route("/api/v1/applications", get(api::applications))
        .route("/api/v1/timeseries", get(api::timeseries))
        .route("/metrics", get(metrics::metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/", get(index))
        .merge(protected)
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Binds and serves on a thread of its own.
///
/// # Errors
/// When the address cannot be bound.
pub fn spawn(config: &WebConfig, snapshot: Arc<ArcSwap<Snapshot>>) -> anyhow::Result<WebHandle> {
    let std_listener = std::net::TcpListener::bind(config.listen)
        .with_context(|| format!("-w: cannot listen on {}", config.listen))?;
    std_listener.set_nonblocking(true)?;
    let local_addr = std_listener.local_addr()?;
    let app = router(snapshot, config.token.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("xntop-web".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                eprintln!("xntop: web: cannot start the runtime");
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    eprintln!("xntop: web: cannot use the listening socket");
                    return;
                };
                let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                    let _ = rx.await;
                });
                if let Err(e) = server.await {
                    eprintln!("xntop: web: {e}");
                }
            });
        })?;
    Ok(WebHandle {
        local_addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// Constant-time comparison, so response timing does not leak how much of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = &state.token else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
        return next.run(req).await;
    }
    let mut r = (
        StatusCode::UNAUTHORIZED,
        axum::Json(
            serde_json::json!({"error": "authentication required: Authorization: Bearer <token>"}),
        ),
    )
        .into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "xntop: REST API under /api/v1/ (interfaces, hosts, hosts/{ip}, flows, applications, timeseries) and \
         Prometheus metrics at /metrics; send Authorization: Bearer <token>. The browser UI is not in this build.\n",
    )
}

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"error": "not found"})),
    )
}
