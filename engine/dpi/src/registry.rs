//! What the engine derives from the registered protocols ([`crate::protocols::ALL`]), once: the order dissectors
//! are tried in, the `port` guess and the identities named by IP protocol number. Nothing here names a protocol.

use std::sync::OnceLock;

use crate::dissector::{Dissector, Order, Protocol, L4};
use crate::engine::Endpoints;
use crate::proto::Proto;
use crate::protocols::ALL;

/// Words of the per-flow "said not me" bitmap: one bit per registered protocol, whatever their number.
pub const EXCLUDED_WORDS: usize = ALL.len().div_ceil(64);

/// "No dissector" in [`Registry::on_port_trials`].
pub const NO_TRIAL: u16 = u16::MAX;

/// A registered dissector, as the per-packet loop reads it.
#[derive(Clone, Copy)]
pub struct Entry {
    /// Index in `protocols::ALL` (the protocol's bit in a flow's "said not me" bitmap).
    pub index: u16,
    pub dissector: &'static dyn Dissector,
    tcp: bool,
    udp: bool,
}

impl Entry {
    #[inline]
    #[must_use]
    pub fn runs_on(&self, l4: L4) -> bool {
        match l4 {
            L4::Tcp => self.tcp,
            L4::Udp => self.udp,
        }
    }
}

/// The registry's derived tables.
pub struct Registry {
    /// Every protocol with a dissector, in the order they are tried: by [`crate::dissector::Order`], then as
    /// registered. The `First` ones lead.
    trial: Vec<Entry>,
    /// How many entries of `trial` are `Order::First`.
    firsts: usize,
    /// (transport, port, protocol) of every registered port, sorted for binary search.
    ports: Vec<(u8, u16, Proto)>,
    /// (transport, port, position in `trial`) of the ports of protocols that have a dissector, sorted.
    trial_ports: Vec<(u8, u16, u16)>,
    /// (IP protocol number, protocol), sorted.
    ip: Vec<(u8, Proto)>,
    /// Per transport (TCP, UDP): the bits of the protocols whose dissector runs on it.
    runs: [[u64; EXCLUDED_WORDS]; 2],
}

impl Registry {
    fn build() -> Self {
        let mut order: Vec<usize> = (0..ALL.len())
            .filter(|&i| ALL[i].dissector.is_some())
            .collect();
        order.sort_by_key(|&i| ALL[i].order);
        let trial: Vec<Entry> = order
            .iter()
            .filter_map(|&i| {
                let p = ALL[i];
                Some(Entry {
                    index: u16::try_from(i).ok()?,
                    dissector: p.dissector?,
                    tcp: p.runs_on.carries(L4::Tcp),
                    udp: p.runs_on.carries(L4::Udp),
                })
            })
            .collect();
        let firsts = order
            .iter()
            .take_while(|&&i| matches!(ALL[i].order, Order::First(_)))
            .count();
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
        let mut trial_ports = Vec::new();
        for (pos, &i) in order.iter().enumerate() {
            let Ok(pos) = u16::try_from(pos) else {
                continue;
            };
            for id in ALL[i].identities {
                trial_ports.extend(id.tcp_ports.iter().map(|&port| (6, port, pos)));
                trial_ports.extend(id.udp_ports.iter().map(|&port| (17, port, pos)));
            }
        }
        trial_ports.sort_unstable();
        trial_ports.dedup_by_key(|&mut (l4, port, _)| (l4, port));
        let mut runs = [[0u64; EXCLUDED_WORDS]; 2];
        for e in &trial {
            let i = usize::from(e.index);
            for (t, on) in [(0, e.tcp), (1, e.udp)] {
                if on {
                    runs[t][i / 64] |= 1 << (i % 64);
                }
            }
        }
        Self {
            trial,
            firsts,
            ports,
            trial_ports,
            ip,
            runs,
        }
    }

    /// Every dissector, in trial order.
    #[must_use]
    pub fn trial(&self) -> &[Entry] {
        &self.trial
    }

    /// How many leading entries of [`Registry::trial`] are tried on every packet before the others.
    #[must_use]
    pub fn firsts(&self) -> usize {
        self.firsts
    }

    /// The position in [`Registry::trial`] of the dissector whose protocol registers `port` on `l4`.
    #[must_use]
    pub fn trial_on_port(&self, l4: L4, port: u16) -> Option<usize> {
        let t = match l4 {
            L4::Tcp => 6,
            L4::Udp => 17,
        };
        self.trial_ports
            .binary_search_by_key(&(t, port), |&(l, p, _)| (l, p))
            .ok()
            .map(|at| usize::from(self.trial_ports[at].2))
    }

    /// Positions in [`Registry::trial`] of the non-`First` dissectors registered on either port, in trial order,
    /// each once; [`NO_TRIAL`] where there is none.
    #[must_use]
    pub fn on_port_trials(&self, l4: L4, client_port: u16, server_port: u16) -> [u16; 2] {
        let at = |port| {
            self.trial_on_port(l4, port)
                .filter(|&p| p >= self.firsts)
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(NO_TRIAL)
        };
        let (a, b) = (at(server_port), at(client_port));
        if a == b {
            [a, NO_TRIAL]
        } else {
            [a.min(b), a.max(b)]
        }
    }

    /// The dissector of the registered protocol at index `i`.
    #[must_use]
    pub fn dissector(&self, i: usize) -> Option<&'static dyn Dissector> {
        ALL.get(i).and_then(|p| p.dissector)
    }

    /// Whether every dissector that runs on `l4` is excluded: no packet can change the verdict.
    #[must_use]
    pub fn nothing_left(&self, excluded: &[u64; EXCLUDED_WORDS], l4: L4) -> bool {
        let runs = &self.runs[usize::from(l4 == L4::Udp)];
        excluded.iter().zip(runs).all(|(&x, &r)| x & r == r)
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
