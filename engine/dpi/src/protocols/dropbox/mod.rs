//! Dropbox LAN sync discovery: a JSON broadcast starting `{"host_int":`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Dropbox = 121, "Dropbox", Cloud;
}

/// Dropbox's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&dropbox_lansync),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Dropbox LAN sync discovery: a JSON broadcast starting `{"host_int":`.
fn dropbox_lansync(p: &Pkt) -> Verdict {
    if p.payload.starts_with(b"{\"host_int\":") {
        Verdict::Yes(Proto::Dropbox)
    } else {
        Verdict::No
    }
}
