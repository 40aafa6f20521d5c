//! COAP: known by its registered ports only; no content dissector yet (see `protocols/template/README.md` to add one).

use crate::dissector::{Order, Protocol, Transport};

crate::proto::identities! {
    Coap = 27, "COAP", Rpc, udp [5683];
}

/// COAP's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};
