//! GTP: known by its registered ports only; no content dissector yet (see `protocols/template/README.md` to add one).

use crate::dissector::{Order, Protocol, Transport};

crate::proto::identities! {
    Gtp = 152, "GTP", Network;
    GtpC = 272, "GTP_C", Network, udp [2123];
    GtpU = 271, "GTP_U", Network, udp [2152];
}

/// GTP's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};
