//! The dissector contract: what a protocol folder declares ([`Protocol`]), what its dissector is shown of one
//! packet ([`Pkt`]) and of the flow ([`Flow`]), and what it answers ([`Verdict`], [`Follow`]).

use std::any::Any;

use xntop_model::L7Meta;

use crate::dns_cache::DnsCache;
use crate::engine::{Classification, Confidence, DpiContext, Endpoints};
use crate::proto::{Identity, Proto};

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

/// A dissector's answer to [`Dissector::probe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not decided: show me the flow's next packets (the engine stops asking after its packet budget).
    NeedMore,
    /// This flow is not my protocol: never ask again.
    No,
    /// This flow is my protocol; `Proto` is the master (an application may follow from names). Done with it.
    Yes(Proto),
    /// This flow is my protocol, and its next packets (at most `packets` more payload packets, within the
    /// flow's budget) carry metadata: show them to [`Dissector::follow`].
    Follow { master: Proto, packets: u8 },
}

/// A dissector's answer to [`Dissector::follow`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    /// Keep showing me packets while the follow-up lasts.
    More,
    /// Everything was read: this was the last packet.
    Done,
}

/// One protocol's content dissector. Implemented by unit structs (the built-ins, dissectors that collect metadata)
/// and, through the blanket impl, by any `fn(&Pkt) -> Verdict` that decides from the packet alone.
///
/// Contract: no panic and bounded work on any input; no allocation except metadata strings, once per flow (through
/// [`Flow::meta`]) and per-flow state kept with [`Flow::set_state`].
pub trait Dissector: Sync {
    /// Looks at one packet of a flow no dissector has claimed yet.
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict;

    /// After `probe` answered [`Verdict::Follow`], looks at one more packet of the flow for its metadata.
    fn follow(&self, _pkt: &Pkt, _flow: &mut Flow) -> Follow {
        Follow::Done
    }
}

impl<F: Fn(&Pkt) -> Verdict + Sync> Dissector for F {
    fn probe(&self, pkt: &Pkt, _flow: &mut Flow) -> Verdict {
        self(pkt)
    }
}

/// Where a dissector runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Udp,
    Both,
}

impl Transport {
    #[must_use]
    pub fn carries(self, l4: L4) -> bool {
        matches!(
            (self, l4),
            (Self::Both, _) | (Self::Tcp, L4::Tcp) | (Self::Udp, L4::Udp)
        )
    }
}

/// When a dissector is tried, relative to the others. Order only matters when two dissectors would both claim the
/// same packet; give a dissector `Normal` unless it has a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    /// Tried on every packet before all others, ports or not, by rank: the dissectors that read names (TLS,
    /// HTTP, DNS, QUIC, DTLS).
    First(u8),
    /// Tried first when the flow uses one of its registered ports, else after those that do.
    Normal,
    /// After the `Normal` ones of the same pass: heuristics with no magic value of their own (RTP).
    Last,
}

/// A flow risk nDPI would raise (its `ndpi_risk_enum` number), declared next to the protocol that finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Risk(pub u16);

/// One protocol folder's registration: everything the engine knows about the protocol comes from here.
#[derive(Clone, Copy)]
pub struct Protocol {
    /// The identities the folder declares (its `IDENTITIES`): the protocol first, then those its dissector may
    /// also report (SMTPS for SMTP's STARTTLS). Their ports make the `port` guess and order the trials.
    pub identities: &'static [Identity],
    /// The content dissector; `None` while the protocol is known by its ports (or names) only.
    pub dissector: Option<&'static dyn Dissector>,
    pub runs_on: Transport,
    pub order: Order,
    /// Risks flows of this protocol carry by default (none declared yet).
    pub risks: &'static [Risk],
}

impl Protocol {
    /// The protocol this folder is about.
    #[must_use]
    pub fn proto(&self) -> Proto {
        self.identities.first().map_or(Proto::Unknown, |i| i.proto)
    }

    /// Whether `port` is registered for one of the folder's identities on `l4`.
    #[must_use]
    pub fn registers(&self, l4: L4, port: u16) -> bool {
        self.identities.iter().any(|i| match l4 {
            L4::Tcp => i.tcp_ports.contains(&port),
            L4::Udp => i.udp_ports.contains(&port),
        })
    }
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protocol")
            .field("proto", &self.proto())
            .field("dissector", &self.dissector.is_some())
            .field("runs_on", &self.runs_on)
            .field("order", &self.order)
            .finish_non_exhaustive()
    }
}

/// A worker's scratch buffers: (packet-sized, stream-sized).
pub type Scratch<'a> = (
    &'a mut [u8; crate::engine::PACKET_SCRATCH],
    &'a mut [u8; crate::engine::STREAM_SCRATCH],
);

/// Longest metadata string kept.
pub const MAX_STR: usize = 256;

/// What a dissector may read and change of the flow it looks at: the verdict so far, the metadata, its own
/// per-flow state and the worker's shared resources.
pub struct Flow<'a> {
    pub(crate) class: &'a mut Classification,
    pub(crate) meta: &'a mut Option<Box<L7Meta>>,
    pub(crate) state: &'a mut Option<Box<dyn Any + Send>>,
    pub(crate) ctx: &'a mut DpiContext,
    pub(crate) ep: &'a Endpoints,
}

impl Flow<'_> {
    /// The flow's metadata, allocated on first use (once per flow).
    pub fn meta(&mut self) -> &mut L7Meta {
        self.meta.get_or_insert_with(Box::default)
    }

    /// The metadata found so far, if any.
    #[must_use]
    pub fn meta_ref(&self) -> Option<&L7Meta> {
        self.meta.as_deref()
    }

    /// Whether a server name (SNI, Host, query) was recorded.
    #[must_use]
    pub fn has_server_name(&self) -> bool {
        self.meta.as_ref().is_some_and(|m| m.server_name.is_some())
    }

    /// The verdict so far.
    #[must_use]
    pub fn class(&self) -> Classification {
        *self.class
    }

    /// Names the application carried by the protocol (WebDAV over HTTP, WhatsApp's calls over STUN).
    pub fn set_app(&mut self, app: Proto) {
        self.class.app = app;
    }

    /// Changes the master protocol of a classified flow (a STUN session that turns into DTLS).
    pub fn set_master(&mut self, master: Proto) {
        self.class.master = master;
    }

    /// The payload said so, but the flow was seen from its middle (no handshake).
    pub fn set_partial(&mut self) {
        self.class.confidence = Confidence::DpiPartial;
    }

    /// Names the application from the recorded server name (domain table), when it names one.
    pub fn app_from_server_name(&mut self) {
        let app = self
            .meta
            .as_ref()
            .and_then(|m| m.server_name.as_deref())
            .and_then(|name| crate::names::lookup(name.as_bytes()));
        if let Some(app) = app {
            self.class.app = app;
        }
    }

    /// The flow's endpoints (client = the opener).
    #[must_use]
    pub fn endpoints(&self) -> &Endpoints {
        self.ep
    }

    /// The worker's DNS cache (addresses named by DNS answers, connections announced by control protocols).
    #[must_use]
    pub fn dns_cache(&self) -> &DnsCache {
        self.ctx.cache()
    }

    /// The worker's scratch buffers: one the size of a packet, one for a reassembled stream prefix. Nothing in
    /// them survives the call.
    pub fn scratch(&mut self) -> Scratch<'_> {
        (&mut self.ctx.scratch, &mut self.ctx.stream)
    }

    /// The metadata slot (unallocated until something is found) and the scratch buffers at once, for a dissector
    /// that parses what it decoded into a scratch buffer.
    pub fn meta_and_scratch(&mut self) -> (&mut Option<Box<L7Meta>>, Scratch<'_>) {
        (self.meta, (&mut self.ctx.scratch, &mut self.ctx.stream))
    }

    /// The dissector's per-flow state of type `T`, if it kept one.
    pub fn state<T: Any + Send>(&mut self) -> Option<&mut T> {
        self.state.as_mut()?.downcast_mut()
    }

    /// [`Flow::state`] and [`Flow::scratch`] at once.
    pub fn state_and_scratch<T: Any + Send>(&mut self) -> (Option<&mut T>, Scratch<'_>) {
        let state = self.state.as_mut().and_then(|s| s.downcast_mut());
        (state, (&mut self.ctx.scratch, &mut self.ctx.stream))
    }

    /// Whether the flow's one state slot is free. A dissector that keeps state only to confirm a later packet
    /// takes the slot when it is free, so it never overwrites another dissector's state (QUIC's reassembly).
    #[must_use]
    pub fn state_is_free(&self) -> bool {
        self.state.is_none()
    }

    /// Keeps per-flow state until the flow is classified (one slot per flow; freed with the detection state).
    pub fn set_state<T: Any + Send>(&mut self, state: Box<T>) {
        *self.state = Some(state);
    }

    /// Counts a per-flow reassembly buffer (shown in the summary).
    pub fn count_reassembly(&mut self) {
        self.ctx.stats.quic_reassemblies += 1;
    }
}

/// Stores printable text (other bytes become '?'), at most [`MAX_STR`] bytes; keeps the first value seen.
pub fn set_str(slot: &mut Option<Box<str>>, bytes: &[u8]) {
    if slot.is_some() || bytes.is_empty() {
        return;
    }
    let bytes = &bytes[..bytes.len().min(MAX_STR)];
    let s: String = bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect();
    *slot = Some(s.into_boxed_str());
}
