//! Whether a live interface is a dedicated capture port or one the host itself uses.
//!
//! AF_XDP redirects every frame to its socket and the kernel never sees it: right on a span or tap port, fatal on
//! the machine's own interface (its pings, its TCP connections stop). An interface is dedicated when nothing on
//! the host sends or expects traffic through it: no IPv4 address, no IPv6 address but link-local ones (fe80::/10,
//! which the kernel gives every interface that is up, a span port included), no route through it, not loopback,
//! not enslaved to a bridge, bond, team or VRF (it then carries the master's traffic), and no device stacked on it
//! (VLAN, macvlan, …) that the host uses by the same rules.
//!
//! [`InterfaceFacts::gather`] reads the facts (getifaddrs, `/proc/net/route`, `/proc/net/ipv6_route`, sysfs);
//! [`host_use`] decides over them and says why.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// How deep stacked devices are followed (a VLAN on a bond on a NIC is 2).
const MAX_UPPER_DEPTH: usize = 4;

/// What the host does with an interface, as far as capture cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceFacts {
    pub name: String,
    pub loopback: bool,
    /// Every address on the interface, IPv6 link-local ones included.
    pub addresses: Vec<IpAddr>,
    /// Destinations of the routes whose device is this interface (IPv4 main table, every IPv6 table).
    pub routes: Vec<IpNet>,
    /// The bridge, bond, team or VRF the interface is enslaved to.
    pub master: Option<String>,
    /// Devices stacked on this one (VLANs, macvlans, …) other than its master, with their own facts.
    pub uppers: Vec<InterfaceFacts>,
}

/// Why the host uses an interface: the first reason found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostUse {
    Loopback,
    Address(IpAddr),
    Route(IpNet),
    Master(String),
    /// A device stacked on it is in use.
    Upper {
        upper: String,
        why: Box<HostUse>,
    },
    /// The facts could not be read (the error): counted as use, the safe side.
    Unknown(String),
}

impl fmt::Display for HostUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Loopback => write!(f, "is the loopback interface"),
            Self::Address(a) => write!(f, "has address {a}"),
            Self::Route(r) => write!(f, "carries route {r}"),
            Self::Master(m) => write!(f, "is enslaved to {m}"),
            Self::Upper { upper, why } => write!(f, "carries {upper}, which {why}"),
            Self::Unknown(e) => write!(f, "could not be checked for host use ({e})"),
        }
    }
}

/// Link-local IPv6 (fe80::/10): every interface that is up gets one, so it says nothing about host use.
fn link_local_v6(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// Routes every IPv6 interface has, address or not: link-local (fe80::/10) and multicast (ff00::/8).
fn automatic_route(r: &IpNet) -> bool {
    match r {
        IpNet::V4(_) => false,
        IpNet::V6(n) => link_local_v6(&n.addr()) || n.addr().segments()[0] & 0xff00 == 0xff00,
    }
}

/// Why the host uses the interface, or `None` when it is a dedicated capture port.
#[must_use]
pub fn host_use(f: &InterfaceFacts) -> Option<HostUse> {
    if f.loopback {
        return Some(HostUse::Loopback);
    }
    let address = f.addresses.iter().find(|a| match a {
        IpAddr::V4(_) => true,
        IpAddr::V6(v6) => !link_local_v6(v6),
    });
    if let Some(a) = address {
        return Some(HostUse::Address(*a));
    }
    if let Some(r) = f.routes.iter().find(|r| !automatic_route(r)) {
        return Some(HostUse::Route(*r));
    }
    if let Some(m) = &f.master {
        return Some(HostUse::Master(m.clone()));
    }
    f.uppers.iter().find_map(|u| {
        host_use(u).map(|why| HostUse::Upper {
            upper: u.name.clone(),
            why: Box::new(why),
        })
    })
}

impl InterfaceFacts {
    /// Reads the facts of interface `name` from the kernel.
    ///
    /// # Errors
    /// When the interface's addresses cannot be listed (getifaddrs failed); missing sysfs or /proc files count as
    /// "nothing there".
    pub fn gather(name: &str) -> std::io::Result<Self> {
        let addresses = addresses()?;
        let routes = routes();
        Ok(Self::gather_with(
            name,
            &addresses,
            &routes,
            MAX_UPPER_DEPTH,
        ))
    }

    fn gather_with(
        name: &str,
        addresses: &[(String, IpAddr)],
        routes: &[(String, IpNet)],
        depth: usize,
    ) -> Self {
        let sys = std::path::Path::new("/sys/class/net").join(name);
        // IFF_LOOPBACK in the interface's flags (hex in sysfs).
        let loopback = std::fs::read_to_string(sys.join("flags"))
            .ok()
            .and_then(|s| u32::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok())
            .is_some_and(|flags| flags & 0x8 != 0);
        let master = std::fs::read_link(sys.join("master"))
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        let uppers = if depth == 0 {
            Vec::new()
        } else {
            std::fs::read_dir(&sys)
                .map(|dir| {
                    dir.filter_map(Result::ok)
                        .filter_map(|e| {
                            let n = e.file_name().to_string_lossy().into_owned();
                            n.strip_prefix("upper_").map(String::from)
                        })
                        .filter(|u| Some(u) != master.as_ref())
                        .map(|u| Self::gather_with(&u, addresses, routes, depth - 1))
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            name: name.to_string(),
            loopback,
            addresses: addresses
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, a)| *a)
                .collect(),
            routes: routes
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, r)| *r)
                .collect(),
            master,
            uppers,
        }
    }
}

/// Every IP address of every interface: (interface, address).
fn addresses() -> std::io::Result<Vec<(String, IpAddr)>> {
    let list = nix::ifaddrs::getifaddrs().map_err(std::io::Error::from)?;
    Ok(list
        .filter_map(|ifa| {
            let a = ifa.address?;
            let ip = if let Some(v4) = a.as_sockaddr_in() {
                IpAddr::V4(v4.ip())
            } else {
                IpAddr::V6(a.as_sockaddr_in6()?.ip())
            };
            Some((ifa.interface_name, ip))
        })
        .collect())
}

/// Every route's (device, destination), IPv4 and IPv6; an unreadable table counts as empty.
fn routes() -> Vec<(String, IpNet)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let mut all = parse_ipv4_routes(&read("/proc/net/route"));
    all.extend(parse_ipv6_routes(&read("/proc/net/ipv6_route")));
    all
}

/// `/proc/net/route`: a header line, then `Iface Destination Gateway Flags RefCnt Use Metric Mask …` with the
/// destination and mask as little-endian hex.
fn parse_ipv4_routes(text: &str) -> Vec<(String, IpNet)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let hex = |s: &str| u32::from_str_radix(s, 16).ok();
            let (dest, mask) = (hex(f.get(1)?)?, hex(f.get(7)?)?);
            let addr = Ipv4Addr::from(dest.swap_bytes().to_be_bytes());
            let len = u8::try_from(mask.count_ones()).ok()?;
            Some((f[0].to_string(), IpNet::V4(Ipv4Net::new(addr, len).ok()?)))
        })
        .collect()
}

/// `/proc/net/ipv6_route`: `dest dest_len src src_len next_hop metric refcnt use flags device`, addresses as 32
/// hex digits, lengths as hex.
fn parse_ipv6_routes(text: &str) -> Vec<(String, IpNet)> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 {
                return None;
            }
            let addr = u128::from_str_radix(f[0], 16).ok()?;
            let len = u8::from_str_radix(f[1], 16).ok()?;
            let net = Ipv6Net::new(Ipv6Addr::from(addr), len).ok()?;
            Some((f[9].to_string(), IpNet::V6(net)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    /// Read from a Debian VM: eth0 with 192.0.2.0/24 and a default route.
    const ROUTE: &str =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT \n\
        eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
        eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

    /// The same VM: fd00::/64 with a default route on eth0, link-local and multicast routes, lo's routes.
    const IPV6_ROUTE: &str = "\
fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
fe8000000000000000fc00fffe000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0
ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0
";

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn span_port() -> InterfaceFacts {
        InterfaceFacts {
            name: "eth1".into(),
            addresses: vec![ip("fe80::1")],
            routes: vec![net("fe80::/64"), net("ff00::/8"), net("fe80::1/128")],
            ..InterfaceFacts::default()
        }
    }

    #[test]
    fn parses_the_ipv4_table() {
        assert_eq!(
            parse_ipv4_routes(ROUTE),
            vec![
                ("eth0".into(), net("0.0.0.0/0")),
                ("eth0".into(), net("192.0.2.0/24"))
            ]
        );
        assert!(parse_ipv4_routes("").is_empty());
        assert!(parse_ipv4_routes("header\neth0 zz").is_empty());
    }

    #[test]
    fn parses_the_ipv6_table() {
        let r = parse_ipv6_routes(IPV6_ROUTE);
        assert_eq!(r.len(), 6);
        assert_eq!(r[0], ("eth0".into(), net("fd00::/64")));
        assert_eq!(r[2], ("eth0".into(), net("::/0")));
        assert_eq!(r[3], ("lo".into(), net("::1/128")));
        assert_eq!(r[4], ("eth0".into(), net("fe80::fc:ff:fe00:1/128")));
        assert_eq!(r[5], ("eth0".into(), net("ff00::/8")));
        assert!(parse_ipv6_routes("fe80 zz").is_empty());
    }

    #[test]
    fn a_span_port_with_only_link_local_ipv6_is_dedicated() {
        assert_eq!(host_use(&span_port()), None);
        assert_eq!(host_use(&InterfaceFacts::default()), None);
    }

    #[test]
    fn any_ipv4_or_non_link_local_ipv6_address_means_host_use() {
        let mut f = span_port();
        f.addresses.push(ip("10.0.0.5"));
        assert_eq!(host_use(&f), Some(HostUse::Address(ip("10.0.0.5"))));
        let mut f = span_port();
        f.addresses.push(ip("2001:db8::5"));
        assert_eq!(
            host_use(&f).map(|u| u.to_string()),
            Some("has address 2001:db8::5".into())
        );
        // febf:: is still link-local (fe80::/10); fec0:: is not.
        let mut f = span_port();
        f.addresses = vec![ip("febf::1")];
        assert_eq!(host_use(&f), None);
        f.addresses = vec![ip("fec0::1")];
        assert!(host_use(&f).is_some());
    }

    #[test]
    fn a_route_through_an_address_less_interface_means_host_use() {
        let mut f = span_port();
        f.routes.push(net("10.9.0.0/16"));
        assert_eq!(
            host_use(&f).map(|u| u.to_string()),
            Some("carries route 10.9.0.0/16".into())
        );
        let mut f = span_port();
        f.routes.push(net("::/0"));
        assert!(host_use(&f).is_some());
    }

    #[test]
    fn loopback_and_enslaved_interfaces_are_host_use() {
        let mut f = span_port();
        f.loopback = true;
        assert_eq!(host_use(&f), Some(HostUse::Loopback));
        let mut f = span_port();
        f.master = Some("br0".into());
        assert_eq!(
            host_use(&f).map(|u| u.to_string()),
            Some("is enslaved to br0".into())
        );
    }

    #[test]
    fn a_used_vlan_on_top_makes_the_lower_device_used() {
        let mut vlan = span_port();
        vlan.name = "eth1.100".into();
        let mut f = span_port();
        f.uppers.push(vlan.clone());
        assert_eq!(host_use(&f), None, "an unused VLAN leaves it dedicated");
        vlan.addresses.push(ip("10.1.0.1"));
        f.uppers.push(vlan);
        assert_eq!(
            host_use(&f).map(|u| u.to_string()),
            Some("carries eth1.100, which has address 10.1.0.1".into())
        );
    }

    #[test]
    fn gathers_the_loopback_interface() {
        let Ok(lo) = InterfaceFacts::gather("lo") else {
            return;
        };
        assert!(lo.loopback);
        assert_eq!(host_use(&lo), Some(HostUse::Loopback));
    }
}
