//! A connection's byte stream as hyper sees it (the plain side of TLS): it closes connections on which nothing
//! moves for [`STALL_TIMEOUT`], adds the security headers to the error responses hyper writes itself, counts the
//! bytes written for the event streams, and applies socket options the handlers ask for.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use crate::conns::ConnState;
use crate::headers::SecurityHeaders;
use crate::stats::{bump, WebStats};

/// A connection on which no byte moved either way for this long, while hyper waited to read or write, is closed:
/// a request body that stopped coming, a response nobody reads. (Waiting for a request head is hyper's header
/// timeout, which is shorter.)
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The TCP socket under a connection's stream.
pub trait Socket: AsyncRead + AsyncWrite + Unpin {
    fn tcp(&self) -> &TcpStream;
}

impl Socket for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Socket for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

pub struct ConnIo<T> {
    inner: T,
    state: Arc<ConnState>,
    headers: Arc<SecurityHeaders>,
    stats: Arc<WebStats>,
    last_progress: Instant,
    stall: Pin<Box<Sleep>>,
    /// A patched head still to write (hyper was told it was written whole).
    patched: Vec<u8>,
    patched_at: usize,
}

impl<T: Socket> ConnIo<T> {
    pub fn new(
        inner: T,
        state: Arc<ConnState>,
        headers: Arc<SecurityHeaders>,
        stats: Arc<WebStats>,
    ) -> Self {
        let now = Instant::now();
        Self {
            inner,
            state,
            headers,
            stats,
            last_progress: now,
            stall: Box::pin(tokio::time::sleep_until(now + STALL_TIMEOUT)),
            patched: Vec::new(),
            patched_at: 0,
        }
    }

    fn progress(&mut self) {
        self.last_progress = Instant::now();
    }

    /// Pending, or an error once nothing has moved for [`STALL_TIMEOUT`].
    fn pending<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        let deadline = self.last_progress + STALL_TIMEOUT;
        if self.stall.deadline() != deadline {
            self.stall.as_mut().reset(deadline);
        }
        if self.stall.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        bump(&self.stats.stalled);
        // Re-armed so the error is counted once even if polled again.
        self.progress();
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "no progress on the connection",
        )))
    }

    fn write_inner(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.progress();
                    self.state.add_written(n);
                }
                Poll::Ready(Ok(n))
            }
            Poll::Pending => self.pending(cx),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }

    /// Writes what is left of a patched head.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.patched_at < self.patched.len() {
            let rest = std::mem::take(&mut self.patched);
            let r = self.write_inner(cx, &rest[self.patched_at..]);
            self.patched = rest;
            match ready!(r)? {
                0 => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                n => self.patched_at += n,
            }
        }
        self.patched.clear();
        self.patched_at = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: Socket> AsyncRead for ConnIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.progress();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => this.pending(cx),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }
}

impl<T: Socket> AsyncWrite for ConnIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(lowat) = this.state.take_lowat() {
            // Best effort: without it the event stream's own buffer bound still holds.
            let _ = socket2::SockRef::from(this.inner.tcp()).set_tcp_notsent_lowat(lowat);
        }
        ready!(this.drain(cx))?;
        if let Some(patched) = this.headers.patch(buf) {
            this.patched = patched;
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        this.write_inner(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Pending => this.pending(cx),
            r => r,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        match Pin::new(&mut this.inner).poll_shutdown(cx) {
            Poll::Pending => this.pending(cx),
            r => r,
        }
    }
}
