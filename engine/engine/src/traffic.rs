//! Traffic by country, autonomous system, network and VLAN, the network × network matrix and the host × host
//! conversations: the aggregator feeds every flow delta it accounts ([`Traffic::add`]), so each total equals the
//! sum over the flow records of the same traffic.
//!
//! Hosts are placed once, when they appear ([`Place`]): country and AS from the mmdb files, network from `-m` and
//! `--networks` (the most specific one that contains the address).

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;
use xntop_model::geo::country_str;
use xntop_model::snapshot::{
    AsView, ConversationView, CountryView, Matrix, NetworkView, Totals, VlanView,
};
use xntop_model::GeoInfo;

/// Networks `--networks` may name at most (each host's placement scans them once).
pub const MAX_NETWORKS: usize = 1024;
/// Host pairs the conversation table keeps; beyond it the smallest are forgotten (counted).
pub const MAX_CONVERSATIONS: usize = 1 << 14;
/// Conversations the snapshot lists.
const TOP_CONVERSATIONS: usize = 100;
/// Distinct ASes and countries are bounded by the mmdb files themselves (~80 k ASes, ~250 countries); VLANs by 4096.
const NO_NETWORK: u16 = u16::MAX;

/// A network to account: `-m` ones are local.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    pub net: IpNet,
    pub name: String,
    pub local: bool,
}

/// Where a host belongs, decided once when it appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// ISO country code (`[0, 0]`: unknown).
    pub country: [u8; 2],
    /// AS number (0: unknown).
    pub asn: u32,
    /// Index in the networks (`u16::MAX`: none, i.e. "remote" in the matrix).
    pub network: u16,
}

impl Default for Place {
    fn default() -> Self {
        Self {
            country: [0; 2],
            asn: 0,
            network: NO_NETWORK,
        }
    }
}

/// What one report changed in a flow, oriented client → server.
#[derive(Clone, Copy, Debug)]
pub struct FlowDelta {
    pub client: (IpAddr, Place),
    pub server: (IpAddr, Place),
    pub vlan: u16,
    /// Client → server, server → client.
    pub bytes: [u64; 2],
    pub packets: [u64; 2],
    /// The flow's first delta.
    pub new: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct Conversation {
    /// Bytes from the smaller address to the larger, and back.
    bytes: [u64; 2],
    packets: u64,
    flows: u64,
}

/// Keys come from the network: a hasher seeded per process, fast for the per-delta updates.
type Fast = foldhash::fast::RandomState;

#[derive(Debug, Default)]
pub struct Traffic {
    networks: Vec<Network>,
    countries: HashMap<[u8; 2], Totals, Fast>,
    asns: HashMap<u32, Totals, Fast>,
    as_orgs: HashMap<u32, Box<str>>,
    per_network: Vec<Totals>,
    vlans: HashMap<u16, (u64, u64, u64), Fast>,
    /// `(networks + 1)²` cells, row-major, the last row and column being "remote".
    matrix: Vec<u64>,
    conversations: HashMap<(IpAddr, IpAddr), Conversation, Fast>,
    conversations_evicted: u64,
}

/// Adds `d` to one side's group: it sent `sent` and received `rcvd`.
fn add_side(t: &mut Totals, sent: (u64, u64), rcvd: (u64, u64), new: bool) {
    t.bytes_sent += sent.0;
    t.packets_sent += sent.1;
    t.bytes_rcvd += rcvd.0;
    t.packets_rcvd += rcvd.1;
    t.flows += u64::from(new);
}

impl Traffic {
    #[must_use]
    pub fn new(networks: Vec<Network>) -> Self {
        let n = networks.len() + 1;
        Self {
            per_network: vec![Totals::default(); networks.len()],
            matrix: vec![0; n * n],
            networks,
            ..Self::default()
        }
    }

    /// Where `ip` belongs, given what the mmdb files say of it.
    #[must_use]
    pub fn place(&mut self, ip: IpAddr, geo: Option<&GeoInfo>) -> Place {
        let network = self
            .networks
            .iter()
            .enumerate()
            .filter(|(_, n)| n.net.contains(&ip))
            .max_by_key(|(_, n)| n.net.prefix_len())
            .map_or(NO_NETWORK, |(i, _)| u16::try_from(i).unwrap_or(NO_NETWORK));
        let mut p = Place {
            network,
            ..Place::default()
        };
        if let Some(g) = geo {
            p.country = g.country_code();
            p.asn = g.asn.unwrap_or(0);
            if let (Some(asn), Some(org)) = (g.asn, &g.as_org) {
                self.as_orgs.entry(asn).or_insert_with(|| org.clone());
            }
        }
        p
    }

    /// Accounts one flow delta to both ends' groups, the flow's VLAN, the matrix and the conversation.
    pub fn add(&mut self, d: &FlowDelta) {
        let (c, s) = (d.client.1, d.server.1);
        let up = (d.bytes[0], d.packets[0]);
        let down = (d.bytes[1], d.packets[1]);
        // A flow inside one group counts once for it.
        if c.country != [0; 2] {
            add_side(
                self.countries.entry(c.country).or_default(),
                up,
                down,
                d.new,
            );
        }
        if s.country != [0; 2] {
            let new = d.new && c.country != s.country;
            add_side(self.countries.entry(s.country).or_default(), down, up, new);
        }
        if c.asn != 0 {
            add_side(self.asns.entry(c.asn).or_default(), up, down, d.new);
        }
        if s.asn != 0 {
            let new = d.new && c.asn != s.asn;
            add_side(self.asns.entry(s.asn).or_default(), down, up, new);
        }
        if let Some(t) = self.per_network.get_mut(usize::from(c.network)) {
            add_side(t, up, down, d.new);
        }
        if let Some(t) = self.per_network.get_mut(usize::from(s.network)) {
            let new = d.new && c.network != s.network;
            add_side(t, down, up, new);
        }
        let v = self.vlans.entry(d.vlan).or_default();
        v.0 += d.bytes[0] + d.bytes[1];
        v.1 += d.packets[0] + d.packets[1];
        v.2 += u64::from(d.new);
        let n = self.networks.len();
        let cell = |net: u16| usize::from(net).min(n);
        let (ci, si) = (cell(c.network), cell(s.network));
        self.matrix[ci * (n + 1) + si] += d.bytes[0];
        self.matrix[si * (n + 1) + ci] += d.bytes[1];
        let (key, forward) = if d.client.0 <= d.server.0 {
            ((d.client.0, d.server.0), true)
        } else {
            ((d.server.0, d.client.0), false)
        };
        if self.conversations.len() >= MAX_CONVERSATIONS && !self.conversations.contains_key(&key) {
            self.make_room();
        }
        let conv = self.conversations.entry(key).or_default();
        let (ab, ba) = if forward {
            (d.bytes[0], d.bytes[1])
        } else {
            (d.bytes[1], d.bytes[0])
        };
        conv.bytes[0] += ab;
        conv.bytes[1] += ba;
        conv.packets += d.packets[0] + d.packets[1];
        conv.flows += u64::from(d.new);
    }

    /// Forgets the smaller half of the conversations when the table is full: the top talkers stay.
    fn make_room(&mut self) {
        let mut sizes: Vec<u64> = self
            .conversations
            .values()
            .map(|c| c.bytes[0] + c.bytes[1])
            .collect();
        let mid = sizes.len() / 2;
        if mid == 0 {
            return;
        }
        let (_, &mut median, _) = sizes.select_nth_unstable(mid);
        let before = self.conversations.len();
        self.conversations
            .retain(|_, c| c.bytes[0] + c.bytes[1] > median);
        self.conversations_evicted += (before - self.conversations.len()) as u64;
    }

    /// The views, most bytes first; `hosts` gives each current host's place, for the host counts.
    pub fn views(&self, hosts: impl Iterator<Item = Place>) -> Views {
        let mut countries = self.countries.clone();
        let mut asns = self.asns.clone();
        let mut per_network = self.per_network.clone();
        for p in hosts {
            if let Some(t) = countries.get_mut(&p.country) {
                t.hosts += 1;
            }
            if let Some(t) = asns.get_mut(&p.asn) {
                t.hosts += 1;
            }
            if let Some(t) = per_network.get_mut(usize::from(p.network)) {
                t.hosts += 1;
            }
        }
        let bytes = |t: &Totals| t.bytes_sent + t.bytes_rcvd;
        let mut countries: Vec<CountryView> = countries
            .into_iter()
            .filter_map(|(cc, totals)| {
                Some(CountryView {
                    country: country_str(&cc)?.to_string(),
                    totals,
                })
            })
            .collect();
        countries.sort_by(|a, b| {
            bytes(&b.totals)
                .cmp(&bytes(&a.totals))
                .then_with(|| a.country.cmp(&b.country))
        });
        let mut asns: Vec<AsView> = asns
            .into_iter()
            .map(|(asn, totals)| AsView {
                asn,
                as_org: self.as_orgs.get(&asn).map(|o| o.to_string()),
                totals,
            })
            .collect();
        asns.sort_by(|a, b| {
            bytes(&b.totals)
                .cmp(&bytes(&a.totals))
                .then_with(|| a.asn.cmp(&b.asn))
        });
        let networks: Vec<NetworkView> = self
            .networks
            .iter()
            .zip(per_network)
            .map(|(n, totals)| NetworkView {
                name: n.name.clone(),
                cidr: n.net.to_string(),
                local: n.local,
                totals,
            })
            .collect();
        let mut vlans: Vec<VlanView> = self
            .vlans
            .iter()
            .map(|(&vlan, &(bytes, packets, flows))| VlanView {
                vlan,
                bytes,
                packets,
                flows,
            })
            .collect();
        vlans.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.vlan.cmp(&b.vlan)));
        let n = self.networks.len() + 1;
        let mut labels: Vec<String> = self.networks.iter().map(|n| n.name.clone()).collect();
        labels.push("remote".into());
        let mut conversations: Vec<ConversationView> = self
            .conversations
            .iter()
            .map(|(&(a, b), c)| ConversationView {
                a,
                b,
                bytes_a_to_b: c.bytes[0],
                bytes_b_to_a: c.bytes[1],
                packets: c.packets,
                flows: c.flows,
            })
            .collect();
        let conv_bytes = |c: &ConversationView| c.bytes_a_to_b + c.bytes_b_to_a;
        let by = |x: &ConversationView, y: &ConversationView| {
            conv_bytes(y)
                .cmp(&conv_bytes(x))
                .then_with(|| (x.a, x.b).cmp(&(y.a, y.b)))
        };
        if conversations.len() > TOP_CONVERSATIONS {
            conversations.select_nth_unstable_by(TOP_CONVERSATIONS - 1, by);
            conversations.truncate(TOP_CONVERSATIONS);
        }
        conversations.sort_by(by);
        Views {
            countries,
            asns,
            networks,
            vlans,
            matrix: Matrix {
                labels,
                bytes: self.matrix.chunks(n).map(<[u64]>::to_vec).collect(),
                conversations,
                conversations_evicted: self.conversations_evicted,
            },
        }
    }
}

/// The snapshot's parts [`Traffic::views`] builds.
#[derive(Debug, Default)]
pub struct Views {
    pub countries: Vec<CountryView>,
    pub asns: Vec<AsView>,
    pub networks: Vec<NetworkView>,
    pub vlans: Vec<VlanView>,
    pub matrix: Matrix,
}

/// Reads a `--networks` file: one network per line, `CIDR NAME` (the name may have spaces; without one the CIDR is
/// the name); `#` starts a comment.
///
/// # Errors
/// A line that is not a network, or too many lines, naming the line.
pub fn parse_networks_file(text: &str) -> Result<Vec<(IpNet, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (cidr, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let net: IpNet = cidr
            .parse()
            .map_err(|_| format!("line {}: '{cidr}' is not a network in CIDR notation", i + 1))?;
        let name = name.trim();
        out.push((
            net.trunc(),
            if name.is_empty() {
                net.trunc().to_string()
            } else {
                name.to_string()
            },
        ));
        if out.len() > MAX_NETWORKS {
            return Err(format!("more than {MAX_NETWORKS} networks"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn net(s: &str, name: &str, local: bool) -> Network {
        Network {
            net: s.parse().unwrap(),
            name: name.into(),
            local,
        }
    }

    fn geo(cc: &str, asn: u32) -> GeoInfo {
        GeoInfo {
            country: Some(cc.into()),
            asn: Some(asn),
            as_org: Some(format!("AS{asn} org").into()),
            ..GeoInfo::default()
        }
    }

    #[test]
    fn groups_matrix_and_conversations_add_up() {
        let mut t = Traffic::new(vec![
            net("10.0.0.0/8", "lan", true),
            net("10.1.0.0/16", "servers", false),
        ]);
        let a: IpAddr = "10.0.0.5".parse().unwrap();
        let b: IpAddr = "10.1.2.3".parse().unwrap();
        let r: IpAddr = "198.51.100.1".parse().unwrap();
        let (pa, pb) = (t.place(a, None), t.place(b, None));
        let pr = t.place(r, Some(&geo("SE", 64500)));
        assert_eq!((pa.network, pb.network, pr.network), (0, 1, NO_NETWORK));
        t.add(&FlowDelta {
            client: (a, pa),
            server: (b, pb),
            vlan: 0,
            bytes: [100, 1000],
            packets: [1, 2],
            new: true,
        });
        t.add(&FlowDelta {
            client: (b, pb),
            server: (r, pr),
            vlan: 7,
            bytes: [10, 20],
            packets: [1, 1],
            new: true,
        });
        // A later delta of the first flow.
        t.add(&FlowDelta {
            client: (a, pa),
            server: (b, pb),
            vlan: 0,
            bytes: [5, 0],
            packets: [1, 0],
            new: false,
        });
        let v = t.views([pa, pb, pr].into_iter());
        assert_eq!(v.matrix.labels, ["lan", "servers", "remote"]);
        assert_eq!(
            v.matrix.bytes,
            vec![vec![0, 105, 0], vec![1000, 0, 10], vec![0, 20, 0]]
        );
        let lan = v.networks[0].totals;
        assert_eq!(
            (lan.bytes_sent, lan.bytes_rcvd, lan.flows, lan.hosts),
            (105, 1000, 1, 1)
        );
        let servers = v.networks[1].totals;
        assert_eq!(
            (servers.bytes_sent, servers.bytes_rcvd, servers.flows),
            (1010, 125, 2)
        );
        assert_eq!(v.countries.len(), 1);
        assert_eq!(v.countries[0].country, "SE");
        assert_eq!(
            (
                v.countries[0].totals.bytes_sent,
                v.countries[0].totals.bytes_rcvd
            ),
            (20, 10)
        );
        assert_eq!(v.asns[0].as_org.as_deref(), Some("AS64500 org"));
        assert_eq!(v.vlans.len(), 2);
        assert_eq!((v.vlans[0].vlan, v.vlans[0].bytes), (0, 1105));
        assert_eq!(v.matrix.conversations[0].a, a);
        assert_eq!(v.matrix.conversations[0].bytes_a_to_b, 105);
        assert_eq!(v.matrix.conversations[0].flows, 1);
        // Reversed orientation: r > b, so the pair is (b, r) with b's bytes first.
        let br = &v.matrix.conversations[1];
        assert_eq!((br.a, br.bytes_a_to_b, br.bytes_b_to_a), (b, 10, 20));
    }

    #[test]
    fn conversations_stay_bounded() {
        let mut t = Traffic::new(Vec::new());
        let hub: IpAddr = "192.0.2.1".parse().unwrap();
        for i in 0..(MAX_CONVERSATIONS as u32 + 10) {
            let peer = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            t.add(&FlowDelta {
                client: (peer, Place::default()),
                server: (hub, Place::default()),
                vlan: 0,
                bytes: [u64::from(i), 0],
                packets: [1, 0],
                new: true,
            });
        }
        assert!(t.conversations.len() <= MAX_CONVERSATIONS);
        assert!(t.conversations_evicted > 0);
        let v = t.views(std::iter::empty());
        assert_eq!(v.matrix.conversations.len(), TOP_CONVERSATIONS);
        // The largest survive.
        assert_eq!(
            v.matrix.conversations[0].bytes_a_to_b,
            u64::from(MAX_CONVERSATIONS as u32 + 9)
        );
    }

    #[test]
    fn networks_file() {
        let got =
            parse_networks_file("# office\n10.0.0.0/24 Office LAN\n\n192.168.1.7/24\n").unwrap();
        assert_eq!(
            got[0],
            ("10.0.0.0/24".parse().unwrap(), "Office LAN".to_string())
        );
        assert_eq!(
            got[1],
            (
                "192.168.1.0/24".parse().unwrap(),
                "192.168.1.0/24".to_string()
            )
        );
        let err = parse_networks_file("10.0.0.0/24 a\nnope b\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("nope"), "{err}");
    }
}
