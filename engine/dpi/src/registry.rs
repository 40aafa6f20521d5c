//! What the engine derives from the registered protocols ([`crate::protocols::ALL`]), once: the order dissectors
//! are tried in, the `port` guess and the identities named by IP protocol number. Nothing here names a protocol.

use std::sync::OnceLock;

use crate::dissector::{Dissector, Protocol, L4};
use crate::engine::Endpoints;
use crate::proto::Proto;
use crate::protocols::ALL;

/// Words of the per-flow "said not me" bitmap: one bit per registered protocol, whatever their number.
pub const EXCLUDED_WORDS: usize = ALL.len().div_ceil(64);

/// The registry's derived tables.
pub struct Registry {
    /// Indices into `ALL`, in the order dissectors are tried: by [`crate::dissector::Order`], then as registered.
    trial: Vec<u16>,
    /// (transport, port, protocol) of every registered port, sorted for binary search.
    ports: Vec<(u8, u16, Proto)>,
    /// (IP protocol number, protocol), sorted.
    ip: Vec<(u8, Proto)>,
}

impl Registry {
    fn build() -> Self {
        let mut trial: Vec<u16> = (0..ALL.len())
            .filter_map(|i| u16::try_from(i).ok())
            .collect();
        trial.sort_by_key(|&i| ALL[usize::from(i)].order);
        let mut ports = Vec::new();
        let mut ip = Vec::new();
        for p in ALL {
            for id in p.identities {
                ports.extend(id.tcp_ports.iter().map(|&port| (6, port, id.proto)));
                ports.extend(id.udp_ports.iter().map(|&port| (17, port, id.proto)));
                ip.extend(id.ip_protocols.iter().map(|&n| (n, id.proto)));
            }
        }
        // A port registered twice is a declaration error the tests report; the first registration wins meanwhile.
        ports.sort_by_key(|&(l4, port, _)| (l4, port));
        ports.dedup_by_key(|&mut (l4, port, _)| (l4, port));
        ip.sort_by_key(|&(n, _)| n);
        ip.dedup_by_key(|&mut (n, _)| n);
        Self { trial, ports, ip }
    }

    /// Registry indices in trial order.
    #[must_use]
    pub fn trial_order(&self) -> &[u16] {
        &self.trial
    }

    /// The registered protocol at index `i`.
    #[must_use]
    pub fn protocol(&self, i: usize) -> &'static Protocol {
        ALL[i]
    }

    /// The dissector of the registered protocol at index `i`.
    #[must_use]
    pub fn dissector(&self, i: usize) -> Option<&'static dyn Dissector> {
        ALL.get(i).and_then(|p| p.dissector)
    }

    /// Whether every dissector that runs on `l4` is excluded: no packet can change the verdict.
    #[must_use]
    pub fn nothing_left(&self, excluded: &[u64; EXCLUDED_WORDS], l4: L4) -> bool {
        ALL.iter().enumerate().all(|(i, p)| {
            p.dissector.is_none()
                || !p.runs_on.carries(l4)
                || excluded[i / 64] & (1 << (i % 64)) != 0
        })
    }

    /// The protocol registered on `port` for transport `l4` (6 or 17).
    #[must_use]
    pub fn on_port(&self, l4: u8, port: u16) -> Option<Proto> {
        self.ports
            .binary_search_by_key(&(l4, port), |&(t, p, _)| (t, p))
            .ok()
            .map(|at| self.ports[at].2)
    }
}

/// The registry's tables, built at first use.
pub fn get() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::build)
}

/// Every registered protocol, in registration order (never truncated: the registry is the list in `protocols`).
#[must_use]
pub fn registry() -> &'static [&'static Protocol] {
    ALL
}

/// The protocol registered on the flow's lower port (else its higher one), for flows DPI could not name. Like
/// nDPI's guess (`ndpi_get_guessed_protocol_id`: "check server port first" as the lower of the two), which also
/// names a flow seen from its server's side (the first packet from port 80 to 2604) by the well-known port.
#[must_use]
pub fn guess(ep: &Endpoints) -> Option<Proto> {
    let reg = get();
    let (low, high) = if ep.client_port < ep.server_port {
        (ep.client_port, ep.server_port)
    } else {
        (ep.server_port, ep.client_port)
    };
    reg.on_port(ep.l4, low).or_else(|| reg.on_port(ep.l4, high))
}

/// The protocol named by an IP protocol number alone (ICMP, GRE, ESP, …).
#[must_use]
pub fn by_ip_protocol(l4: u8) -> Option<Proto> {
    let reg = get();
    reg.ip
        .binary_search_by_key(&l4, |&(n, _)| n)
        .ok()
        .map(|at| reg.ip[at].1)
}
