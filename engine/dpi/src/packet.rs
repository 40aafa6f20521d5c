//! What a dissector is shown of one packet, and what it answers.

use crate::proto::Proto;

/// Transport of the flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L4 {
    Tcp,
    Udp,
}

/// Direction of a packet: index 0 is client → server (the flow's opener is the client).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    ToServer = 0,
    ToClient = 1,
}

/// One packet with a non-empty payload, as a dissector sees it.
#[derive(Clone, Copy, Debug)]
pub struct Pkt<'a> {
    /// The transport payload (after the TCP/UDP header), possibly cut short by the capture's snap length.
    pub payload: &'a [u8],
    pub dir: Dir,
    pub l4: L4,
    pub client_port: u16,
    pub server_port: u16,
    /// Payload-carrying packets of this flow seen before this one, per direction (index = `Dir as usize`).
    pub seen: [u16; 2],
}

impl Pkt<'_> {
    /// Whether either endpoint uses `port`.
    #[must_use]
    pub fn either_port(&self, port: u16) -> bool {
        self.client_port == port || self.server_port == port
    }

    /// The sender's port.
    #[must_use]
    pub fn src_port(&self) -> u16 {
        match self.dir {
            Dir::ToServer => self.client_port,
            Dir::ToClient => self.server_port,
        }
    }

    /// The receiver's port.
    #[must_use]
    pub fn dst_port(&self) -> u16 {
        match self.dir {
            Dir::ToServer => self.server_port,
            Dir::ToClient => self.client_port,
        }
    }
}

/// A dissector's answer for one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not decided: show me the flow's next packets (the engine stops asking after its packet budget).
    NeedMore,
    /// This flow is not my protocol: never ask again.
    No,
    /// This flow is my protocol; `Proto` is the master (an application may follow from names).
    Yes(Proto),
}

/// One content dissector: its protocol, where it applies, and the ports its protocol is registered on (used to try
/// it first and, when nothing matched, for the `port` guess).
#[derive(Clone, Copy, Debug)]
pub struct Dissector {
    pub proto: Proto,
    pub tcp: bool,
    pub udp: bool,
    pub ports: &'static [u16],
    pub detect: fn(&Pkt) -> Verdict,
}
