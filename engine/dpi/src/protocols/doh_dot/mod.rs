//! DoH_DoT: known by its registered ports only; no content dissector yet (see `protocols/template/README.md` to add one).

use crate::dissector::{Order, Protocol, Transport};

crate::proto::identities! {
    DohDot = 196, "DoH_DoT", Network, tcp [853], udp [853];
}

/// DoH_DoT's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};
