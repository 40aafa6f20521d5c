//! The per-flow detection state machine. It knows no protocol: every dissector comes from the registry
//! ([`crate::protocols::ALL`]) and is driven through the [`Dissector`](crate::dissector::Dissector) trait.
//!
//! A flow's [`FlowDpi`] is 24 bytes inline in the flow table. While the flow is being classified it owns a boxed
//! [`Detecting`] ([`DETECTION_STATE_BYTES`]: a "said not me" bit per registered protocol, packet counts, the
//! follow-up, one dissector state slot); once the flow is classified, or after [`PACKET_BUDGET`] payload packets,
//! the box is freed. Per packet the engine tries every registered dissector not yet excluded for this flow, in
//! [`crate::registry::trial_order`]: the `First` ones (those that read names), then those registered on one of the
//! flow's ports, then the rest. Metadata strings are allocated once per flow, when found.

use std::any::Any;
use std::net::IpAddr;
use std::sync::Arc;

use xntop_model::L7Meta;

use crate::dissector::{Dir, Flow, Follow, Pkt, Verdict, L4};
use crate::dns_cache::DnsCache;
use crate::proto::{Category, Proto};
use crate::registry::{self, Entry};

/// Payload packets a flow is inspected for at most (nDPI's default budget).
pub const PACKET_BUDGET: u16 = 32;
/// Bytes of the worker's packet scratch buffer (a decrypted packet).
pub const PACKET_SCRATCH: usize = 2048;
/// Bytes of the worker's stream scratch buffer (the start of a reassembled stream, e.g. a QUIC CRYPTO stream).
pub const STREAM_SCRATCH: usize = 4096;

/// How sure a verdict is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Confidence {
    #[default]
    Unknown,
    /// Guessed from a registered port: no content confirmed it.
    Port,
    /// The server's address was named by a DNS answer seen earlier.
    DnsCache,
    /// The payload said so.
    Dpi,
    /// The payload said so, seen from the middle of the flow (no handshake).
    DpiPartial,
}

impl Confidence {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Port => "port",
            Self::DnsCache => "DNS cache",
            Self::Dpi => "DPI",
            Self::DpiPartial => "DPI (partial)",
        }
    }
}

/// A flow's classification: master protocol, application, confidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Classification {
    pub master: Proto,
    pub app: Proto,
    pub confidence: Confidence,
}

impl Classification {
    /// The nDPI-style name: "TLS.YouTube", "DNS", "WhatsApp", "Unknown".
    #[must_use]
    pub fn name(&self) -> NameParts {
        NameParts {
            master: self.master,
            app: self.app,
        }
    }

    #[must_use]
    pub fn category(&self) -> Category {
        if self.app != Proto::Unknown {
            self.app.category()
        } else {
            self.master.category()
        }
    }
}

/// A "Master.App" name in two static parts (no allocation to print it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameParts {
    pub master: Proto,
    pub app: Proto,
}

impl NameParts {
    /// Reads a "Master.App" or single name back (e.g. from a cached host).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name.split_once('.') {
            Some((m, a)) => Some(Self {
                master: Proto::from_name(m)?,
                app: Proto::from_name(a)?,
            }),
            None => {
                let p = Proto::from_name(name)?;
                Some(Self { master: p, app: p })
            }
        }
    }
}

impl std::fmt::Display for NameParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.master, self.app) {
            (m, a) if a == Proto::Unknown || a == m => f.write_str(m.name()),
            (Proto::Unknown, a) => f.write_str(a.name()),
            (m, a) => write!(f, "{}.{}", m.name(), a.name()),
        }
    }
}

/// The flow's endpoints as DPI needs them (client = the flow's opener).
#[derive(Clone, Copy, Debug)]
pub struct Endpoints {
    pub l4: u8,
    pub client: IpAddr,
    pub server: IpAddr,
    pub client_port: u16,
    pub server_port: u16,
}

/// Per-worker DPI resources: scratch buffers (so no packet allocates) and the shared DNS cache.
pub struct DpiContext {
    cache: Arc<DnsCache>,
    pub(crate) scratch: Box<[u8; PACKET_SCRATCH]>,
    pub(crate) stream: Box<[u8; STREAM_SCRATCH]>,
    /// Flows classified, by confidence, and flows given up on.
    pub stats: DpiStats,
}

impl std::fmt::Debug for DpiContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpiContext")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Counters of one worker's DPI.
#[derive(Clone, Copy, Debug, Default)]
pub struct DpiStats {
    pub classified: u64,
    pub gave_up: u64,
    /// Detection states allocated, and freed by DPI (classified or out of budget). The flow table frees the
    /// others when their flows end.
    pub states_created: u64,
    pub states_freed: u64,
    /// Per-flow reassembly buffers allocated (QUIC ClientHellos that spanned several Initial packets).
    pub quic_reassemblies: u64,
}

impl DpiContext {
    #[must_use]
    pub fn new(cache: Arc<DnsCache>) -> Self {
        Self {
            cache,
            scratch: Box::new([0; PACKET_SCRATCH]),
            stream: Box::new([0; STREAM_SCRATCH]),
            stats: DpiStats::default(),
        }
    }

    #[must_use]
    pub fn cache(&self) -> &DnsCache {
        &self.cache
    }
}

/// Heap bytes a flow holds while it is being classified (none once it is), dissector state aside.
pub const DETECTION_STATE_BYTES: usize = std::mem::size_of::<Detecting>();

/// What a flow under inspection remembers between packets.
pub struct Detecting {
    /// Registered protocols whose dissector said "not me" (bit i = `protocols::ALL[i]`); sized from the registry,
    /// so it covers every registered protocol.
    excluded: [u64; registry::EXCLUDED_WORDS],
    seen: [u16; 2],
    /// After a verdict: payload packets still to show the dissector that claimed the flow.
    collecting: u8,
    /// Index in `protocols::ALL` of the dissector that claimed the flow, while it follows it.
    classifier: Option<u16>,
    /// Positions in the trial order of the dissectors registered on the flow's ports (tried before the others).
    /// (`registry::NO_TRIAL` where there is none.)
    on_port: [u16; 2],
    /// One dissector's per-flow state (a QUIC hello being reassembled), dropped at the verdict.
    state: Option<Box<dyn Any + Send>>,
}

impl std::fmt::Debug for Detecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detecting")
            .field("seen", &self.seen)
            .field("collecting", &self.collecting)
            .field("classifier", &self.classifier)
            .field("state", &self.state.is_some())
            .finish_non_exhaustive()
    }
}

impl Detecting {
    fn excluded(&self, i: usize) -> bool {
        self.excluded[i / 64] & (1 << (i % 64)) != 0
    }

    fn exclude(&mut self, i: usize) {
        self.excluded[i / 64] |= 1 << (i % 64);
    }
}

/// A flow's DPI state and verdict: inline in the flow, 24 bytes.
#[derive(Debug, Default)]
pub struct FlowDpi {
    state: Option<Box<Detecting>>,
    meta: Option<Box<L7Meta>>,
    class: Classification,
    done: bool,
}

impl Clone for FlowDpi {
    /// Clones the verdict and metadata; a detection in progress is not carried over.
    fn clone(&self) -> Self {
        Self {
            state: None,
            meta: self.meta.clone(),
            class: self.class,
            done: self.done,
        }
    }
}

/// Masters whose flows, when they named no server, take the application the DNS cache has for the server.
const NAMED_FROM_DNS_CACHE: [Proto; 3] = [Proto::Tls, Proto::Quic, Proto::Http];

impl FlowDpi {
    /// Whether no more packets need to be shown.
    #[inline]
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The verdict so far (DPI only; see [`FlowDpi::final_classification`] for guesses).
    #[must_use]
    pub fn classification(&self) -> Classification {
        self.class
    }

    #[must_use]
    pub fn meta(&self) -> Option<&L7Meta> {
        self.meta.as_deref()
    }

    /// Bytes of detection state this flow holds beyond its inline 24 bytes.
    #[must_use]
    pub fn state_bytes(&self) -> usize {
        self.state.as_ref().map_or(0, |s| {
            std::mem::size_of::<Detecting>() + s.state.as_deref().map_or(0, std::mem::size_of_val)
        })
    }

    /// Whether detection state is allocated.
    #[must_use]
    pub fn holds_state(&self) -> bool {
        self.state.is_some()
    }

    /// Frees the detection state (the flow was classified or ran out of budget).
    fn release(&mut self, ctx: &mut DpiContext) {
        if self.state.take().is_some() {
            ctx.stats.states_freed += 1;
        }
    }

    /// The verdict to report when the flow ends: DPI's, else the DNS cache's, else the registered port's.
    #[must_use]
    pub fn final_classification(&self, ep: &Endpoints, cache: &DnsCache) -> Classification {
        let mut c = self.class;
        if c.master == Proto::Unknown {
            if let Some(p) = registry::by_ip_protocol(ep.l4) {
                return Classification {
                    master: p,
                    app: p,
                    confidence: Confidence::Dpi,
                };
            }
            let announced = cache
                .expected(ep.server, ep.server_port)
                .or_else(|| cache.expected(ep.client, ep.client_port));
            if let Some(p) = announced {
                return Classification {
                    master: p,
                    app: p,
                    confidence: Confidence::Dpi,
                };
            }
            if let Some(p) = registry::guess(ep) {
                return Classification {
                    master: p,
                    app: p,
                    confidence: Confidence::Port,
                };
            }
            if let Some(app) = cache.get(ep.server) {
                return Classification {
                    master: Proto::Unknown,
                    app,
                    confidence: Confidence::DnsCache,
                };
            }
        } else if c.app == c.master
            && NAMED_FROM_DNS_CACHE.contains(&c.master)
            && self.meta.as_ref().is_none_or(|m| m.server_name.is_none())
        {
            // An encrypted flow that named no server: the address may have been named by an earlier DNS answer.
            if let Some(app) = cache.get(ep.server) {
                c.app = app;
            }
        }
        c
    }

    /// Shows DPI one packet of the flow. `payload` may be empty (then only budgets move).
    pub fn feed(&mut self, ctx: &mut DpiContext, ep: &Endpoints, dir: Dir, payload: &[u8]) {
        if self.done || payload.is_empty() {
            return;
        }
        let l4 = match ep.l4 {
            6 => L4::Tcp,
            17 => L4::Udp,
            _ => {
                self.done = true;
                return;
            }
        };
        if self.state.is_none() {
            ctx.stats.states_created += 1;
        }
        let reg = registry::get();
        let st = self.state.get_or_insert_with(|| {
            Box::new(Detecting {
                excluded: [0; registry::EXCLUDED_WORDS],
                seen: [0; 2],
                collecting: 0,
                classifier: None,
                on_port: reg.on_port_trials(l4, ep.client_port, ep.server_port),
                state: None,
            })
        });
        let pkt = Pkt {
            payload,
            dir,
            l4,
            client_port: ep.client_port,
            server_port: ep.server_port,
            seen: st.seen,
        };
        st.seen[dir as usize] = st.seen[dir as usize].saturating_add(1);
        let total = st.seen[0].saturating_add(st.seen[1]);

        if let Some(i) = st.classifier {
            let dissector = reg.dissector(usize::from(i));
            let mut flow = Flow {
                class: &mut self.class,
                meta: &mut self.meta,
                state: &mut st.state,
                ctx,
                ep,
            };
            let follow = dissector.map_or(Follow::Done, |d| d.follow(&pkt, &mut flow));
            st.collecting = match follow {
                Follow::More => st.collecting.saturating_sub(1),
                Follow::Done => 0,
            };
            if st.collecting == 0 || total >= PACKET_BUDGET {
                self.finish(ctx);
            }
            return;
        }

        // Pass 1: the `First` dissectors, then those registered on one of the flow's ports, in trial order;
        // pass 2: the rest.
        let trial = reg.trial();
        let (firsts, rest) = trial.split_at(reg.firsts());
        let on_port = st.on_port;
        let mut attempt = |e: &Entry| {
            let i = usize::from(e.index);
            if st.excluded(i) || !e.runs_on(l4) {
                return None;
            }
            let mut flow = Flow {
                class: &mut self.class,
                meta: &mut self.meta,
                state: &mut st.state,
                ctx: &mut *ctx,
                ep,
            };
            match e.dissector.probe(&pkt, &mut flow) {
                Verdict::Yes(master) => Some((i, master, 0)),
                Verdict::Follow { master, packets } => Some((i, master, packets)),
                Verdict::No => {
                    st.exclude(i);
                    None
                }
                Verdict::NeedMore => None,
            }
        };
        let mut found = firsts.iter().find_map(&mut attempt);
        for pos in on_port {
            if found.is_some() {
                break;
            }
            // `NO_TRIAL` is past the end.
            found = trial.get(usize::from(pos)).and_then(&mut attempt);
        }
        if found.is_none() {
            let first_rest = reg.firsts();
            found = rest
                .iter()
                .enumerate()
                .filter(|&(at, _)| !on_port.iter().any(|&p| usize::from(p) == first_rest + at))
                .find_map(|(_, e)| attempt(e));
        }
        if let Some((i, master, more)) = found {
            self.classified(ctx, i, master, more);
        } else if total >= PACKET_BUDGET || reg.nothing_left(&st.excluded, l4) {
            ctx.stats.gave_up += 1;
            self.finish(ctx);
        }
    }

    /// Records a verdict and decides whether to keep following the flow for metadata.
    fn classified(&mut self, ctx: &mut DpiContext, classifier: usize, master: Proto, more: u8) {
        self.class.master = master;
        if self.class.app == Proto::Unknown || self.class.app == master {
            self.class.app = master;
        }
        if self.class.confidence == Confidence::Unknown {
            self.class.confidence = Confidence::Dpi;
        }
        ctx.stats.classified += 1;
        if more == 0 {
            self.finish(ctx);
        } else if let Some(st) = self.state.as_mut() {
            st.classifier = u16::try_from(classifier).ok();
            st.collecting = more;
            st.state = None;
        }
    }

    fn finish(&mut self, ctx: &mut DpiContext) {
        self.done = true;
        self.release(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints(l4: u8, port: u16) -> Endpoints {
        Endpoints {
            l4,
            client: IpAddr::from([10, 0, 0, 1]),
            server: IpAddr::from([10, 0, 0, 2]),
            client_port: 40000,
            server_port: port,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(256)))]
        /// Any payload sequence, on any port, through every registered dissector: no panic, the budget holds and
        /// the detection state is gone at the end.
        #[test]
        fn any_flow_ends_classified_or_given_up(
            l4 in proptest::sample::select(vec![6u8, 17]),
            port in proptest::sample::select(vec![21u16, 53, 80, 443, 853, 2121, 3478, 5353, 4433, 9999]),
            packets in proptest::collection::vec(
                (proptest::prelude::any::<bool>(), proptest::collection::vec(proptest::prelude::any::<u8>(), 1..600)),
                1..48,
            ),
        ) {
            let cache = Arc::new(DnsCache::new(256));
            let mut ctx = DpiContext::new(Arc::clone(&cache));
            let ep = endpoints(l4, port);
            let mut flow = FlowDpi::default();
            for (to_server, payload) in &packets {
                let dir = if *to_server { Dir::ToServer } else { Dir::ToClient };
                flow.feed(&mut ctx, &ep, dir, payload);
            }
            let _ = flow.final_classification(&ep, &cache);
            // Detection and follow-up both stop at the budget; a verdict on the last packet of the budget may
            // ask for one more.
            if packets.len() > usize::from(PACKET_BUDGET) {
                proptest::prop_assert!(flow.is_done());
            }
            if flow.is_done() {
                proptest::prop_assert!(!flow.holds_state());
            }
        }
    }

    #[test]
    fn real_hellos_through_the_engine() {
        let cache = Arc::new(DnsCache::new(256));
        let mut ctx = DpiContext::new(Arc::clone(&cache));
        let ep = endpoints(6, 8443);
        let mut flow = FlowDpi::default();
        flow.feed(
            &mut ctx,
            &ep,
            Dir::ToServer,
            &crate::protocols::tls::parser::tests::hex(
                crate::protocols::tls::parser::tests::CURL_HELLO,
            ),
        );
        // Classified, then waiting for the server's hello; a server packet without one ends the follow-up.
        assert!(!flow.is_done() && flow.holds_state());
        flow.feed(
            &mut ctx,
            &ep,
            Dir::ToClient,
            b"\x17\x03\x03\x00\x20 encrypted application data..",
        );
        assert!(flow.is_done() && !flow.holds_state());
        let c = flow.final_classification(&ep, &cache);
        assert_eq!((c.master, c.confidence), (Proto::Tls, Confidence::Dpi));
        let m = flow.meta().expect("metadata");
        assert_eq!(m.server_name.as_deref(), Some("example.com"));
        assert_eq!(m.ja3.as_deref(), Some("0149f47eabf9a20d0893e2a44e5a6323"));
        assert_eq!(m.alpn.as_deref(), Some("h2,http/1.1"));
    }

    #[test]
    fn inline_state_is_small() {
        assert!(
            std::mem::size_of::<FlowDpi>() <= 24,
            "{}",
            std::mem::size_of::<FlowDpi>()
        );
        // The "said not me" bitmap grows by 8 bytes per 64 registered protocols; the rest is fixed.
        assert!(
            std::mem::size_of::<Detecting>() <= 32 + 8 * registry::EXCLUDED_WORDS,
            "{}",
            std::mem::size_of::<Detecting>()
        );
    }
}
