//! The browser UI (`/`), the REST API (`/api/v1/…`) and Prometheus metrics (`/metrics`) over the aggregator's
//! published snapshot, behind a password login (session cookie) or the API token.
//!
//! Every request loads the current `Arc<Snapshot>` once and answers from it: nothing here touches worker state or
//! takes a lock the engine holds. The server runs its own single-threaded tokio runtime on its own OS thread, so it
//! never competes with the pinned workers for their cores' run queues.

mod api;
pub mod auth;
mod conn_io;
mod conns;
mod events;
pub mod fdlimit;
mod headers;
pub mod historical;
mod inventory;
mod login;
mod metrics;
pub mod openapi;
mod server;
pub mod sessions;
mod stats;
mod throttle;
pub mod tls;
mod ui;
pub mod users;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use arc_swap::ArcSwap;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use xntop_model::Snapshot;

use crate::auth::Auth;
use crate::conns::{Registry, MAX_CONNECTIONS};
use crate::headers::SecurityHeaders;
use crate::stats::WebStats;
pub use crate::tls::TlsFiles;
pub use crate::users::Users;

/// Connections the kernel completes and queues before the server accepts them (capped by `net.core.somaxconn`).
const LISTEN_BACKLOG: i32 = 1024;
/// Largest login request body (a user name and a password of at most 1 KiB, as JSON or a form).
const MAX_LOGIN_BODY: usize = 16 * 1024;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub listen: SocketAddr,
    /// The API token every `/api` and `/metrics` request must carry as `Authorization: Bearer …`;
    /// `None` only with `--disable-login`.
    pub token: Option<String>,
    /// Who may log in with a password (session cookie); `None` with `--disable-login`, or when the users file
    /// could not be opened (then only the token works).
    pub users: Option<Users>,
    /// Mark session cookies `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Runs first on the server's thread (the engine moves it off the workers' cores and lowers its priority).
    pub thread_setup: ThreadSetup,
    /// The flow history `/api/v1/historical/…` reads (`None`: those routes answer 503).
    pub history: Option<xntop_history::History>,
}

/// A hook run at the start of the server's thread.
#[derive(Clone, Default)]
pub struct ThreadSetup(pub Option<Arc<dyn Fn() + Send + Sync>>);

impl std::fmt::Debug for ThreadSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ThreadSetup(set)"
        } else {
            "ThreadSetup(none)"
        })
    }
}

impl WebConfig {
    /// No authentication at all (`--disable-login`).
    #[must_use]
    pub fn open(listen: SocketAddr) -> Self {
        Self {
            listen,
            token: None,
            users: None,
            secure_cookies: false,
            tls: None,
            thread_setup: ThreadSetup::default(),
            history: None,
        }
    }
}

/// Shared by the handlers.
#[derive(Clone)]
pub struct AppState {
    snapshot: Arc<ArcSwap<Snapshot>>,
    auth: Arc<Auth>,
    /// Set to `true` when the server shuts down: ends the event streams, which would otherwise hold the graceful
    /// shutdown open forever.
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    /// Served over HTTPS (the same-origin check compares schemes).
    https: bool,
    web: Arc<WebStats>,
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
pub fn router(snapshot: Arc<ArcSwap<Snapshot>>, config: &WebConfig) -> Router {
    build(snapshot, config, Arc::default()).0
}

/// The router and the switch that ends its event streams.
fn build(
    snapshot: Arc<ArcSwap<Snapshot>>,
    config: &WebConfig,
    web: Arc<WebStats>,
) -> (Router, Arc<tokio::sync::watch::Sender<bool>>) {
    let https = config.tls.is_some();
    let state = AppState {
        snapshot,
        auth: Arc::new(Auth::new(
            config.token.clone(),
            config.users.clone(),
            config.secure_cookies,
        )),
        stop: Arc::new(tokio::sync::watch::Sender::new(false)),
        https,
        web,
    };
    let protected = Router::new()
        .route("/api/v1/interfaces", get(api::interfaces))
        .route("/api/v1/hosts", get(api::hosts))
        .route("/api/v1/hosts/{ip}", get(api::host))
        .route("/api/v1/flows", get(api::flows))
        .route("/api/v1/applications", get(api::applications))
        .route("/api/v1/timeseries", get(api::timeseries))
        .route("/api/v1/summary", get(api::summary))
        .route("/api/v1/countries", get(inventory::countries))
        .route("/api/v1/asns", get(inventory::asns))
        .route("/api/v1/networks", get(inventory::networks))
        .route("/api/v1/vlans", get(inventory::vlans))
        .route("/api/v1/matrix", get(inventory::matrix))
        .route("/api/v1/devices", get(inventory::devices))
        .route("/api/v1/devices/{id}", get(inventory::device))
        .route("/api/v1/events", get(events::events))
        .route("/metrics", get(metrics::metrics))
        .merge(historical::routes(config.history.clone()))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_auth,
        ));
    let stop = Arc::clone(&state.stop);
    let router = Router::new()
        .route("/", get(ui::index))
        .route("/assets/{*path}", get(ui::asset))
        .route("/favicon.ico", get(ui::favicon))
        .route(
            "/login",
            get(login::page)
                .post(login::login)
                .layer(DefaultBodyLimit::max(MAX_LOGIN_BODY)),
        )
        .route("/logout", post(login::logout))
        .route("/session", get(login::session))
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
        .merge(protected)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::same_origin,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::new(SecurityHeaders::new(https)),
            headers::add,
        ))
        .with_state(state);
    (router, stop)
}

/// Binds and serves on a thread of its own. Raises the open-file soft limit when the connection cap needs it.
///
/// # Errors
/// When the address cannot be bound or the TLS files are unusable.
pub fn spawn(config: &WebConfig, snapshot: Arc<ArcSwap<Snapshot>>) -> anyhow::Result<WebHandle> {
    let std_listener =
        listen(config.listen).with_context(|| format!("-w: cannot listen on {}", config.listen))?;
    let local_addr = std_listener.local_addr()?;
    let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
    let cap = connection_cap();
    let web = Arc::new(WebStats::default());
    let (router, stop) = build(snapshot, config, Arc::clone(&web));
    let shared = server::Shared {
        router,
        registry: Arc::new(Registry::new(cap, Arc::clone(&web))),
        tls: tls.map(tokio_rustls::TlsAcceptor::from),
        headers: Arc::new(SecurityHeaders::new(config.tls.is_some())),
        stats: web,
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let setup = config.thread_setup.clone();
    let thread = std::thread::Builder::new()
        .name("xntop-web".into())
        .spawn(move || {
            if let Some(f) = &setup.0 {
                f();
            }
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
                let shutdown = async move {
                    let _ = rx.await;
                    stop.send_replace(true);
                };
                server::serve(listener, shared, shutdown).await;
            });
        })?;
    Ok(WebHandle {
        local_addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// A non-blocking listening socket with a backlog of [`LISTEN_BACKLOG`] (std's is 128: a burst of connections
/// overflows it and each overflow costs the client a one-second SYN retransmission).
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let s = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    s.set_reuse_address(true)?;
    s.bind(&addr.into())?;
    s.listen(LISTEN_BACKLOG)?;
    s.set_nonblocking(true)?;
    Ok(s.into())
}

/// [`MAX_CONNECTIONS`], or fewer when the open-file limit cannot hold it (said once on stderr).
fn connection_cap() -> usize {
    let needed = MAX_CONNECTIONS as u64 + fdlimit::RESERVED;
    match fdlimit::raise_for(needed) {
        Ok(limit) => {
            let cap = fdlimit::connections_within(limit, MAX_CONNECTIONS);
            if cap < MAX_CONNECTIONS {
                eprintln!(
                    "xntop: web: the open-file limit ({}) holds {cap} connections, not {MAX_CONNECTIONS}: raise it \
                     (LimitNOFILE=, ulimit -n) to at least {needed}",
                    limit.soft
                );
            }
            cap
        }
        Err(e) => {
            eprintln!("xntop: web: cannot read the open-file limit ({e}); serving at most {MAX_CONNECTIONS} connections");
            MAX_CONNECTIONS
        }
    }
}

/// The guard of `m`, also when a thread panicked holding it (the tables stay usable: each update is one step).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"error": "not found"})),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    use super::*;

    /// An open event stream delivers summaries, then ends (EOF) when the server shuts down, and the shutdown
    /// does not wait for the client to go away.
    #[test]
    fn event_stream_ends_at_shutdown() {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let snap = Arc::new(ArcSwap::from_pointee(Snapshot::default()));
        let handle = spawn(&WebConfig::open(addr), snap).unwrap();
        let mut s = std::net::TcpStream::connect(handle.local_addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            s,
            "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&got).contains("event: summary") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        let t = Instant::now();
        handle.shutdown();
        assert!(t.elapsed() < Duration::from_secs(3), "shutdown hung");
        // The rest of the stream, then EOF.
        while s.read(&mut buf).unwrap() > 0 {}
    }
}
