//! SMBv1: known by its registered ports only; no content dissector yet (see `protocols/template/README.md` to add one).

use crate::dissector::{Order, Protocol, Transport};

crate::proto::identities! {
    SmbV1 = 16, "SMBv1", System;
    SmbV23 = 41, "SMBv23", System, tcp [445];
}

/// SMBv1's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};
