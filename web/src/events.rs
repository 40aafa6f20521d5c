//! `/api/v1/events`: the dashboard's counters pushed as Server-Sent Events, one `summary` event a second (the
//! same JSON as `/api/v1/summary`), with keep-alive comments; the stream ends when the server shuts down.
//!
//! A producer task makes the events whether or not the client takes them, and measures how far the client is
//! behind: event bytes made minus bytes the connection has written to its socket. Beyond [`MAX_BACKLOG`] (the
//! kernel's unsent queue is held to [`STREAM_LOWAT`] for these sockets) the client is not reading: the
//! connection is closed and counted, so a stalled client never holds more than a few KiB of the server's memory.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::stream;
use tokio::sync::mpsc;

use crate::server::ConnHandle;
use crate::stats::bump;
use crate::AppState;

/// How often a `summary` event is sent.
const PERIOD: Duration = Duration::from_secs(1);
/// A comment line after this long without an event, so proxies keep the connection.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Event bytes made but not yet written to the socket, beyond which the client is dropped (~10 summaries).
pub const MAX_BACKLOG: u64 = 4 * 1024;
/// `TCP_NOTSENT_LOWAT` on an event stream's socket: a few events, so the kernel does not queue many seconds of
/// stale ones for a client that stopped reading.
const STREAM_LOWAT: u32 = 2 * 1024;
/// Events handed to the response body but not yet taken by hyper.
const QUEUED_EVENTS: usize = 4;
/// `event: summary\ndata: ` and the blank line after the data.
const EVENT_FRAMING: u64 = 23;

/// Live push (Server-Sent Events): a `summary` event every second whose data is the `/api/v1/summary` JSON,
/// and `: keep-alive` comments; the stream ends when the server shuts down.
#[utoipa::path(get, path = "/api/v1/events", tag = "push",
    responses(
        (status = 200, content_type = "text/event-stream", body = String,
            description = "`event: summary` / `data: <Summary JSON>` every second"),
        (status = 401, body = crate::api::ApiError)))]
pub async fn events(State(s): State<AppState>, conn: Option<Extension<ConnHandle>>) -> Response {
    let conn = conn.map(|Extension(c)| c);
    if let Some(c) = &conn {
        c.0.request_lowat(STREAM_LOWAT);
    }
    let (tx, rx) = mpsc::channel(QUEUED_EVENTS);
    tokio::spawn(produce(s, tx, conn));
    let body = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<Event, Infallible>(e), rx))
    });
    Sse::new(body)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response()
}

/// Makes an event a second until the server stops, the client goes away, or the client falls behind.
async fn produce(s: AppState, tx: mpsc::Sender<Event>, conn: Option<ConnHandle>) {
    let mut stop = s.stop.subscribe();
    // A client that connects after shutdown began gets nothing.
    if *stop.borrow_and_update() {
        return;
    }
    let mut tick = tokio::time::interval(PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let written_before = conn.as_ref().map_or(0, |c| c.0.written());
    let mut made = 0u64;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            // A `true` (or a dropped sender) ends the stream.
            _ = stop.changed() => return,
            () = tx.closed() => return,
        }
        let event = match serde_json::to_string(&crate::api::Summary::of(&s.snapshot.load())) {
            Ok(json) => {
                made += json.len() as u64 + EVENT_FRAMING;
                Event::default().event("summary").data(json)
            }
            Err(_) => Event::default().comment("summary unavailable"),
        };
        let behind = conn.as_ref().map_or(0, |c| {
            made.saturating_sub(c.0.written().saturating_sub(written_before))
        });
        let full = match tx.try_send(event) {
            Ok(()) => false,
            Err(mpsc::error::TrySendError::Full(_)) => true,
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        };
        if full || behind > MAX_BACKLOG {
            bump(&s.web.events_dropped);
            if let Some(c) = &conn {
                c.0.kill();
            }
            return;
        }
    }
}
