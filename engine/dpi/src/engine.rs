//! The per-flow detection state machine.
//!
//! A flow's [`FlowDpi`] is 24 bytes inline in the flow table. While the flow is being classified it owns a boxed
//! [`Detecting`] (well under 512 bytes); once the flow is classified, or after [`PACKET_BUDGET`] payload packets,
//! the box is freed. Per packet the engine tries the built-in dissectors that extract names (TLS, QUIC, DTLS, DNS,
//! HTTP) and then every registered content dissector not yet excluded for this flow — those whose ports match
//! first. Metadata strings are allocated once per flow, when found.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use xntop_model::L7Meta;
use xntop_wire::cursor::ReadAt;

use crate::dns_cache::DnsCache;
use crate::packet::{Dir, Dissector, Pkt, Verdict, L4};
use crate::proto::{Category, Proto};
use crate::{dns, http, ja, names, quic_crypto, tls};

/// Payload packets a flow is inspected for at most (nDPI's default budget).
pub const PACKET_BUDGET: u16 = 32;
/// Extra payload packets a classified flow is followed for its metadata (a DNS answer, a TLS ServerHello).
const METADATA_PACKETS: u8 = 6;
/// Longest metadata string kept.
const MAX_STR: usize = 256;
/// QUIC: bytes of CRYPTO stream kept for a ClientHello spread over several Initial packets.
const QUIC_CRYPTO: usize = 4096;

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
    scratch: Box<[u8; 2048]>,
    quic_out: Box<[u8; QUIC_CRYPTO]>,
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
    /// QUIC ClientHellos that spanned several Initial packets (each held a reassembly buffer meanwhile).
    pub quic_reassemblies: u64,
}

impl DpiContext {
    #[must_use]
    pub fn new(cache: Arc<DnsCache>) -> Self {
        Self {
            cache,
            scratch: Box::new([0; 2048]),
            quic_out: Box::new([0; QUIC_CRYPTO]),
            stats: DpiStats::default(),
        }
    }

    #[must_use]
    pub fn cache(&self) -> &DnsCache {
        &self.cache
    }
}

/// Built-in dissectors, one bit each in [`Detecting::builtin_no`].
const B_TLS: u8 = 1;
const B_HTTP: u8 = 2;
const B_DNS: u8 = 4;
const B_QUIC: u8 = 8;
const B_DTLS: u8 = 16;

/// Heap bytes a flow holds while it is being classified (none once it is).
pub const DETECTION_STATE_BYTES: usize = std::mem::size_of::<Detecting>();

/// What a flow under inspection remembers between packets.
#[derive(Debug)]
pub struct Detecting {
    /// Registered dissectors that said "not me" (bit i = registry entry i).
    excluded: [u64; 4],
    builtin_no: u8,
    seen: [u16; 2],
    /// After a verdict: payload packets still to look at for metadata.
    collecting: u8,
    /// The flow was classified; only metadata is being gathered.
    classified: bool,
    quic: Option<Box<QuicHello>>,
}

/// A QUIC ClientHello being reassembled from several Initial packets (allocated only when it spans more than one).
#[derive(Debug)]
struct QuicHello {
    crypto: [u8; QUIC_CRYPTO],
    coverage: quic_crypto::CryptoCoverage,
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

fn registry() -> &'static [Dissector] {
    static REGISTRY: OnceLock<Vec<Dissector>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut all: Vec<Dissector> = crate::apps::DISSECTORS.to_vec();
        all.extend_from_slice(crate::tcp_protos::DISSECTORS);
        all.extend_from_slice(crate::udp_protos::DISSECTORS);
        all.truncate(256);
        all
    })
}

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
            std::mem::size_of::<Detecting>()
                + s.quic
                    .as_ref()
                    .map_or(0, |_| std::mem::size_of::<QuicHello>())
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
            if let Some(p) = ip_protocol(ep.l4) {
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
            if let Some(p) = crate::ports::guess(ep) {
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
            && matches!(c.master, Proto::Tls | Proto::Quic | Proto::Http)
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
        let st = st_mut(&mut self.state);
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

        if st.classified {
            self.collect(ctx, ep, &pkt);
            let st = self.state.as_mut();
            if let Some(st) = st {
                st.collecting = st.collecting.saturating_sub(1);
                if st.collecting == 0 || total >= PACKET_BUDGET {
                    self.finish(ctx);
                }
            }
            return;
        }

        if let Some(found) = self.builtins(ctx, &pkt) {
            self.classified(ctx, found, ep);
        } else if let Some(master) = Self::registered(st_mut(&mut self.state), &pkt) {
            self.class = Classification {
                master,
                app: crate::apps::refine(master, payload).unwrap_or(master),
                confidence: Confidence::Dpi,
            };
            // STUN usually leads into DTLS (WebRTC): follow it a little to report what it carried. An FTP control
            // connection announces its data connections.
            let more = match master {
                Proto::Stun => 12,
                Proto::FtpControl => 24,
                Proto::Ssh => 8,
                _ => 0,
            };
            self.registry_meta(master, &pkt);
            self.classified(ctx, (master, more), ep);
        } else if total >= PACKET_BUDGET || self.nothing_left(l4) {
            ctx.stats.gave_up += 1;
            self.finish(ctx);
        }
    }

    /// All dissectors excluded: no packet can change the verdict.
    fn nothing_left(&self, l4: L4) -> bool {
        let Some(st) = self.state.as_ref() else {
            return true;
        };
        let builtin_all = match l4 {
            L4::Tcp => B_TLS | B_HTTP | B_DNS,
            L4::Udp => B_DNS | B_QUIC | B_DTLS,
        };
        if st.builtin_no & builtin_all != builtin_all {
            return false;
        }
        registry().iter().enumerate().all(|(i, d)| {
            let applies = match l4 {
                L4::Tcp => d.tcp,
                L4::Udp => d.udp,
            };
            !applies || st.excluded[i / 64] & (1 << (i % 64)) != 0
        })
    }

    fn registered(st: &mut Detecting, pkt: &Pkt) -> Option<Proto> {
        let reg = registry();
        // Two passes: dissectors registered on one of the flow's ports first, then the rest.
        for by_port in [true, false] {
            for (i, d) in reg.iter().enumerate() {
                let (word, bit) = (i / 64, 1u64 << (i % 64));
                if st.excluded[word] & bit != 0 {
                    continue;
                }
                let applies = match pkt.l4 {
                    L4::Tcp => d.tcp,
                    L4::Udp => d.udp,
                };
                if !applies {
                    continue;
                }
                let port_match = d.ports.iter().any(|&p| pkt.either_port(p));
                if port_match != by_port {
                    continue;
                }
                match (d.detect)(pkt) {
                    Verdict::Yes(p) => return Some(p),
                    Verdict::No => st.excluded[word] |= bit,
                    Verdict::NeedMore => {}
                }
            }
        }
        None
    }

    /// Records a verdict and decides whether to keep following the flow for metadata.
    /// `found` = (master, packets of metadata still wanted).
    fn classified(&mut self, ctx: &mut DpiContext, found: (Proto, u8), ep: &Endpoints) {
        let (master, more) = found;
        let master = crate::ports::tls_service(master, ep);
        self.class.master = master;
        if self.class.app == Proto::Unknown || self.class.app == self.class.master {
            self.class.app = master;
        }
        if self.class.confidence == Confidence::Unknown {
            self.class.confidence = Confidence::Dpi;
        }
        if master == Proto::Tls && ep.server_port == 853 {
            self.class.app = Proto::DohDot;
        }
        let named = matches!(
            master,
            Proto::Tls
                | Proto::Quic
                | Proto::Http
                | Proto::HttpProxy
                | Proto::HttpConnect
                | Proto::Dns
                | Proto::Dtls
        );
        if let Some(name) = self
            .meta
            .as_ref()
            .and_then(|m| m.server_name.as_deref())
            .filter(|_| named)
        {
            if let Some(app) = names::lookup(name.as_bytes()) {
                self.class.app = app;
            }
        }
        ctx.stats.classified += 1;
        if more == 0 {
            self.finish(ctx);
        } else if let Some(st) = self.state.as_mut() {
            st.classified = true;
            st.collecting = more;
            st.quic = None;
        }
    }

    fn finish(&mut self, ctx: &mut DpiContext) {
        self.done = true;
        self.release(ctx);
    }

    fn meta_mut(&mut self) -> &mut L7Meta {
        self.meta.get_or_insert_with(Box::default)
    }

    /// The built-in name-bearing dissectors. Returns (master, metadata packets wanted) on a verdict.
    fn builtins(&mut self, ctx: &mut DpiContext, pkt: &Pkt) -> Option<(Proto, u8)> {
        let no = self.state.as_ref().map_or(0, |s| s.builtin_no);
        let mut excluded = 0u8;
        let mut found = None;
        match pkt.l4 {
            L4::Tcp => {
                if no & B_TLS == 0 {
                    match self.tls_tcp(pkt) {
                        // After the client's hello, the server's tells the version it chose.
                        Verdict::Yes(p) => {
                            found = Some((p, if pkt.dir == Dir::ToServer { 4 } else { 0 }))
                        }
                        Verdict::No => excluded |= B_TLS,
                        Verdict::NeedMore => {}
                    }
                }
                if found.is_none() && no & B_HTTP == 0 {
                    match self.http(pkt) {
                        Verdict::Yes(p) => {
                            found = Some((p, if pkt.dir == Dir::ToServer { 4 } else { 0 }))
                        }
                        Verdict::No => excluded |= B_HTTP,
                        Verdict::NeedMore => {}
                    }
                }
                if found.is_none() && no & B_DNS == 0 {
                    // DNS over TCP: a two-byte length prefix.
                    let body = pkt.payload.get(2..).unwrap_or(&[]);
                    let len = pkt.payload.u16_at(0).map_or(0, usize::from);
                    if len == body.len() || len > body.len() && body.len() >= 12 {
                        match self.dns(ctx, pkt, body) {
                            Verdict::Yes(p) => found = Some((p, METADATA_PACKETS)),
                            _ => excluded |= B_DNS,
                        }
                    } else {
                        excluded |= B_DNS;
                    }
                }
            }
            L4::Udp => {
                if no & B_DNS == 0 {
                    match self.dns(ctx, pkt, pkt.payload) {
                        Verdict::Yes(p) => found = Some((p, METADATA_PACKETS)),
                        Verdict::No => excluded |= B_DNS,
                        Verdict::NeedMore => {}
                    }
                }
                if found.is_none() && no & B_QUIC == 0 {
                    match self.quic(ctx, pkt) {
                        Verdict::Yes(p) => found = Some((p, 0)),
                        Verdict::No => excluded |= B_QUIC,
                        Verdict::NeedMore => {}
                    }
                }
                if found.is_none() && no & B_DTLS == 0 {
                    match self.dtls(pkt) {
                        Verdict::Yes(p) => found = Some((p, 0)),
                        Verdict::No => excluded |= B_DTLS,
                        Verdict::NeedMore => {}
                    }
                }
            }
        }
        if let Some(st) = self.state.as_mut() {
            st.builtin_no |= excluded;
        }
        found
    }

    /// Metadata a registered dissector's protocol carries in the packet that identified it.
    fn registry_meta(&mut self, master: Proto, pkt: &Pkt) {
        match master {
            Proto::Ssh => self.ssh_meta(pkt),
            Proto::Dhcp => {
                let o = crate::dhcp::client_options(pkt.payload);
                let (host, vendor, list) = (o.host_name, o.vendor_class, o.parameter_list);
                if host.is_some() || vendor.is_some() || list.is_some() {
                    let m = self.meta_mut();
                    if let Some(h) = host {
                        set_str(&mut m.dhcp_hostname, h);
                    }
                    if let Some(v) = vendor {
                        set_str(&mut m.dhcp_vendor_class, v);
                    }
                    if let Some(l) = list {
                        let mut buf = [0u8; 1024];
                        let n = crate::dhcp::fingerprint(l, &mut buf);
                        set_str(&mut m.dhcp_fingerprint, &buf[..n]);
                    }
                }
            }
            _ => {}
        }
    }

    /// SSH banners and HASSH; ends the follow-up once both sides' KEXINITs are read.
    fn ssh_meta(&mut self, pkt: &Pkt) {
        let client = pkt.dir == Dir::ToServer;
        let m = self.meta_mut();
        if let Some(b) = crate::ssh::banner(pkt.payload) {
            set_str(
                if client {
                    &mut m.ssh_client
                } else {
                    &mut m.ssh_server
                },
                b,
            );
        }
        if let Some(h) = crate::ssh::hassh(pkt.payload, client) {
            set_str(
                if client {
                    &mut m.hassh
                } else {
                    &mut m.hassh_server
                },
                &h,
            );
        }
        let complete = m.hassh.is_some() && m.hassh_server.is_some();
        if complete {
            if let Some(st) = self.state.as_mut() {
                st.collecting = 1;
            }
        }
    }

    /// Follows a classified flow for its metadata (DNS answers, what a STUN session carries).
    fn collect(&mut self, ctx: &mut DpiContext, ep: &Endpoints, pkt: &Pkt) {
        match self.class.master {
            Proto::Ssh => return self.ssh_meta(pkt),
            Proto::Tls | Proto::Smtps | Proto::Imaps | Proto::Pops | Proto::Ftps
                if pkt.dir == Dir::ToClient =>
            {
                let hello = tls::first_record(pkt.payload);
                if let Some(tls::Record::ServerHello { version }) = hello {
                    self.server_hello(version);
                }
                let cert = self.certificate_names(pkt.payload);
                // Done once the certificate was read, or when the server's first packet had neither (TLS 1.3
                // encrypts it).
                if cert || !matches!(hello, Some(tls::Record::ServerHello { .. })) {
                    if let Some(st) = self.state.as_mut() {
                        st.collecting = 1;
                    }
                }
                return;
            }
            Proto::Http | Proto::HttpProxy | Proto::HttpConnect if pkt.dir == Dir::ToClient => {
                if let Some(r) = http::response(pkt.payload) {
                    let m = self.meta_mut();
                    if let Some(s) = r.server {
                        set_str(&mut m.http_server, s);
                    }
                    if let Some(t) = r.content_type {
                        set_str(&mut m.content_type, t);
                    }
                }
                if let Some(st) = self.state.as_mut() {
                    st.collecting = 1;
                }
                return;
            }
            _ => {}
        }
        if self.class.master == Proto::FtpControl {
            if let Some((addr, port)) = crate::ftp::announced(pkt.payload, pkt.dir, ep) {
                ctx.cache.expect(addr, port, Proto::FtpData);
            }
            return;
        }
        if self.class.master == Proto::Stun {
            if self.class.app == Proto::Stun {
                if let Some(app) = crate::apps::refine(Proto::Stun, pkt.payload) {
                    self.class.app = app;
                }
            }
            if tls::dtls_record(pkt.payload).is_some() {
                self.class.master = Proto::Dtls;
                if self.class.app == Proto::Stun {
                    self.class.app = Proto::Dtls;
                }
                if let Some(st) = self.state.as_mut() {
                    st.collecting = 1;
                }
            }
            return;
        }
        if matches!(self.class.master, Proto::Dns | Proto::Mdns | Proto::Llmnr) {
            let body = match pkt.l4 {
                L4::Tcp => pkt.payload.get(2..).unwrap_or(&[]),
                L4::Udp => pkt.payload,
            };
            if let Some(m) = dns::parse(body) {
                self.dns_message(ctx, &m);
                if m.response {
                    if let Some(st) = self.state.as_mut() {
                        st.collecting = 1;
                    }
                }
            }
        }
    }

    fn tls_tcp(&mut self, pkt: &Pkt) -> Verdict {
        let Some(rec) = tls::first_record(pkt.payload) else {
            return Verdict::No;
        };
        match rec {
            tls::Record::ClientHello { body, declared } => {
                if let Some(h) = tls::ClientHello::parse(body, declared, false) {
                    self.client_hello(&h, ja::Transport::Tcp);
                }
                Verdict::Yes(Proto::Tls)
            }
            tls::Record::ServerHello { version } => {
                self.server_hello(version);
                Verdict::Yes(Proto::Tls)
            }
            tls::Record::Other => {
                if pkt.seen[0] + pkt.seen[1] == 0 {
                    self.class.confidence = Confidence::DpiPartial;
                }
                Verdict::Yes(Proto::Tls)
            }
        }
    }

    /// Reads the server certificate's names into the metadata; names the application by them when the client
    /// sent no SNI. Returns whether a certificate was found.
    fn certificate_names(&mut self, payload: &[u8]) -> bool {
        let Some(cert) = tls::server_certificate(payload) else {
            return false;
        };
        let mut buf = [0u8; MAX_STR];
        let mut n = 0;
        let _ = tls::x509::names(cert, |name| {
            let dup = buf[..n].split(|&b| b == b',').any(|x| x == name);
            if dup || n + name.len() + 1 > buf.len() {
                return;
            }
            if n > 0 {
                buf[n] = b',';
                n += 1;
            }
            buf[n..n + name.len()].copy_from_slice(name);
            n += name.len();
        });
        if n == 0 {
            return true;
        }
        let names = &buf[..n];
        set_str(&mut self.meta_mut().tls_server_names, names);
        let no_sni = self.meta.as_ref().is_none_or(|m| m.server_name.is_none());
        if no_sni && self.class.app == self.class.master {
            let first = names.split(|&b| b == b',').next().unwrap_or(names);
            if let Some(app) = names::lookup(first.strip_prefix(b"*.").unwrap_or(first)) {
                self.class.app = app;
            }
        }
        true
    }

    fn server_hello(&mut self, version: u16) {
        let name: &[u8] = match version {
            0x0304 => b"TLSv1.3",
            0x0303 => b"TLSv1.2",
            0x0302 => b"TLSv1.1",
            0x0301 => b"TLSv1",
            0x0300 => b"SSLv3",
            0xfefd => b"DTLSv1.2",
            0xfeff => b"DTLSv1.0",
            _ => return,
        };
        set_str(&mut self.meta_mut().tls_version, name);
    }

    fn client_hello(&mut self, h: &tls::ClientHello, transport: ja::Transport) {
        let (ja3, ja4) = (ja::ja3(h), ja::ja4(h, transport));
        hello_meta(self.meta_mut(), h, ja3, ja4);
    }

    fn http(&mut self, pkt: &Pkt) -> Verdict {
        let p = pkt.payload;
        if p.starts_with(http::H2_PREFACE) {
            return Verdict::Yes(Proto::Http);
        }
        if let Some(r) = http::request(p) {
            let proxy_port = matches!(pkt.server_port, 3128 | 8080 | 8118 | 8123);
            let master = if r.method == b"CONNECT" {
                Proto::HttpConnect
            } else if r.target.starts_with(b"http://") || proxy_port {
                Proto::HttpProxy
            } else {
                Proto::Http
            };
            let m = self.meta_mut();
            if let Some(host) = r.host {
                set_str(&mut m.server_name, http::host_name(host));
            }
            if let Some(ua) = r.user_agent {
                set_str(&mut m.user_agent, ua);
            }
            set_str(&mut m.http_url, r.target);
            if r.webdav {
                self.class.app = Proto::HttpWebDav;
            }
            return Verdict::Yes(master);
        }
        if http::response(p).is_some() {
            return Verdict::Yes(Proto::Http);
        }
        // A request line may be split over segments: give a start that looks like a method one more packet.
        if pkt.seen[pkt.dir as usize] == 0 && p.len() < 16 && p.iter().all(u8::is_ascii_uppercase) {
            return Verdict::NeedMore;
        }
        Verdict::No
    }

    fn dns(&mut self, ctx: &mut DpiContext, pkt: &Pkt, body: &[u8]) -> Verdict {
        // NetBIOS name service shares DNS's format; its own dissector names it.
        if pkt.either_port(137) || pkt.either_port(138) {
            return Verdict::No;
        }
        let Some(m) = dns::parse(body) else {
            return Verdict::No;
        };
        let name = m.name();
        let master = if ends_with_label(name, b"securedns.avast.com") {
            Proto::AvastSecureDns
        } else if name.starts_with(b"2.dnscrypt-cert.") || name.starts_with(b"2.dnscrypt.") {
            Proto::DnsCrypt
        } else if pkt.either_port(5353) {
            Proto::Mdns
        } else if pkt.either_port(5355) {
            Proto::Llmnr
        } else {
            Proto::Dns
        };
        if m.name_len > 0 {
            let name = m.name();
            set_str(&mut self.meta_mut().dns_query, name);
            set_str(&mut self.meta_mut().server_name, name);
            self.meta_mut().dns_qtype.get_or_insert(m.qtype);
        }
        self.dns_message(ctx, &m);
        Verdict::Yes(master)
    }

    /// Takes a DNS message's answers into the flow's metadata and the shared cache.
    fn dns_message(&mut self, ctx: &mut DpiContext, m: &dns::Message) {
        if !m.response {
            return;
        }
        self.meta_mut().dns_rcode.get_or_insert(m.rcode);
        let app = (m.name_len > 0).then(|| names::lookup(m.name())).flatten();
        let meta = self.meta_mut();
        for a in m.addresses() {
            if meta.dns_answers.len() < dns::MAX_ANSWERS && !meta.dns_answers.contains(&a) {
                meta.dns_answers.push(a);
            }
            if let Some(app) = app {
                ctx.cache.insert(a, app);
            }
        }
    }

    fn quic(&mut self, ctx: &mut DpiContext, pkt: &Pkt) -> Verdict {
        let p = pkt.payload;
        // Google QUIC: the IETF-style long header of Q046+ (flags, then the version tag), or the older public
        // header (flags with the version bit, an 8-byte connection ID, then the tag). Its CHLO is plaintext.
        let gquic_version =
            |v: &[u8]| v.len() == 4 && v[0] == b'Q' && v[1..].iter().all(u8::is_ascii_digit);
        let long = p.len() >= 13 && p[0] & 0x80 != 0 && gquic_version(&p[1..5]);
        let public =
            p.len() >= 13 && p[0] & 0x81 == 0x01 && p[0] & 0x0c == 0x0c && gquic_version(&p[9..13]);
        if long || public {
            if let Some(sni) = crate::gquic::chlo_tag(p, *b"SNI\0") {
                set_str(&mut self.meta_mut().server_name, sni);
            }
            if let Some(ua) = crate::gquic::chlo_tag(p, *b"UAID") {
                set_str(&mut self.meta_mut().user_agent, ua);
            }
            return Verdict::Yes(Proto::Quic);
        }
        if quic_crypto::looks_like_initial(p).is_none() {
            // A server's packets or short headers: QUIC only if the flow's first packets said so.
            let first_from_client = pkt.dir == Dir::ToServer && pkt.seen[0] == 0;
            return if first_from_client || pkt.seen[0] + pkt.seen[1] > 2 {
                Verdict::No
            } else {
                Verdict::NeedMore
            };
        }
        if pkt.dir == Dir::ToClient {
            return Verdict::Yes(Proto::Quic);
        }
        // Most ClientHellos fit one Initial: decrypt into the worker's buffer. Only a hello spread over several
        // packets gets a per-flow reassembly buffer, for at most a few packets.
        let st = st_mut(&mut self.state);
        let (stream_buf, avail) = if let Some(hello) = st.quic.as_mut() {
            let Ok(n) = quic_crypto::decrypt_client_initial_into(
                p,
                &mut ctx.scratch[..],
                &mut hello.crypto,
                &mut hello.coverage,
            ) else {
                return Verdict::Yes(Proto::Quic);
            };
            ctx.quic_out.copy_from_slice(&hello.crypto);
            (&ctx.quic_out[..], n)
        } else {
            let mut coverage = quic_crypto::CryptoCoverage::default();
            let Ok(n) = quic_crypto::decrypt_client_initial_into(
                p,
                &mut ctx.scratch[..],
                &mut ctx.quic_out[..],
                &mut coverage,
            ) else {
                // A long header of a known version that does not decrypt: still QUIC, nothing to read.
                return Verdict::Yes(Proto::Quic);
            };
            let declared = hello_len(&ctx.quic_out[..n]);
            if n < declared && declared <= QUIC_CRYPTO && pkt.seen[0] < 3 {
                let mut hello = Box::new(QuicHello {
                    crypto: [0; QUIC_CRYPTO],
                    coverage,
                });
                hello.crypto.copy_from_slice(&ctx.quic_out[..]);
                st.quic = Some(hello);
                ctx.stats.quic_reassemblies += 1;
                return Verdict::NeedMore;
            }
            (&ctx.quic_out[..], n)
        };
        let stream = &stream_buf[..avail];
        let declared = hello_len(stream);
        if stream.first() != Some(&1) {
            return Verdict::Yes(Proto::Quic);
        }
        if avail < declared && pkt.seen[0] < 3 {
            return Verdict::NeedMore;
        }
        if let Some(h) = tls::ClientHello::parse(&stream[4..], declared.saturating_sub(4), false) {
            let (ja3, ja4) = (ja::ja3(&h), ja::ja4(&h, ja::Transport::Quic));
            let m = self.meta.get_or_insert_with(Box::default);
            hello_meta(m, &h, ja3, ja4);
        }
        Verdict::Yes(Proto::Quic)
    }

    fn dtls(&mut self, pkt: &Pkt) -> Verdict {
        match tls::dtls_record(pkt.payload) {
            Some(tls::Record::ClientHello { body, declared }) => {
                if let Some(h) = tls::ClientHello::parse(body, declared, true) {
                    self.client_hello(&h, ja::Transport::Dtls);
                }
                Verdict::Yes(Proto::Dtls)
            }
            Some(_) => Verdict::Yes(Proto::Dtls),
            None => Verdict::No,
        }
    }
}

/// Whether `name` is `domain` or ends with "." + `domain` (ASCII case-insensitive).
fn ends_with_label(name: &[u8], domain: &[u8]) -> bool {
    name.len() >= domain.len()
        && name[name.len() - domain.len()..].eq_ignore_ascii_case(domain)
        && (name.len() == domain.len() || name[name.len() - domain.len() - 1] == b'.')
}

/// Transports named by their IP protocol number alone.
fn ip_protocol(l4: u8) -> Option<Proto> {
    Some(match l4 {
        1 => Proto::Icmp,
        2 => Proto::Igmp,
        47 => Proto::Gre,
        50 | 51 => Proto::IpSec,
        58 => Proto::IcmpV6,
        89 => Proto::Ospf,
        112 => Proto::Vrrp,
        132 => Proto::Sctp,
        _ => return None,
    })
}

/// Length of the handshake message at the start of a CRYPTO stream, header included.
fn hello_len(stream: &[u8]) -> usize {
    stream.u24_at(1).map_or(0, |l| l as usize) + 4
}

/// Writes a ClientHello's names and fingerprints into a flow's metadata.
fn hello_meta(m: &mut L7Meta, h: &tls::ClientHello, ja3: Option<[u8; 32]>, ja4: Option<[u8; 36]>) {
    if let Some(sni) = h.sni {
        set_str(&mut m.server_name, sni);
    }
    if let Some(alpn) = h.alpn {
        // All offered protocols, comma-separated.
        let mut buf = [0u8; MAX_STR];
        let mut n = 0;
        let mut c = xntop_wire::cursor::Cursor::new(alpn);
        while let Ok(p) = c.get_bytes_with_u8_length() {
            if n + p.len() + 1 > buf.len() {
                break;
            }
            if n > 0 {
                buf[n] = b',';
                n += 1;
            }
            buf[n..n + p.len()].copy_from_slice(p);
            n += p.len();
        }
        set_str(&mut m.alpn, &buf[..n]);
    }
    if let Some(j) = ja3 {
        set_str(&mut m.ja3, &j);
    }
    if let Some(j) = ja4 {
        set_str(&mut m.ja4, &j);
    }
}

fn st_mut(state: &mut Option<Box<Detecting>>) -> &mut Detecting {
    state.get_or_insert_with(|| {
        Box::new(Detecting {
            excluded: [0; 4],
            builtin_no: 0,
            seen: [0; 2],
            collecting: 0,
            classified: false,
            quic: None,
        })
    })
}

/// Stores printable text (other bytes become '?'), at most [`MAX_STR`] bytes; keeps the first value seen.
fn set_str(slot: &mut Option<Box<str>>, bytes: &[u8]) {
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
        /// Any payload sequence, on any port, through every built-in and registered dissector: no panic, the
        /// budget holds and the detection state is gone at the end.
        #[test]
        fn any_flow_ends_classified_or_given_up(
            l4 in proptest::sample::select(vec![6u8, 17]),
            port in proptest::sample::select(vec![21u16, 53, 80, 443, 853, 2121, 3478, 5353, 4433, 9999]),
            packets in proptest::collection::vec(
                (proptest::prelude::any::<bool>(), proptest::collection::vec(proptest::prelude::any::<u8>(), 1..600)),
                1..40,
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
            if packets.len() >= usize::from(PACKET_BUDGET) + usize::from(METADATA_PACKETS) + 12 {
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
            &crate::tls::tests::hex(crate::tls::tests::CURL_HELLO),
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
        assert!(
            std::mem::size_of::<Detecting>() <= 512,
            "{}",
            std::mem::size_of::<Detecting>()
        );
    }
}
