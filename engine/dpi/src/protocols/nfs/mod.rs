//! NFS: known by its registered ports only; no content dissector yet (see `protocols/template/README.md` to add one).

use crate::dissector::{Order, Protocol, Transport};

crate::proto::identities! {
    Nfs = 11, "NFS", DataTransfer, tcp [2049], udp [2049];
}

/// NFS's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};
