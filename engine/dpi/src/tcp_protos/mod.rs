//! Content dissectors for TCP services: databases, mail, remote access, messaging.

use crate::packet::Dissector;
use crate::proto::Proto;

mod util;

mod afp;
mod ajp;
mod amqp;
mod bittorrent;
mod dcerpc;
mod ftp;
mod git;
mod imap;
mod irc;
mod jabber;
mod jrmi;
mod ldap;
mod mqtt;
mod mysql;
mod nats;
mod openwire;
mod oracle;
mod pop3;
mod postgres;
mod rdp;
mod resp;
mod rtmp;
mod rtsp;
mod smtp;
mod socks;
mod ssh;
mod stomp;
mod tds;
mod telnet;
mod thrift;
mod vnc;
mod whois;
mod zabbix;

const fn tcp(
    proto: Proto,
    ports: &'static [u16],
    detect: fn(&crate::packet::Pkt) -> crate::packet::Verdict,
) -> Dissector {
    Dissector {
        proto,
        tcp: true,
        udp: false,
        ports,
        detect,
    }
}

/// Every dissector of this module.
pub const DISSECTORS: &[Dissector] = &[
    tcp(Proto::Ssh, &[22], ssh::detect),
    tcp(Proto::FtpControl, &[21], ftp::detect),
    tcp(Proto::Smtp, &[25, 587], smtp::detect),
    tcp(Proto::Pop3, &[110], pop3::detect),
    tcp(Proto::Imap, &[143], imap::detect),
    tcp(Proto::Resp, &[6379], resp::detect),
    tcp(Proto::PostgreSql, &[5432], postgres::detect),
    tcp(Proto::MySql, &[3306], mysql::detect),
    tcp(Proto::MsSqlTds, &[1433], tds::detect),
    tcp(Proto::Mqtt, &[1883, 8883], mqtt::detect),
    tcp(Proto::Ldap, &[389], ldap::detect),
    tcp(Proto::Rdp, &[3389], rdp::detect),
    tcp(Proto::Telnet, &[23], telnet::detect),
    tcp(Proto::Vnc, &[5900, 5901], vnc::detect),
    tcp(Proto::Socks, &[1080], socks::detect),
    tcp(Proto::Rtsp, &[554, 8554], rtsp::detect),
    tcp(Proto::Rtmp, &[1935], rtmp::detect),
    Dissector {
        proto: Proto::BitTorrent,
        tcp: true,
        udp: true,
        ports: &[6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889],
        detect: bittorrent::detect,
    },
    tcp(Proto::Git, &[9418], git::detect),
    tcp(Proto::Ajp, &[8009], ajp::detect),
    tcp(Proto::DceRpc, &[135], dcerpc::detect),
    tcp(Proto::Oracle, &[1521], oracle::detect),
    tcp(Proto::Jrmi, &[1099], jrmi::detect),
    tcp(Proto::WhoisDas, &[43, 4343], whois::detect),
    tcp(Proto::Amqp, &[5672], amqp::detect),
    tcp(Proto::Zabbix, &[10050, 10051], zabbix::detect),
    tcp(Proto::Stomp, &[61613], stomp::detect),
    tcp(Proto::Nats, &[4222], nats::detect),
    tcp(Proto::Irc, &[6667], irc::detect),
    tcp(Proto::Xmpp, &[5222, 5269], jabber::detect),
    tcp(Proto::OpenWire, &[61616], openwire::detect),
    tcp(Proto::Thrift, &[9090], thrift::detect),
    tcp(Proto::Afp, &[548], afp::detect),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{Dir, Pkt, L4};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn no_panic_on_random_bytes(
            payload in proptest::collection::vec(any::<u8>(), 1..1600),
            to_server in any::<bool>(),
            udp in any::<bool>(),
            seen in any::<[u16; 2]>(),
            ports in any::<(u16, u16)>(),
        ) {
            let pkt = Pkt {
                payload: &payload,
                dir: if to_server { Dir::ToServer } else { Dir::ToClient },
                l4: if udp { L4::Udp } else { L4::Tcp },
                client_port: ports.0,
                server_port: ports.1,
                seen,
            };
            for d in DISSECTORS {
                let _ = (d.detect)(&pkt);
            }
        }

        #[test]
        fn no_panic_on_prefixed_random_bytes(
            idx in 0usize..64,
            tail in proptest::collection::vec(any::<u8>(), 0..64),
            seen in any::<[u16; 2]>(),
        ) {
            // Real-looking starts followed by garbage reach the deeper parsers.
            const HEADS: &[&[u8]] = &[
                b"SSH-2.0-", b"220 ", b"+OK ", b"* OK ", b"*3\r\n$3\r\n", b"\x00\x00\x00\x08\x04\xd2\x16\x2f",
                b"\x03\x00\x00", b"\x10", b"\x30\x84", b"\x05\x01", b"\x04\x01", b"RFB 003.008\n", b"\x12\x34",
                b"\x05\x00\x0b", b"\xff\xfb", b"\x13BitTorrent protocol", b"0032git-upload-pack ", b"JRMI",
                b"AMQP", b"ZBXD\x01", b"d1:ad2:id20:", b"\x80\x00\x00", b"\x00\x00", b"\x01\x01\x00",
            ];
            let head = HEADS[idx % HEADS.len()];
            let mut payload = head.to_vec();
            payload.extend_from_slice(&tail);
            for dir in [Dir::ToServer, Dir::ToClient] {
                let pkt = Pkt { payload: &payload, dir, l4: L4::Tcp, client_port: 1, server_port: 2, seen };
                for d in DISSECTORS {
                    let _ = (d.detect)(&pkt);
                }
            }
        }
    }

    #[test]
    fn names_are_unique_per_entry() {
        for (i, a) in DISSECTORS.iter().enumerate() {
            for b in &DISSECTORS[i + 1..] {
                assert_ne!(a.proto, b.proto);
            }
        }
    }
}
