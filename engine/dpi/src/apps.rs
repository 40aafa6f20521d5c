//! Applications with their own wire formats (not a standard protocol carrying a name): messengers, voice and
//! game services, LAN discovery. Each rule keys on a fixed header or magic value of the application.

use crate::packet::{Dir, Dissector, Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::{Cursor, ReadAt};

pub const DISSECTORS: &[Dissector] = &[
    Dissector {
        proto: Proto::WhatsApp,
        tcp: true,
        udp: false,
        ports: &[5222, 443],
        detect: whatsapp,
    },
    Dissector {
        proto: Proto::Discord,
        tcp: false,
        udp: true,
        ports: &[],
        detect: discord,
    },
    Dissector {
        proto: Proto::Dropbox,
        tcp: false,
        udp: true,
        ports: &[17500],
        detect: dropbox_lansync,
    },
    Dissector {
        proto: Proto::SdRtn,
        tcp: false,
        udp: true,
        ports: &[],
        detect: agora_sd_rtn,
    },
    Dissector {
        proto: Proto::TocaBoca,
        tcp: false,
        udp: true,
        ports: &[5055, 5056],
        detect: photon,
    },
    Dissector {
        proto: Proto::Telegram,
        tcp: false,
        udp: true,
        ports: &[],
        detect: telegram_voip,
    },
    Dissector {
        proto: Proto::Eaq,
        tcp: false,
        udp: true,
        ports: &[6000],
        detect: eaq,
    },
    Dissector {
        proto: Proto::Spotify,
        tcp: false,
        udp: true,
        ports: &[57621],
        detect: spotify,
    },
];

/// WhatsApp's chat connection: the client opens with the Noise prologue "ED\0\x01" or the older "WA" + version.
fn whatsapp(p: &Pkt) -> Verdict {
    if p.dir != Dir::ToServer || p.seen[0] > 0 {
        return Verdict::No;
    }
    let b = p.payload;
    if b.starts_with(b"ED\x00\x01") || b.len() >= 4 && &b[..2] == b"WA" && (1..=6).contains(&b[2]) {
        Verdict::Yes(Proto::WhatsApp)
    } else {
        Verdict::No
    }
}

/// Discord voice: RTC packets starting 0x1337cafe, or the 74-byte IP discovery (type 1 request / 2 response,
/// length 70).
fn discord(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() >= 8 && b[..4] == [0x13, 0x37, 0xca, 0xfe] {
        return Verdict::Yes(Proto::Discord);
    }
    if b.len() == 74 && b[0] == 0 && (b[1] == 1 || b[1] == 2) && b[2..4] == [0, 70] {
        return Verdict::Yes(Proto::Discord);
    }
    if p.seen[0] + p.seen[1] < 2 {
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

/// Dropbox LAN sync discovery: a JSON broadcast starting `{"host_int":`.
fn dropbox_lansync(p: &Pkt) -> Verdict {
    if p.payload.starts_with(b"{\"host_int\":") {
        Verdict::Yes(Proto::Dropbox)
    } else {
        Verdict::No
    }
}

/// Agora SD-RTN: the client's first datagram carries an "SNI" tag with the edge server's name.
fn agora_sd_rtn(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() > 19 && &b[11..17] == b"\x00\x04SNI\x00" {
        let n = usize::from(b.u16_le_at(17).unwrap_or(0));
        if b.len() >= 19 + n {
            return Verdict::Yes(Proto::SdRtn);
        }
    }
    Verdict::No
}

/// Photon (Exit Games' realtime transport, used by Toca Boca): a 12-byte header (peer id, CRC flag, command count,
/// time, challenge) then commands whose 12-byte headers carry their length.
fn photon(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() < 24 || b[2] > 1 || b[3] == 0 || b[3] > 16 {
        return Verdict::No;
    }
    if !(p.either_port(5055) || p.either_port(5056)) {
        return Verdict::No;
    }
    let cmd_type = b[12];
    let len = b.u32_at(16).map_or(0, |l| l as usize);
    if !(1..=12).contains(&cmd_type) || len < 12 || len > b.len() - 12 {
        return Verdict::No;
    }
    Verdict::Yes(Proto::TocaBoca)
}

/// Telegram calls through its reflectors: a 16-byte peer tag then twelve 0xff bytes and a 0xfe/0xff marker.
fn telegram_voip(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() >= 32 && b[16..28].iter().all(|&x| x == 0xff) && (b[28] == 0xfe || b[28] == 0xff) {
        return Verdict::Yes(Proto::Telegram);
    }
    Verdict::No
}

/// EAQ (Brazil's broadband quality measurement): 16-byte probes on UDP 6000 starting with four zero bytes.
fn eaq(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() == 16 && p.either_port(6000) && b[..4] == [0; 4] {
        Verdict::Yes(Proto::Eaq)
    } else {
        Verdict::No
    }
}

/// Spotify's LAN discovery broadcast on UDP 57621.
fn spotify(p: &Pkt) -> Verdict {
    if p.payload.starts_with(b"SpotUdp") {
        Verdict::Yes(Proto::Spotify)
    } else {
        Verdict::No
    }
}

/// An application carried by a detected protocol, from that protocol's payload: WhatsApp's and Microsoft's STUN
/// attributes, SMB inside NetBIOS datagrams.
#[must_use]
pub fn refine(master: Proto, payload: &[u8]) -> Option<Proto> {
    match master {
        Proto::Stun => stun_app(payload),
        Proto::NetBios => {
            let hit = payload.windows(4).any(|w| w == b"\xffSMB");
            hit.then_some(Proto::SmbV1)
        }
        _ => None,
    }
}

/// STUN attributes that name the calling application.
fn stun_app(b: &[u8]) -> Option<Proto> {
    // A 2-byte length prefix over TCP.
    let b = if b.len() > 22 && b[2..4] == [0x00, 0x01]
        || b.get(6..10) == Some(&[0x21, 0x12, 0xa4, 0x42])
    {
        &b[2..]
    } else {
        b
    };
    let mut attrs = Cursor::new(b.rest_at(20));
    for _ in 0..32 {
        let (Ok(ty), Ok(len)) = (attrs.get_u16(), attrs.get_u16()) else {
            break;
        };
        match ty {
            0x4000..=0x4007 => return Some(Proto::WhatsAppCall),
            0x8008 | 0x8054 | 0x8055 | 0x8070 => return Some(Proto::SkypeTeamsCall),
            _ => {}
        }
        // Values are padded to 4 bytes; a value cut short ends the walk.
        if attrs.skip(usize::from(len).div_ceil(4) * 4).is_err() {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::L4;

    fn pkt(payload: &[u8], l4: L4, port: u16) -> Pkt<'_> {
        Pkt {
            payload,
            dir: Dir::ToServer,
            l4,
            client_port: 40000,
            server_port: port,
            seen: [0, 0],
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        crate::tls::tests::hex(s)
    }

    // First bytes of flows in nDPI's regression captures (whatsapp.pcap, discord.pcap, toca-boca.pcap,
    // telegram.pcap, EAQ.pcap, agora-sd-rtn.pcap, stun_wa_call.pcapng).
    #[test]
    fn real_openings() {
        assert_eq!(
            whatsapp(&pkt(&hex("45440001"), L4::Tcp, 5222)),
            Verdict::Yes(Proto::WhatsApp)
        );
        assert_eq!(
            discord(&pkt(&hex("1337cafe0e000000"), L4::Udp, 50004)),
            Verdict::Yes(Proto::Discord)
        );
        let toca = hex("ffff00010000000422b6e6ba02ff01040000002c00000001000004b000008000000000020000000000000000000013880000000200000002");
        assert_eq!(
            photon(&pkt(&toca, L4::Udp, 5055)),
            Verdict::Yes(Proto::TocaBoca)
        );
        let tg =
            hex("2fe49fa76c4eb433cbcd82a1bbea621efffffffffffffffffffffffffeffffff127fb2abab6d515d");
        assert_eq!(
            telegram_voip(&pkt(&tg, L4::Udp, 529)),
            Verdict::Yes(Proto::Telegram)
        );
        assert_eq!(
            eaq(&pkt(
                &hex("0000000000000dda00014b0700009000"),
                L4::Udp,
                6000
            )),
            Verdict::Yes(Proto::Eaq)
        );
        let agora = hex("005a384c000021000000000004534e49001c0032332d3234382d3138362d3137392e656467652e61676f72612e696f50444d44");
        assert_eq!(
            agora_sd_rtn(&pkt(&agora, L4::Udp, 8130)),
            Verdict::Yes(Proto::SdRtn)
        );
        let wa_stun = hex("000300c02112a44270758b44c723a74ed1934a25400000960902b6281ef343ba8bcaaa266adadab1012ef432f7");
        assert_eq!(refine(Proto::Stun, &wa_stun), Some(Proto::WhatsAppCall));
    }

    #[test]
    fn near_misses() {
        assert_eq!(
            whatsapp(&pkt(b"GET / HTTP/1.1\r\n", L4::Tcp, 5222)),
            Verdict::No
        );
        assert_eq!(eaq(&pkt(&[0; 16], L4::Udp, 6001)), Verdict::No);
        assert_eq!(photon(&pkt(&[0xff; 40], L4::Udp, 5055)), Verdict::No);
        assert_eq!(refine(Proto::Stun, &[0; 20]), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn never_panic(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200), port in 0u16..7000) {
            for d in DISSECTORS {
                let _ = (d.detect)(&pkt(&b, L4::Udp, port));
                let _ = (d.detect)(&pkt(&b, L4::Tcp, port));
            }
            let _ = refine(Proto::Stun, &b);
            let _ = refine(Proto::NetBios, &b);
        }
    }
}
