//! Ports for IP fragments that carry no L4 header.
//!
//! A first fragment records its ports under (addresses, protocol, IP id); later fragments of the same datagram look
//! them up, so every fragment lands in the flow of its datagram. The table is direct-mapped and fixed-size: a
//! collision overwrites (a later fragment then falls into the address-pair flow with ports 0), which bounds memory
//! against fragment floods.

use std::net::IpAddr;

use xntop_wire::{Decoded, Fragment};

/// Slots in the table; concurrent fragmented datagrams beyond this may lose their ports.
const SLOTS: usize = 4096;

#[derive(Clone, Copy, Default)]
struct Entry {
    tag: u64,
    ports: (u16, u16),
}

/// Direct-mapped (datagram → ports) cache.
pub struct FragmentPorts {
    entries: Box<[Entry]>,
}

impl Default for FragmentPorts {
    fn default() -> Self {
        Self {
            entries: vec![Entry::default(); SLOTS].into_boxed_slice(),
        }
    }
}

fn tag(src: IpAddr, dst: IpAddr, proto: u8, id: u32) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same datagram maps to the same slot on every run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (src, dst, proto, id).hash(&mut h);
    h.finish() | 1
}

impl FragmentPorts {
    /// Fills the ports of a later fragment from its first fragment, and remembers a first fragment's ports.
    pub fn resolve(&mut self, d: &mut Decoded<'_>) {
        let (id, first) = match d.fragment {
            Fragment::None => return,
            Fragment::First { id } => (id, true),
            Fragment::Later { id } => (id, false),
        };
        let t = tag(d.src, d.dst, d.proto, id);
        #[allow(clippy::cast_possible_truncation, reason = "masked to the table size")]
        let slot = &mut self.entries[(t >> 20) as usize % SLOTS];
        if first {
            *slot = Entry {
                tag: t,
                ports: (d.src_port, d.dst_port),
            };
        } else if slot.tag == t {
            (d.src_port, d.dst_port) = slot.ports;
        }
    }
}
