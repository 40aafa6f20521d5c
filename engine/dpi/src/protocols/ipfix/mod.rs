//! IPFIX (RFC 7011): known here by its registered port. nDPI names IPFIX messages NetFlow, so the content
//! check (message length, export time, sets tiling the datagram) lives in the `netflow` folder and reports
//! NetFlow; this identity is the `port` guess for UDP 4739 when that check did not decide.

use crate::dissector::{Order, Protocol, Transport};

crate::proto::identities! {
    Ipfix = 32768, "IPFIX", Network, udp [4739];
}

/// IPFIX's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: None,
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};
