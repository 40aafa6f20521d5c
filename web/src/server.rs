//! The accept loop and each connection's task: HTTP/1.1 (hyper) over TCP or TLS, with the limits axum's `serve`
//! does not have: a connection cap (total and per address, see `conns`), a header-read timeout that also ends
//! idle keep-alive connections, a stall timeout on requests (`conn_io`), and a bounded graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use axum::Router;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::conn_io::{ConnIo, Socket};
use crate::conns::{Admission, ConnState, Refused, Registry};
use crate::headers::SecurityHeaders;
use crate::stats::{bump, WebStats};

/// A connection must deliver a complete request head this long after it opens, and after each response (the
/// keep-alive idle time), or it is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A TLS handshake that has not finished after this long is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head; beyond it hyper answers 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// hyper's read and write buffers per connection (its default is ~400 KiB).
const MAX_BUF_BYTES: usize = 32 * 1024;
/// Unsent bytes the kernel queues per socket before the server stops writing (`TCP_NOTSENT_LOWAT`): a client that
/// stops reading costs at most this much kernel memory beyond what is in flight.
const NOTSENT_LOWAT: u32 = 16 * 1024;
/// At shutdown, running requests get this long to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// After a failed `accept(2)` (out of descriptors), wait this long before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What every connection task needs.
#[derive(Clone)]
pub struct Shared {
    pub router: Router,
    pub registry: Arc<Registry>,
    pub tls: Option<TlsAcceptor>,
    pub headers: Arc<SecurityHeaders>,
    pub stats: Arc<WebStats>,
}

/// The connection a request came on, for handlers that manage it (the event stream closes a client that fell
/// behind).
#[derive(Clone, Debug)]
pub struct ConnHandle(pub Arc<ConnState>);

/// Serves `listener` until `shutdown` resolves, then lets running requests finish for a bounded time.
pub async fn serve(listener: TcpListener, shared: Shared, shutdown: impl Future<Output = ()>) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(MAX_BUF_BYTES)
        // One flat buffer per write, so the head of an error response hyper writes itself arrives whole.
        .writev(false);
    let http = Arc::new(http);
    tokio::pin!(shutdown);
    loop {
        let (sock, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(_) => {
                    bump(&shared.stats.accept_errors);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let admission = match shared.registry.admit(peer.ip()) {
            Ok(a) => a,
            Err(Refused::PerAddress | Refused::Full) => {
                // A reset frees the socket at once (no TIME_WAIT on our side).
                let _ = socket2::SockRef::from(&sock).set_linger(Some(Duration::ZERO));
                continue;
            }
        };
        let _ = sock.set_nodelay(true);
        let _ = socket2::SockRef::from(&sock).set_tcp_notsent_lowat(NOTSENT_LOWAT);
        tokio::spawn(connection(
            sock,
            peer,
            admission,
            shared.clone(),
            Arc::clone(&http),
            stop_rx.clone(),
        ));
    }
    drop(listener);
    stop_tx.send_replace(true);
    shared.registry.drained(SHUTDOWN_GRACE).await;
}

async fn connection(
    sock: TcpStream,
    peer: SocketAddr,
    admission: Admission,
    shared: Shared,
    http: Arc<hyper::server::conn::http1::Builder>,
    mut stop: watch::Receiver<bool>,
) {
    let state = Arc::clone(admission.state());
    match &shared.tls {
        None => http_over(sock, peer, &state, &shared, &http, stop).await,
        Some(acceptor) => {
            let handshake = tokio::select! {
                r = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(sock)) => r,
                () = state.killed() => return,
                _ = stop.changed() => return,
            };
            match handshake {
                Ok(Ok(tls)) => http_over(tls, peer, &state, &shared, &http, stop).await,
                _ => bump(&shared.stats.tls_failed),
            }
        }
    }
    drop(admission);
}

async fn http_over<T: Socket + Send + 'static>(
    io: T,
    peer: SocketAddr,
    state: &Arc<ConnState>,
    shared: &Shared,
    http: &hyper::server::conn::http1::Builder,
    mut stop: watch::Receiver<bool>,
) {
    let io = ConnIo::new(
        io,
        Arc::clone(state),
        Arc::clone(&shared.headers),
        Arc::clone(&shared.stats),
    );
    let service = ConnService {
        router: shared.router.clone(),
        peer,
        state: Arc::clone(state),
    };
    let conn = http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let served = tokio::select! {
        r = conn.as_mut() => r,
        // Evicted for a newer connection, or an event stream whose client fell behind.
        () = state.killed() => return,
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                r = conn.as_mut() => r,
                () = state.killed() => return,
            }
        }
    };
    if served.is_err_and(|e| e.is_timeout()) {
        bump(&shared.stats.header_timeouts);
    }
}

/// The router as hyper's service, with the client's address and the connection's handle in every request.
#[derive(Clone)]
struct ConnService {
    router: Router,
    peer: SocketAddr,
    state: Arc<ConnState>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn call(&self, mut req: Request<Incoming>) -> Self::Future {
        self.state.busy();
        req.extensions_mut().insert(ConnectInfo(self.peer));
        req.extensions_mut()
            .insert(ConnHandle(Arc::clone(&self.state)));
        let mut router = self.router.clone();
        let state = Arc::clone(&self.state);
        let fut = tower_service::Service::call(&mut router, req.map(Body::new));
        Box::pin(async move {
            let r = fut.await?;
            Ok(r.map(|inner| TrackedBody { inner, state }))
        })
    }
}

/// A response body that marks its connection as waiting for the next request once it is written (or dropped).
struct TrackedBody {
    inner: Body,
    state: Arc<ConnState>,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        self.state.waiting();
    }
}
