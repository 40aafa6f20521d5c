//! The asset inventory: devices on the local segments, keyed by MAC (by address when no MAC identifies one: links
//! without MACs, or hosts behind a router whose MAC carries many addresses), with their addresses, names, vendor,
//! OS and type guesses with their evidence, services, and a change log whose alerts (new device, new address or
//! name, new listening service) other parts may consume.
//!
//! Fed by the aggregator from the same flow deltas as the host view ([`Inventory::flow`]) and from the facts and
//! SYNs the workers pass along ([`facts`]); bounded ([`MAX_DEVICES`], the idlest evicted and counted); kept across
//! restarts in the data directory ([`store`]).

pub mod facts;
mod store;

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

use ipnet::IpNet;
use xntop_assets::os::{self, Guess};
use xntop_assets::oui::{self, Vendor};
use xntop_assets::p0f::{self, Syn, SynDb};
use xntop_flow::Mac;
use xntop_model::devices::{
    AddressSeen, Change, DeviceStats, DeviceView, Evidence, NameSeen, Service,
};

use crate::aggregator::{format_mac, parse_mac};
use facts::{Fact, FactKind, SynSample};

/// Keys come from the network: a hasher seeded per process, fast for the per-flow lookups.
type Fast = foldhash::fast::RandomState;

/// Devices kept at most; beyond it the idlest go (counted).
pub const MAX_DEVICES: usize = 16_384;
/// Per-device lists are bounded too.
const MAX_ADDRESSES: usize = 16;
const MAX_NAMES: usize = 16;
const MAX_SERVICES: usize = 32;
const MAX_SOFTWARE: usize = 8;
const MAX_EVIDENCE: usize = 32;
const MAX_CHANGES: usize = 64;
/// A MAC that carried this many IPv4 addresses is a router's: the hosts behind it become devices of their own,
/// known by address.
const ROUTER_ADDRESSES: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Mac(Mac),
    Ip(IpAddr),
}

fn secs(ns: u64) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "display")]
    let s = ns as f64 / 1e9;
    s
}

/// One flow delta as the inventory sees it.
#[derive(Clone, Copy, Debug)]
pub struct FlowTouch {
    pub client: (IpAddr, Mac),
    pub server: (IpAddr, Mac),
    pub proto: u8,
    pub server_port: u16,
    pub app: xntop_dpi::NameParts,
    /// Bytes client → server and back in this delta.
    pub bytes: [u64; 2],
    pub new: bool,
    /// The server answered (it offers the service).
    pub answered: bool,
    pub ts_ns: u64,
    /// Which ends may be devices (see [`Inventory::eligible`]).
    pub eligible: [bool; 2],
}

#[derive(Debug)]
struct Device {
    view: DeviceView,
    /// IPv4 addresses its MAC carried, for router detection.
    v4_addresses: usize,
}

#[derive(Debug)]
pub struct Inventory {
    devices: HashMap<Key, Device, Fast>,
    /// The device each address belongs to now.
    by_ip: HashMap<IpAddr, Key, Fast>,
    local: Vec<IpNet>,
    cap: usize,
    stats: DeviceStats,
    syn_db: &'static SynDb,
    store: Option<store::Store>,
}

impl Inventory {
    /// `local`: the `-m` networks (devices are hosts inside them; without any, hosts with private, link-local or
    /// unique-local addresses).
    pub fn new(local: Vec<IpNet>, cap: usize) -> Self {
        Self {
            devices: HashMap::default(),
            by_ip: HashMap::default(),
            local,
            cap: cap.max(1),
            stats: DeviceStats::default(),
            syn_db: SynDb::bundled(),
            store: None,
        }
    }

    /// Uses these SYN signatures instead of the bundled ones.
    pub fn syn_signatures(&mut self, db: &'static SynDb) {
        self.syn_db = db;
    }

    /// Keeps the inventory in `dir/devices.json`: reads it now, writes it back as it changes (see [`store`]).
    pub fn persist(&mut self, dir: PathBuf) {
        let (store, devices) = store::Store::open(dir);
        for v in devices.into_iter().take(self.cap) {
            let key = match parse_mac(&v.id) {
                Some(m) => Key::Mac(m),
                None => match v.id.parse() {
                    Ok(ip) => Key::Ip(ip),
                    Err(_) => continue,
                },
            };
            for a in &v.addresses {
                self.by_ip.insert(a.ip, key);
            }
            let v4 = v.addresses.iter().filter(|a| a.ip.is_ipv4()).count();
            self.devices.insert(
                key,
                Device {
                    view: v,
                    v4_addresses: v4,
                },
            );
            self.stats.restored += 1;
        }
        self.store = Some(store);
    }

    /// Whether `ip` may be a device: inside the `-m` networks, or (without them) a private, link-local or
    /// unique-local address. Decided once per host by the aggregator.
    pub fn eligible(&self, ip: IpAddr) -> bool {
        if ip.is_unspecified() || ip.is_multicast() || ip == IpAddr::from([255, 255, 255, 255]) {
            return false;
        }
        if !self.local.is_empty() {
            return self.local.iter().any(|n| n.contains(&ip));
        }
        match ip {
            IpAddr::V4(a) => a.is_private() || a.is_link_local(),
            IpAddr::V6(a) => {
                let first = a.segments()[0];
                first & 0xffc0 == 0xfe80 || first & 0xfe00 == 0xfc00
            }
        }
    }

    /// The device `ip` (sent or received with `mac`) belongs to, made when new. `None` when neither identifies
    /// one.
    fn device(&mut self, ip: IpAddr, mac: Mac, eligible: bool, ts_ns: u64) -> Option<&mut Device> {
        let usable_mac = mac != Mac::default() && mac[0] & 1 == 0;
        let mut key = if usable_mac {
            Key::Mac(mac)
        } else if eligible {
            Key::Ip(ip)
        } else {
            return None;
        };
        if let Some(d) = self.devices.get(&key) {
            let known = d.view.addresses.iter().any(|a| a.ip == ip);
            if !known && eligible && ip.is_ipv4() && d.v4_addresses >= ROUTER_ADDRESSES {
                // A router's MAC: this address is a device of its own behind it.
                key = Key::Ip(ip);
            }
        }
        if !eligible && !ip.is_unspecified() && !self.devices.contains_key(&key) {
            return None;
        }
        let t = secs(ts_ns);
        let d = self.devices.entry(key).or_insert_with(|| {
            let mut view = DeviceView {
                id: match key {
                    Key::Mac(m) => format_mac(m),
                    Key::Ip(ip) => ip.to_string(),
                },
                // Known by address: any MAC its frames carried is a router's, not its own.
                mac: matches!(key, Key::Mac(_)).then(|| format_mac(mac)),
                first_seen: t,
                last_seen: t,
                ..DeviceView::default()
            };
            if let Key::Mac(m) = key {
                view.vendor = match oui::vendor(m) {
                    Vendor::Registered(v) => Some(v.to_string()),
                    Vendor::LocallyAdministered => Some("locally administered".into()),
                    Vendor::Group | Vendor::Unknown => None,
                };
            }
            view.changes.push(Change {
                time: t,
                kind: "new_device".into(),
                detail: format!("{} appeared", view.id),
                alert: true,
            });
            Device {
                view,
                v4_addresses: 0,
            }
        });
        if d.view.first_seen > t {
            d.view.first_seen = t;
        }
        if t > d.view.last_seen {
            d.view.last_seen = t;
        }
        if eligible {
            d.note_address(ip, t, false);
            if self.by_ip.get(&ip) != Some(&key) {
                self.by_ip.insert(ip, key);
            }
        }
        if d.view.changes.len() == 1 && d.view.evidence.is_empty() {
            if let Some(g) = d.view.vendor.as_deref().and_then(os::from_vendor) {
                let vendor = d.view.vendor.clone().unwrap_or_default();
                d.apply("oui", &vendor, &g, t);
            }
        }
        Some(d)
    }

    /// Accounts one flow delta to the devices at its ends.
    pub fn flow(&mut self, f: &FlowTouch) {
        let t = secs(f.ts_ns);
        if f.eligible[0] {
            if let Some(d) = self.device(f.client.0, f.client.1, true, f.ts_ns) {
                d.view.bytes_sent += f.bytes[0];
                d.view.bytes_rcvd += f.bytes[1];
                if f.new {
                    d.view.flows += 1;
                    d.used(&f.app.to_string());
                }
            }
        }
        if f.eligible[1] {
            if let Some(d) = self.device(f.server.0, f.server.1, true, f.ts_ns) {
                d.view.bytes_sent += f.bytes[1];
                d.view.bytes_rcvd += f.bytes[0];
                if f.new {
                    d.view.flows += 1;
                }
                if f.answered && f.server_port != 0 {
                    d.offered(f.proto, f.server_port, f.app, t);
                }
            }
        }
    }

    /// Applies a fact a flow taught about its client.
    pub fn fact(&mut self, f: &Fact) {
        let eligible = self.eligible(f.ip);
        let t = secs(f.ts_ns);
        let Some(d) = self.device(f.ip, f.mac, eligible, f.ts_ns) else {
            return;
        };
        let value = &*f.value;
        match f.kind {
            FactKind::DhcpHostname => d.named(value, "dhcp", t),
            FactKind::MdnsName => {
                let (name, service) = facts::mdns_name(value);
                d.named(name, "mdns", t);
                if let Some(g) = service.and_then(os::from_mdns_service) {
                    d.apply("mdns", value, &g, t);
                }
            }
            FactKind::DhcpVendorClass => match os::from_dhcp_vendor(value) {
                Some(g) => d.apply("dhcp_vendor_class", value, &g, t),
                None => d.evidence("dhcp_vendor_class", value, "", 0, t),
            },
            FactKind::DhcpFingerprint => match os::from_dhcp_fingerprint(value) {
                Some(g) => d.apply("dhcp_fingerprint", value, &g, t),
                None => d.evidence("dhcp_fingerprint", value, "", 0, t),
            },
            FactKind::UserAgent => {
                if let Some(sw) = os::client_software(value) {
                    if !d.view.software.contains(&sw) && d.view.software.len() < MAX_SOFTWARE {
                        d.view.software.push(sw);
                    }
                }
                match os::from_user_agent(value) {
                    Some(g) => d.apply("user_agent", value, &g, t),
                    None => d.evidence("user_agent", value, "", 0, t),
                }
            }
        }
        if matches!(
            f.kind,
            FactKind::DhcpHostname | FactKind::DhcpVendorClass | FactKind::DhcpFingerprint
        ) && eligible
        {
            // A DHCP message from an address: a lease it holds (a renewal, or the REQUEST after the lease).
            if let Some(a) = d.view.addresses.iter_mut().find(|a| a.ip == f.ip) {
                a.dhcp = true;
            }
        }
    }

    /// Applies the SYN of a new TCP flow from a device.
    pub fn syn(&mut self, s: &SynSample) {
        let eligible = self.eligible(s.ip);
        if !eligible {
            return;
        }
        let syn = Syn {
            sig: s.sig,
            window: s.window,
            ipv6: s.ip.is_ipv6(),
            payload: s.payload,
        };
        let described = p0f::describe(&syn);
        let found = self
            .syn_db
            .find(&syn)
            .map(|m| (m.label.text(), os::from_syn(&m)));
        let t = secs(s.ts_ns);
        let Some(d) = self.device(s.ip, s.mac, true, s.ts_ns) else {
            return;
        };
        match found {
            Some((label, g)) => d.apply_with("tcp_syn", &described, &label, &g, t),
            None => d.evidence("tcp_syn", &described, "", 0, t),
        }
    }

    /// Forgets the idlest devices beyond the cap (down to 95 % of it).
    pub fn purge(&mut self) {
        if self.devices.len() > self.cap {
            let mut by_idle: Vec<(f64, Key)> = self
                .devices
                .iter()
                .map(|(k, d)| (d.view.last_seen, *k))
                .collect();
            by_idle.sort_by(|a, b| a.0.total_cmp(&b.0));
            let excess = self.devices.len() - self.cap * 95 / 100;
            for (_, k) in by_idle.into_iter().take(excess) {
                self.devices.remove(&k);
                self.stats.evicted += 1;
            }
            let devices = &self.devices;
            self.by_ip.retain(|_, k| devices.contains_key(k));
        }
    }

    /// The devices, most recently seen first; `learned` gives the name the host view learned for an address (DNS
    /// answers, TLS/HTTP names), added as such.
    pub fn views(
        &mut self,
        learned: impl Fn(IpAddr) -> Option<String>,
    ) -> (Vec<DeviceView>, DeviceStats) {
        self.purge();
        let mut out: Vec<DeviceView> = self
            .devices
            .values()
            .map(|d| {
                let mut v = d.view.clone();
                for a in &d.view.addresses {
                    let owner = self.by_ip.get(&a.ip).and_then(|k| self.devices.get(k));
                    let current = owner.is_some_and(|o| std::ptr::eq(o, d));
                    if let Some(n) = learned(a.ip).filter(|_| current) {
                        if !v.names.iter().any(|x| x.name == n) {
                            v.names.push(NameSeen {
                                name: n,
                                source: "dns".into(),
                                first_seen: a.first_seen,
                                last_seen: a.last_seen,
                            });
                        }
                    }
                }
                v
            })
            .collect();
        out.sort_by(|a, b| {
            b.last_seen
                .total_cmp(&a.last_seen)
                .then_with(|| a.id.cmp(&b.id))
        });
        let stats = DeviceStats {
            devices: out.len() as u64,
            ..self.stats.clone()
        };
        if let Some(s) = self.store.as_mut() {
            s.maybe_save(&out, &mut self.stats);
        }
        (out, stats)
    }

    /// Writes the inventory now (at exit).
    pub fn save(&mut self) {
        let (views, _) = self.views(|_| None);
        if let Some(s) = self.store.as_mut() {
            s.save(&views, &mut self.stats);
        }
    }
}

impl Device {
    fn change(&mut self, t: f64, kind: &str, detail: String, alert: bool) {
        if self.view.changes.len() == MAX_CHANGES {
            self.view.changes.remove(0);
        }
        self.view.changes.push(Change {
            time: t,
            kind: kind.into(),
            detail,
            alert,
        });
    }

    fn note_address(&mut self, ip: IpAddr, t: f64, dhcp: bool) {
        if let Some(a) = self.view.addresses.iter_mut().find(|a| a.ip == ip) {
            a.last_seen = a.last_seen.max(t);
            a.first_seen = a.first_seen.min(t);
            a.dhcp |= dhcp;
            return;
        }
        let had = !self.view.addresses.is_empty();
        if self.view.addresses.len() == MAX_ADDRESSES {
            if let Some(oldest) = self
                .view
                .addresses
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.last_seen.total_cmp(&b.1.last_seen))
                .map(|(i, _)| i)
            {
                self.view.addresses.remove(oldest);
            }
        }
        self.view.addresses.push(AddressSeen {
            ip,
            first_seen: t,
            last_seen: t,
            dhcp,
        });
        if ip.is_ipv4() {
            self.v4_addresses += 1;
        }
        self.view
            .addresses
            .sort_by(|a, b| b.last_seen.total_cmp(&a.last_seen));
        if had {
            self.change(t, "new_address", format!("now also at {ip}"), true);
        }
    }

    fn named(&mut self, name: &str, source: &str, t: f64) {
        if name.is_empty() {
            return;
        }
        if let Some(n) = self.view.names.iter_mut().find(|n| n.name == name) {
            n.last_seen = n.last_seen.max(t);
            return;
        }
        let had = !self.view.names.is_empty();
        if self.view.names.len() == MAX_NAMES {
            self.view.names.pop();
        }
        self.view.names.insert(
            0,
            NameSeen {
                name: name.into(),
                source: source.into(),
                first_seen: t,
                last_seen: t,
            },
        );
        let detail = format!("named {name} ({source})");
        self.change(t, "new_name", detail, had);
    }

    fn used(&mut self, app: &str) {
        if let Some(e) = self.view.services_used.iter_mut().find(|e| e.0 == app) {
            e.1 += 1;
        } else if self.view.services_used.len() < MAX_SERVICES {
            self.view.services_used.push((app.to_string(), 1));
        }
        self.view
            .services_used
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }

    /// A service it answered on; the application's name is made only when it is new or named for the first time.
    fn offered(&mut self, proto: u8, port: u16, app: xntop_dpi::NameParts, t: f64) {
        let proto: std::borrow::Cow<'static, str> =
            xntop_model::proto_name(proto).map_or_else(|| proto.to_string().into(), Into::into);
        let unknown =
            app.master == xntop_dpi::Proto::Unknown && app.app == xntop_dpi::Proto::Unknown;
        if let Some(s) = self
            .view
            .services_offered
            .iter_mut()
            .find(|s| s.port == port && s.proto == *proto)
        {
            if s.app == "Unknown" && !unknown {
                s.app = app.to_string();
            }
            return;
        }
        if self.view.services_offered.len() >= MAX_SERVICES {
            return;
        }
        let app = app.to_string();
        let app = app.as_str();
        self.view.services_offered.push(Service {
            proto: proto.to_string(),
            port,
            app: app.to_string(),
        });
        self.view
            .services_offered
            .sort_by(|a, b| (a.port, &a.proto).cmp(&(b.port, &b.proto)));
        self.change(
            t,
            "new_service",
            format!("answers on {proto}/{port} ({app})"),
            true,
        );
    }

    fn evidence(&mut self, source: &str, value: &str, verdict: &str, confidence: u8, t: f64) {
        if let Some(e) = self
            .view
            .evidence
            .iter_mut()
            .find(|e| e.source == source && e.value == value)
        {
            e.seen = t;
            return;
        }
        if self.view.evidence.len() == MAX_EVIDENCE {
            self.view.evidence.remove(0);
        }
        self.view.evidence.push(Evidence {
            source: source.into(),
            value: value.into(),
            verdict: verdict.into(),
            confidence,
            seen: t,
        });
    }

    fn apply(&mut self, source: &str, value: &str, g: &Guess, t: f64) {
        let verdict = [g.os.as_deref(), g.os_detail.as_deref(), g.device_type]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        self.apply_with(source, value, &verdict, g, t);
    }

    /// Records the evidence and takes its guess when it is at least as sure as the current one.
    fn apply_with(&mut self, source: &str, value: &str, verdict: &str, g: &Guess, t: f64) {
        self.evidence(source, value, verdict, g.confidence, t);
        if let Some(os) = &g.os {
            if g.confidence >= self.view.os_confidence {
                if self.view.os.as_ref().is_some_and(|o| o != os) {
                    let detail = format!(
                        "{} → {os} ({source})",
                        self.view.os.as_deref().unwrap_or("")
                    );
                    self.change(t, "os_changed", detail, false);
                }
                self.view.os = Some(os.clone());
                if g.os_detail.is_some() || self.view.os_confidence < g.confidence {
                    self.view.os_detail.clone_from(&g.os_detail);
                }
                self.view.os_confidence = g.confidence;
            }
        }
        if let Some(ty) = g.device_type {
            if g.confidence >= self.view.type_confidence {
                self.view.device_type = Some(ty.to_string());
                self.view.type_confidence = g.confidence;
            }
        }
    }
}

#[cfg(test)]
mod tests;
