//! Pins: identities keep their ids (they travel as IPFIX applicationId), nDPI's ids are nDPI's, and the port guess
//! stays what it was.

use super::*;
use crate::engine::Endpoints;

/// Every identity xntop had when ids were pinned (2026-12), with its id. Never edit a line: an identity keeps its
/// number for ever. Add new identities to the end, or leave them out (the other tests cover them).
#[rustfmt::skip]
const PINNED: &[(&str, u16)] = &[
    ("Unknown", 0),
    ("HTTP", 7),
    ("HTTP_Connect", 130),
    ("HTTP_Proxy", 131),
    ("HTTP2", 349),
    ("TLS", 91),
    ("DTLS", 30),
    ("QUIC", 188),
    ("DNS", 5),
    ("MDNS", 8),
    ("LLMNR", 154),
    ("NetBIOS", 10),
    ("SMBv1", 16),
    ("SMBv23", 41),
    ("DHCP", 18),
    ("DHCPV6", 103),
    ("NTP", 9),
    ("SNMP", 14),
    ("SSH", 92),
    ("SMTP", 3),
    ("SMTPS", 29),
    ("POP3", 2),
    ("POPS", 23),
    ("IMAP", 4),
    ("IMAPS", 51),
    ("FTP_CONTROL", 1),
    ("FTP_DATA", 175),
    ("FTPS", 311),
    ("RESP", 182),
    ("PostgreSQL", 19),
    ("MySQL", 20),
    ("MsSQL-TDS", 114),
    ("MQTT", 222),
    ("RTP", 87),
    ("RTCP", 165),
    ("SRTP", 338),
    ("STUN", 78),
    ("SIP", 100),
    ("Kerberos", 111),
    ("LDAP", 112),
    ("RDP", 88),
    ("Syslog", 17),
    ("Telnet", 77),
    ("SSDP", 12),
    ("Service_Location_Protocol", 347),
    ("BitTorrent", 37),
    ("Gnutella", 35),
    ("Radius", 146),
    ("ICMP", 81),
    ("ICMPV6", 102),
    ("IGMP", 82),
    ("OSPF", 85),
    ("VRRP", 73),
    ("GRE", 80),
    ("IPSec", 79),
    ("SCTP", 84),
    ("OpenVPN", 159),
    ("WireGuard", 206),
    ("SOCKS", 172),
    ("RTSP", 50),
    ("RTMP", 174),
    ("VNC", 89),
    ("BGP", 13),
    ("BFD", 401),
    ("HSRP", 282),
    ("LDP", 409),
    ("LISP", 236),
    ("CAPWAP", 247),
    ("GTP", 152),
    ("GTP_C", 272),
    ("GTP_U", 271),
    ("PFCP", 405),
    ("Diameter", 237),
    ("NFS", 11),
    ("AFP", 97),
    ("AJP", 139),
    ("RSYNC", 166),
    ("Memcached", 40),
    ("Cassandra", 264),
    ("Elasticsearch", 330),
    ("Oracle", 167),
    ("MongoDB", 60),
    ("DCERPC", 370),
    ("RMCP", 351),
    ("PTPv2", 358),
    ("Roughtime", 383),
    ("Whois-DAS", 170),
    ("NetFlow", 128),
    ("sFlow", 129),
    ("IPFIX", 32768),
    ("Munin", 329),
    ("XDMCP", 15),
    ("H323", 158),
    ("CiscoSkinny", 164),
    ("Git", 226),
    ("IRC", 65),
    ("Jabber", 67),
    ("Nats", 68),
    ("AMQP", 192),
    ("STOMP", 390),
    ("COAP", 27),
    ("Modbus", 44),
    ("DNP3", 244),
    ("IEC60870", 245),
    ("BACnet", 334),
    ("S7Comm", 249),
    ("TFTP", 96),
    ("WSD", 153),
    ("TeamViewer", 148),
    ("AnyDesk", 252),
    ("Tor", 163),
    ("DNScrypt", 208),
    ("DoH_DoT", 196),
    ("ETHEREUM", 354),
    ("BITCOIN", 343),
    ("RakNet", 286),
    ("Source_Engine", 333),
    ("KCP", 385),
    ("UBNTAC2", 31),
    ("TPLINK_SHP", 332),
    ("TuyaLP", 331),
    ("Syncthing", 313),
    ("Protobuf", 353),
    ("Cloudflare", 220),
    ("CiscoVPN", 161),
    ("Ceph", 381),
    ("Tailscale", 24),
    ("Zabbix", 248),
    ("iSCSI", 32769),
    ("WebDAV", 376),
    ("Google", 126),
    ("GoogleServices", 239),
    ("GoogleCloud", 284),
    ("GoogleDrive", 217),
    ("GoogleMaps", 123),
    ("GoogleDocs", 241),
    ("GoogleMeet", 201),
    ("GoogleCall", 404),
    ("GMail", 122),
    ("PlayStore", 228),
    ("YouTube", 124),
    ("YouTubeUpload", 136),
    ("Facebook", 119),
    ("FacebookMessenger", 157),
    ("Instagram", 211),
    ("WhatsApp", 142),
    ("WhatsAppCall", 45),
    ("WhatsAppFiles", 242),
    ("NetFlix", 133),
    ("Amazon", 178),
    ("AmazonAWS", 265),
    ("AmazonAlexa", 110),
    ("AmazonVideo", 240),
    ("Microsoft", 212),
    ("Microsoft365", 219),
    ("Outlook", 21),
    ("Teams", 250),
    ("Skype_Teams", 32770),
    ("Skype_TeamsCall", 38),
    ("Azure", 276),
    ("MS_OneDrive", 221),
    ("WindowsUpdate", 147),
    ("Xbox", 47),
    ("Bing", 32771),
    ("LinkedIn", 233),
    ("Apple", 140),
    ("AppleiCloud", 143),
    ("AppleiTunes", 145),
    ("ApplePush", 238),
    ("AppleStore", 224),
    ("AppleSiri", 254),
    ("Github", 203),
    ("GitLab", 262),
    ("Zoom", 189),
    ("Webex", 141),
    ("Twitter", 120),
    ("Reddit", 205),
    ("Pinterest", 183),
    ("Tumblr", 90),
    ("Snapchat", 199),
    ("TikTok", 49),
    ("Telegram", 185),
    ("Signal", 39),
    ("Viber", 144),
    ("Discord", 58),
    ("Slack", 118),
    ("Spotify", 156),
    ("Dropbox", 121),
    ("Wikipedia", 176),
    ("Yahoo", 70),
    ("eBay", 179),
    ("Twitch", 195),
    ("Vimeo", 267),
    ("Dazn", 292),
    ("Hulu", 137),
    ("DisneyPlus", 71),
    ("Steam", 74),
    ("EpicGames", 340),
    ("RiotGames", 302),
    ("Playstation", 231),
    ("Nintendo", 173),
    ("CloudflareWarp", 300),
    ("Akamai", 32772),
    ("Fastly", 32773),
    ("Salesforce", 266),
    ("Waze", 135),
    ("DataSaver", 46),
    ("ADS_Analytic_Track", 32774),
    ("VK", 22),
    ("Yandex", 25),
    ("YandexMail", 33),
    ("YandexMusic", 34),
    ("YandexCloud", 62),
    ("YandexDisk", 32775),
    ("YandexMetrika", 98),
    ("YandexDirect", 99),
    ("YandexMarket", 32776),
    ("Sina", 200),
    ("SinaWeibo", 356),
    ("QQ", 48),
    ("WeChat", 197),
    ("Alibaba", 274),
    ("Baidu", 32777),
    ("Tencent", 285),
    ("iQIYI", 54),
    ("1kxun", 295),
    ("ntop", 26),
    ("Line", 315),
    ("Threema", 305),
    ("Xiaomi", 287),
    ("Huawei", 398),
    ("Mozilla", 125),
    ("Opera", 32778),
    ("AVAST", 307),
    ("AVASTSecureDNS", 263),
    ("Ookla", 191),
    ("Adobe", 32779),
    ("IMO", 216),
    ("Deezer", 210),
    ("SoundCloud", 234),
    ("Booking", 32780),
    ("Ubuntu", 169),
    ("Debian", 32781),
    ("AppleTVPlus", 317),
    ("Citrix", 132),
    ("Zattoo", 55),
    ("Nvidia", 342),
    ("Mullvad", 348),
    ("NordVPN", 426),
    ("Crashlytics", 275),
    ("SD-RTN", 171),
    ("TocaBoca", 155),
    ("EAQ", 190),
    ("JRMI", 416),
    ("OpenWire", 421),
    ("Thrift", 345),
];

/// (transport, port, protocol name) of every port registration when ids were pinned: the `port` guess each gave.
#[rustfmt::skip]
const PINNED_PORTS: &[(u8, u16, &str)] = &[
    (6, 80, "HTTP"),
    (6, 8080, "HTTP_Proxy"),
    (6, 3128, "HTTP_Proxy"),
    (6, 443, "TLS"),
    (6, 8443, "TLS"),
    (17, 443, "QUIC"),
    (17, 53, "DNS"),
    (6, 53, "DNS"),
    (17, 5353, "MDNS"),
    (17, 5355, "LLMNR"),
    (6, 22, "SSH"),
    (6, 21, "FTP_CONTROL"),
    (6, 20, "FTP_DATA"),
    (6, 25, "SMTP"),
    (6, 587, "SMTP"),
    (6, 465, "SMTPS"),
    (6, 110, "POP3"),
    (6, 995, "POPS"),
    (6, 143, "IMAP"),
    (6, 993, "IMAPS"),
    (6, 23, "Telnet"),
    (6, 3389, "RDP"),
    (17, 3389, "RDP"),
    (6, 5900, "VNC"),
    (6, 6379, "RESP"),
    (6, 5432, "PostgreSQL"),
    (6, 3306, "MySQL"),
    (6, 1433, "MsSQL-TDS"),
    (6, 1521, "Oracle"),
    (6, 27017, "MongoDB"),
    (6, 1883, "MQTT"),
    (6, 8883, "MQTT"),
    (6, 389, "LDAP"),
    (17, 389, "LDAP"),
    (6, 88, "Kerberos"),
    (17, 88, "Kerberos"),
    (6, 139, "NetBIOS"),
    (17, 137, "NetBIOS"),
    (17, 138, "NetBIOS"),
    (6, 445, "SMBv23"),
    (17, 67, "DHCP"),
    (17, 68, "DHCP"),
    (17, 546, "DHCPV6"),
    (17, 547, "DHCPV6"),
    (17, 123, "NTP"),
    (17, 161, "SNMP"),
    (17, 162, "SNMP"),
    (17, 514, "Syslog"),
    (6, 514, "Syslog"),
    (17, 1900, "SSDP"),
    (17, 427, "Service_Location_Protocol"),
    (6, 427, "Service_Location_Protocol"),
    (17, 1812, "Radius"),
    (17, 1813, "Radius"),
    (17, 1645, "Radius"),
    (17, 1646, "Radius"),
    (17, 3478, "STUN"),
    (6, 3478, "STUN"),
    (17, 19302, "STUN"),
    (17, 5060, "SIP"),
    (6, 5060, "SIP"),
    (6, 5061, "SIP"),
    (17, 500, "IPSec"),
    (17, 4500, "IPSec"),
    (17, 1194, "OpenVPN"),
    (6, 1194, "OpenVPN"),
    (17, 51820, "WireGuard"),
    (6, 1080, "SOCKS"),
    (6, 554, "RTSP"),
    (6, 1935, "RTMP"),
    (6, 179, "BGP"),
    (17, 3784, "BFD"),
    (17, 1985, "HSRP"),
    (17, 646, "LDP"),
    (6, 646, "LDP"),
    (17, 5246, "CAPWAP"),
    (17, 5247, "CAPWAP"),
    (17, 2123, "GTP_C"),
    (17, 2152, "GTP_U"),
    (17, 8805, "PFCP"),
    (6, 3868, "Diameter"),
    (6, 2049, "NFS"),
    (17, 2049, "NFS"),
    (6, 548, "AFP"),
    (6, 8009, "AJP"),
    (6, 873, "RSYNC"),
    (17, 11211, "Memcached"),
    (6, 11211, "Memcached"),
    (6, 9042, "Cassandra"),
    (6, 9200, "Elasticsearch"),
    (6, 135, "DCERPC"),
    (17, 623, "RMCP"),
    (17, 319, "PTPv2"),
    (17, 320, "PTPv2"),
    (17, 2002, "Roughtime"),
    (6, 43, "Whois-DAS"),
    (17, 2055, "NetFlow"),
    (17, 6343, "sFlow"),
    (17, 4739, "IPFIX"),
    (6, 4949, "Munin"),
    (17, 177, "XDMCP"),
    (6, 1720, "H323"),
    (6, 2000, "CiscoSkinny"),
    (6, 9418, "Git"),
    (6, 6667, "IRC"),
    (6, 5222, "Jabber"),
    (6, 4222, "Nats"),
    (6, 5672, "AMQP"),
    (6, 61613, "STOMP"),
    (17, 5683, "COAP"),
    (6, 502, "Modbus"),
    (6, 20000, "DNP3"),
    (6, 2404, "IEC60870"),
    (17, 47808, "BACnet"),
    (6, 102, "S7Comm"),
    (17, 69, "TFTP"),
    (17, 3702, "WSD"),
    (6, 5938, "TeamViewer"),
    (6, 7070, "AnyDesk"),
    (6, 9001, "Tor"),
    (6, 853, "DoH_DoT"),
    (17, 853, "DoH_DoT"),
    (6, 30303, "ETHEREUM"),
    (17, 30303, "ETHEREUM"),
    (6, 8333, "BITCOIN"),
    (17, 27015, "Source_Engine"),
    (17, 10001, "UBNTAC2"),
    (6, 9999, "TPLINK_SHP"),
    (17, 6667, "TuyaLP"),
    (17, 21027, "Syncthing"),
    (6, 22000, "Syncthing"),
    (6, 6789, "Ceph"),
    (6, 3260, "iSCSI"),
    (6, 10050, "Zabbix"),
    (6, 6881, "BitTorrent"),
    (17, 6881, "BitTorrent"),
    (6, 5222, "Jabber"),
];

/// nDPI's protocol list: (id, enumerator, name) of every row; the name is empty when the list has none.
fn ndpi() -> Vec<(u16, &'static str, &'static str)> {
    include_str!("../../data/ndpi_protocols.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id\t"))
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.parse().ok()?, f.next()?, f.next()?))
        })
        .collect()
}

/// Enumerators nDPI renamed after the edition the list's names come from: their names are the old ones.
const RENAMED: &[&str] = &[
    "RESP",
    "THRIFT",
    "HCL_NOTES",
    "CANONICAL",
    "FACEBOOK_MESSENGER",
    "GOOGLE_MEET",
    "MSTEAMS_CALL",
];

#[test]
fn pinned_ids_never_change() {
    for &(name, id) in PINNED {
        let p = Proto::from_name(name).unwrap_or_else(|| panic!("{name} is no longer declared"));
        assert_eq!(p.id(), id, "{name} was renumbered");
        assert_eq!(Proto::from_id(id), Some(p));
    }
}

#[test]
fn ids_and_names_are_unique() {
    let all: Vec<&Identity> = declarations().collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(
                a.proto,
                b.proto,
                "id {} declared by {} and {}",
                a.proto.id(),
                a.name,
                b.name
            );
            assert_ne!(a.name, b.name, "{} declared twice", a.name);
        }
    }
    assert_eq!(Proto::all().len(), all.len());
}

#[test]
fn ndpi_names_carry_ndpi_ids_and_the_rest_are_ours() {
    let ndpi = ndpi();
    assert!(ndpi.len() > 400, "the nDPI list was not read");
    for i in declarations() {
        let id = i.proto.id();
        // A name nDPI has must carry nDPI's id.
        if let Some(&(nid, _, _)) = ndpi.iter().find(|(_, _, n)| n.eq_ignore_ascii_case(i.name)) {
            assert_eq!(id, nid, "{} is nDPI's id {nid}", i.name);
        }
        match ndpi.iter().find(|&&(nid, _, _)| nid == id) {
            // An nDPI id: same name, or a row whose name the list does not give (or gives as it was before a rename).
            Some(&(_, e, n)) => assert!(
                n.is_empty() || n.eq_ignore_ascii_case(i.name) || RENAMED.contains(&e),
                "{} ({id}) takes the id of nDPI's {n}",
                i.name
            ),
            None => assert!(
                XNTOP_IDS.contains(&id),
                "{} ({id}) is neither nDPI's nor in the xntop range",
                i.name
            ),
        }
    }
}

#[test]
fn names_round_trip() {
    for &p in Proto::all() {
        assert_eq!(Proto::from_name(p.name()), Some(p));
        assert_eq!(p.identity().map(|i| i.proto), Some(p));
    }
    assert_eq!(Proto::default(), Proto::Unknown);
    assert_eq!(Proto::Unknown.name(), "Unknown");
    assert_eq!(Proto::from_declared_id(0x7fff).name(), "Unknown");
    assert_eq!(format!("{:?}", Proto::Tls), "TLS(91)");
}

#[test]
fn each_port_and_ip_protocol_is_registered_once() {
    let mut seen = std::collections::HashMap::new();
    for i in declarations() {
        let regs = i
            .tcp_ports
            .iter()
            .map(|&p| (6u16, p))
            .chain(i.udp_ports.iter().map(|&p| (17, p)))
            .chain(i.ip_protocols.iter().map(|&n| (0, u16::from(n))));
        for key in regs {
            if let Some(other) = seen.insert(key, i.name) {
                panic!("{key:?} registered by {other} and {}", i.name);
            }
        }
    }
}

#[test]
fn pinned_port_guesses_hold() {
    for &(l4, port, name) in PINNED_PORTS {
        let ep = Endpoints {
            l4,
            client: [10, 0, 0, 1].into(),
            server: [10, 0, 0, 2].into(),
            client_port: 1,
            server_port: port,
        };
        assert_eq!(
            crate::registry::guess(&ep).map(Proto::name),
            Some(name),
            "{l4}/{port}"
        );
    }
}
