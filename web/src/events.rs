//! `/api/v1/events`: the dashboard's counters pushed as Server-Sent Events, one `summary` event a second (the
//! same JSON as `/api/v1/summary`), with keep-alive comments; the stream ends when the server shuts down.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};

use crate::AppState;

/// How often a `summary` event is sent.
const PERIOD: Duration = Duration::from_secs(1);
/// A comment line after this long without an event, so proxies keep the connection.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Live push (Server-Sent Events): a `summary` event every second whose data is the `/api/v1/summary` JSON,
/// and `: keep-alive` comments; the stream ends when the server shuts down.
#[utoipa::path(get, path = "/api/v1/events", tag = "push",
    responses(
        (status = 200, content_type = "text/event-stream", body = String,
            description = "`event: summary` / `data: <Summary JSON>` every second"),
        (status = 401, body = crate::api::ApiError)))]
pub async fn events(State(s): State<AppState>) -> Response {
    Sse::new(summaries(s))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response()
}

fn summaries(s: AppState) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut stop = s.stop.subscribe();
    let mut tick = tokio::time::interval(PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A client that connects after shutdown began gets nothing.
    let stopped = *stop.borrow_and_update();
    stream::unfold(
        (s, tick, stop, stopped),
        |(s, mut tick, mut stop, stopped)| async move {
            if stopped {
                return None;
            }
            tokio::select! {
                _ = tick.tick() => {}
                // A `true` (or a dropped sender) ends the stream.
                _ = stop.changed() => return None,
            }
            let event = Event::default()
                .event("summary")
                .json_data(crate::api::Summary::of(&s.snapshot.load()))
                .unwrap_or_else(|_| Event::default().comment("summary unavailable"));
            Some((Ok(event), (s, tick, stop, false)))
        },
    )
}
