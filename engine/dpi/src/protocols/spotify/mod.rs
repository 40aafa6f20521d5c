//! Spotify's LAN discovery broadcast on UDP 57621.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Spotify = 156, "Spotify", Music;
}

/// Spotify's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&spotify),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Spotify's LAN discovery broadcast on UDP 57621.
fn spotify(p: &Pkt) -> Verdict {
    if p.payload.starts_with(b"SpotUdp") {
        Verdict::Yes(Proto::Spotify)
    } else {
        Verdict::No
    }
}
