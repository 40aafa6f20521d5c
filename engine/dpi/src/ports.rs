//! Registered ports: the `port` guess for flows no content dissector recognised, and the services TLS is the
//! transport of on their well-known ports (SMTPS on 465, IMAPS on 993, …).

use crate::engine::Endpoints;
use crate::proto::Proto;

/// (transport, port, protocol): IANA registrations and the de-facto ports of common services.
#[rustfmt::skip]
const PORTS: &[(u8, u16, Proto)] = &[
    (6, 80, Proto::Http), (6, 8080, Proto::HttpProxy), (6, 3128, Proto::HttpProxy), (6, 443, Proto::Tls),
    (6, 8443, Proto::Tls), (17, 443, Proto::Quic), (17, 53, Proto::Dns), (6, 53, Proto::Dns),
    (17, 5353, Proto::Mdns), (17, 5355, Proto::Llmnr), (6, 22, Proto::Ssh), (6, 21, Proto::FtpControl),
    (6, 20, Proto::FtpData), (6, 25, Proto::Smtp), (6, 587, Proto::Smtp), (6, 465, Proto::Smtps),
    (6, 110, Proto::Pop3), (6, 995, Proto::Pops), (6, 143, Proto::Imap), (6, 993, Proto::Imaps),
    (6, 23, Proto::Telnet), (6, 3389, Proto::Rdp), (17, 3389, Proto::Rdp), (6, 5900, Proto::Vnc),
    (6, 6379, Proto::Resp), (6, 5432, Proto::PostgreSql), (6, 3306, Proto::MySql), (6, 1433, Proto::MsSqlTds),
    (6, 1521, Proto::Oracle), (6, 27017, Proto::MongoDb), (6, 1883, Proto::Mqtt), (6, 8883, Proto::Mqtt),
    (6, 389, Proto::Ldap), (17, 389, Proto::Ldap), (6, 88, Proto::Kerberos), (17, 88, Proto::Kerberos),
    (6, 139, Proto::NetBios), (17, 137, Proto::NetBios), (17, 138, Proto::NetBios), (6, 445, Proto::SmbV23),
    (17, 67, Proto::Dhcp), (17, 68, Proto::Dhcp), (17, 546, Proto::DhcpV6), (17, 547, Proto::DhcpV6),
    (17, 123, Proto::Ntp), (17, 161, Proto::Snmp), (17, 162, Proto::Snmp), (17, 514, Proto::Syslog),
    (6, 514, Proto::Syslog), (17, 1900, Proto::Ssdp), (17, 427, Proto::Slp), (6, 427, Proto::Slp),
    (17, 1812, Proto::Radius), (17, 1813, Proto::Radius), (17, 1645, Proto::Radius), (17, 1646, Proto::Radius),
    (17, 3478, Proto::Stun), (6, 3478, Proto::Stun), (17, 19302, Proto::Stun), (17, 5060, Proto::Sip),
    (6, 5060, Proto::Sip), (6, 5061, Proto::Sip), (17, 500, Proto::IpSec), (17, 4500, Proto::IpSec),
    (17, 1194, Proto::OpenVpn), (6, 1194, Proto::OpenVpn), (17, 51820, Proto::WireGuard),
    (6, 1080, Proto::Socks), (6, 554, Proto::Rtsp), (6, 1935, Proto::Rtmp), (6, 179, Proto::Bgp),
    (17, 3784, Proto::Bfd), (17, 1985, Proto::Hsrp), (17, 646, Proto::Ldp), (6, 646, Proto::Ldp),
    (17, 5246, Proto::Capwap), (17, 5247, Proto::Capwap), (17, 2123, Proto::GtpC), (17, 2152, Proto::GtpU),
    (17, 8805, Proto::Pfcp), (6, 3868, Proto::Diameter), (6, 2049, Proto::Nfs), (17, 2049, Proto::Nfs),
    (6, 548, Proto::Afp), (6, 8009, Proto::Ajp), (6, 873, Proto::Rsync), (17, 11211, Proto::Memcached),
    (6, 11211, Proto::Memcached), (6, 9042, Proto::Cassandra), (6, 9200, Proto::Elasticsearch),
    (6, 135, Proto::DceRpc), (17, 623, Proto::Rmcp), (17, 319, Proto::PtpV2), (17, 320, Proto::PtpV2),
    (17, 2002, Proto::Roughtime), (6, 43, Proto::WhoisDas), (17, 2055, Proto::NetFlow), (17, 6343, Proto::SFlow),
    (17, 4739, Proto::Ipfix), (6, 4949, Proto::Munin), (17, 177, Proto::Xdmcp), (6, 1720, Proto::H323),
    (6, 2000, Proto::CiscoSkinny), (6, 9418, Proto::Git), (6, 6667, Proto::Irc), (6, 5222, Proto::Xmpp),
    (6, 4222, Proto::Nats), (6, 5672, Proto::Amqp), (6, 61613, Proto::Stomp), (17, 5683, Proto::Coap),
    (6, 502, Proto::Modbus), (6, 20000, Proto::Dnp3), (6, 2404, Proto::Iec60870), (17, 47808, Proto::BacNet),
    (6, 102, Proto::S7Comm), (17, 69, Proto::Tftp), (17, 3702, Proto::Wsd), (6, 5938, Proto::TeamViewer),
    (6, 7070, Proto::AnyDesk), (6, 9001, Proto::Tor), (6, 853, Proto::DohDot), (17, 853, Proto::DohDot),
    (6, 30303, Proto::Ethereum), (17, 30303, Proto::Ethereum), (6, 8333, Proto::Bitcoin),
    (17, 27015, Proto::SourceEngine), (17, 10001, Proto::Ubntac2), (6, 9999, Proto::TplinkShp),
    (17, 6667, Proto::TuyaLp), (17, 21027, Proto::Syncthing), (6, 22000, Proto::Syncthing),
    (6, 6789, Proto::Ceph), (6, 3260, Proto::Iscsi), (6, 10050, Proto::Zabbix), (6, 6881, Proto::BitTorrent),
    (17, 6881, Proto::BitTorrent), (6, 5222, Proto::Xmpp),
];

/// The protocol registered on the flow's server port (else its client port), for flows DPI could not name.
#[must_use]
pub fn guess(ep: &Endpoints) -> Option<Proto> {
    let find = |port: u16| {
        PORTS
            .iter()
            .find(|&&(l4, p, _)| l4 == ep.l4 && p == port)
            .map(|&(_, _, proto)| proto)
    };
    find(ep.server_port).or_else(|| find(ep.client_port))
}

/// TLS on a service's implicit-TLS port is that service (nDPI's convention: SMTPS, IMAPS, POPS, FTPS, DoT).
#[must_use]
pub fn tls_service(master: Proto, ep: &Endpoints) -> Proto {
    if master != Proto::Tls {
        return master;
    }
    match ep.server_port {
        465 => Proto::Smtps,
        993 => Proto::Imaps,
        995 => Proto::Pops,
        990 => Proto::Ftps,
        _ => master,
    }
}
