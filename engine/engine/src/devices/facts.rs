//! What flows teach about devices, on its way from the workers to the aggregator's inventory: facts from DPI
//! metadata (DHCP host name, vendor class and option list, HTTP User-Agent, mDNS names), gathered with the names
//! each flow teaches (once per flow, when it first has them), and the SYN fingerprints of new TCP flows.

use std::net::IpAddr;

use xntop_flow::Mac;
use xntop_model::L7Meta;
use xntop_wire::syn::SynSig;

/// Facts one report holds at most; more are counted and left out (the next flow that tells them tells them again).
pub const MAX_REPORT_FACTS: usize = 1 << 12;
/// SYN samples one report holds at most.
pub const MAX_REPORT_SYNS: usize = 1 << 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FactKind {
    DhcpHostname,
    DhcpVendorClass,
    DhcpFingerprint,
    UserAgent,
    /// A name a host probed for or announced over mDNS (`name.local`).
    MdnsName,
}

/// One fact about the sender of a flow (its client).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub ip: IpAddr,
    pub mac: Mac,
    /// First packet time of the flow that told it.
    pub ts_ns: u64,
    pub kind: FactKind,
    pub value: Box<str>,
}

/// The SYN of a new TCP flow, from its client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynSample {
    pub ip: IpAddr,
    pub mac: Mac,
    pub ts_ns: u64,
    pub sig: SynSig,
    pub window: u16,
    pub payload: bool,
}

/// mDNS query type ANY: what a host sends to probe for the name it is about to claim (RFC 6762 §8.1).
const QTYPE_ANY: u16 = 255;

/// DHCP's ports: options describe the client only in what it sends from 68 (a server's reply from 67 may echo
/// the client's host name).
pub const DHCP_CLIENT_PORT: u16 = 68;
pub const DHCP_SERVER_PORT: u16 = 67;

/// The facts a DHCP client message (its UDP payload) holds about its sender, in a fixed order.
pub fn dhcp_facts(payload: &[u8], mut f: impl FnMut(FactKind, &str)) {
    let o = xntop_dpi::protocols::dhcp::parser::client_options(payload);
    let mut list = [0u8; 1024];
    let n = o.parameter_list.map_or(0, |l| {
        xntop_dpi::protocols::dhcp::parser::fingerprint(l, &mut list)
    });
    for (kind, v) in [
        (FactKind::DhcpHostname, o.host_name.unwrap_or(&[])),
        (FactKind::DhcpVendorClass, o.vendor_class.unwrap_or(&[])),
        (FactKind::DhcpFingerprint, &list[..n]),
    ] {
        // Printable ASCII only, like the flow record's fields.
        if !v.is_empty() && v.iter().all(|b| (0x20..0x7f).contains(b)) {
            f(kind, std::str::from_utf8(v).unwrap_or(""));
        }
    }
}

/// The facts `meta` holds about a flow's client (DHCP's come per message, [`dhcp_facts`]).
pub fn facts(meta: &L7Meta, mut f: impl FnMut(FactKind, &str)) {
    if let Some(ua) = meta.user_agent.as_deref().filter(|v| !v.is_empty()) {
        f(FactKind::UserAgent, ua);
    }
    // An mDNS probe (type ANY, RFC 6762 §8.1) is for a record the prober is about to claim: its host name
    // (`host.local`) or one of its service instances (`Name._service._tcp.local`, named after the host by
    // Bonjour and Avahi). Other queries and reverse names say nothing about the sender.
    if let Some(q) = meta.dns_query.as_deref() {
        let own = meta.dns_qtype == Some(QTYPE_ANY) && q.ends_with(".local") && !q.starts_with('_');
        if own {
            f(FactKind::MdnsName, q);
        }
    }
}

/// How many facts `meta` holds.
pub fn count(meta: &L7Meta) -> u8 {
    let mut n = 0u8;
    facts(meta, |_, _| n = n.saturating_add(1));
    n
}

/// A device name and the service type from an mDNS probe name: `brother-printer.local` → (`brother-printer`,
/// none); `brother-printer [00:80:77:2e:05:06]._workstation._tcp.local` → (`brother-printer`,
/// `_workstation._tcp`).
pub fn mdns_name(q: &str) -> (&str, Option<&str>) {
    let q = q.trim_end_matches(".local");
    match q.split_once("._") {
        Some((instance, service)) => {
            // Avahi's workstation instances end with the MAC in brackets.
            let name = instance.split(" [").next().unwrap_or(instance).trim();
            (
                name,
                Some(&q[instance.len() + 1..]).filter(|_| !service.is_empty()),
            )
        }
        None => (q, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A BusyBox udhcpc DISCOVER's BOOTP body and options (host name, vendor class, request list), as recorded in
    /// pcaps/devices.
    #[test]
    fn facts_of_dhcp_http_and_mdns() {
        let mut p = vec![0u8; 236];
        p[0] = 1;
        p.extend_from_slice(&[0x63, 0x82, 0x53, 0x63, 53, 1, 1]);
        p.extend_from_slice(&[12, 10]);
        p.extend_from_slice(b"kitchen-pi");
        p.extend_from_slice(&[60, 12]);
        p.extend_from_slice(b"udhcp 1.35.0");
        p.extend_from_slice(&[55, 7, 1, 3, 6, 12, 15, 28, 42, 255]);
        let mut got = Vec::new();
        dhcp_facts(&p, |k, v| got.push((k, v.to_string())));
        assert_eq!(
            got,
            [
                (FactKind::DhcpHostname, "kitchen-pi".to_string()),
                (FactKind::DhcpVendorClass, "udhcp 1.35.0".to_string()),
                (FactKind::DhcpFingerprint, "1,3,6,12,15,28,42".to_string()),
            ]
        );
        let ua = L7Meta {
            user_agent: Some("curl/7.88.1".into()),
            dhcp_hostname: Some("ignored here".into()),
            ..L7Meta::default()
        };
        assert_eq!(count(&ua), 1);
        let probe = L7Meta {
            dns_query: Some("printer.local".into()),
            dns_qtype: Some(255),
            ..L7Meta::default()
        };
        assert_eq!(count(&probe), 1);
        let browse = L7Meta {
            dns_query: Some("_ipp._tcp.local".into()),
            dns_qtype: Some(255),
            ..L7Meta::default()
        };
        assert_eq!(count(&browse), 0);
        let lookup = L7Meta {
            dns_query: Some("printer.local".into()),
            dns_qtype: Some(1),
            ..L7Meta::default()
        };
        assert_eq!(count(&lookup), 0);
        let reverse = L7Meta {
            dns_query: Some("20.0.78.10.in-addr.arpa".into()),
            dns_qtype: Some(255),
            ..L7Meta::default()
        };
        assert_eq!(count(&reverse), 0);
        assert_eq!(mdns_name("printer.local"), ("printer", None));
        assert_eq!(
            mdns_name("brother-printer [00:80:77:2e:05:06]._workstation._tcp.local"),
            ("brother-printer", Some("_workstation._tcp"))
        );
        assert_eq!(
            mdns_name("Living Room._airplay._tcp.local"),
            ("Living Room", Some("_airplay._tcp"))
        );
    }
}
