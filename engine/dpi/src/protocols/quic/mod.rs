//! QUIC (RFC 9000/9001, RFC 9369, drafts and mvfst) and Google QUIC. An IETF client Initial is decrypted with the
//! keys its connection ID derives (`crypto`) and its ClientHello read like TLS's (server name, ALPN, JA3/JA4); a
//! hello spread over several Initials is reassembled in a per-flow buffer, for at most a few packets. Google QUIC's
//! hello (CHLO) is plaintext (`gquic`).

pub mod crypto;
pub mod gquic;

use crate::dissector::{set_str, Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::engine::STREAM_SCRATCH;
use crate::ja;
use crate::proto::Proto;
use crate::protocols::tls;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Quic = 188, "QUIC", Web, udp [443];
}

/// QUIC's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&QuicDissector),
    runs_on: Transport::Udp,
    order: Order::First(3),
    risks: &[],
};

/// Bytes of CRYPTO stream kept for a ClientHello spread over several Initial packets.
const HELLO_BUFFER: usize = STREAM_SCRATCH;

/// A QUIC ClientHello being reassembled from several Initial packets (allocated only when it spans more than one).
struct QuicHello {
    crypto: [u8; HELLO_BUFFER],
    coverage: crypto::CryptoCoverage,
}

struct QuicDissector;

impl Dissector for QuicDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let v = inspect(pkt, flow);
        if let Verdict::Yes(_) = v {
            flow.app_from_server_name();
        }
        v
    }
}

fn inspect(pkt: &Pkt, flow: &mut Flow) -> Verdict {
    let p = pkt.payload;
    // Google QUIC: the IETF-style long header of Q046+ (flags, then the version tag), or the older public header
    // (flags with the version bit, an 8-byte connection ID, then the tag). Its CHLO is plaintext.
    let gquic_version = |v: &[u8]| v.len() == 4 && v[0] == b'Q' && v[1..].iter().all(u8::is_ascii_digit);
    let long = p.len() >= 13 && p[0] & 0x80 != 0 && gquic_version(&p[1..5]);
    let public = p.len() >= 13 && p[0] & 0x81 == 0x01 && p[0] & 0x0c == 0x0c && gquic_version(&p[9..13]);
    if long || public {
        if let Some(sni) = gquic::chlo_tag(p, *b"SNI\0") {
            set_str(&mut flow.meta().server_name, sni);
        }
        if let Some(ua) = gquic::chlo_tag(p, *b"UAID") {
            set_str(&mut flow.meta().user_agent, ua);
        }
        return Verdict::Yes(Proto::Quic);
    }
    if crypto::looks_like_initial(p).is_none() {
        // A server's packets or short headers: QUIC only if the flow's first packets said so.
        let first_from_client = pkt.dir == Dir::ToServer && pkt.seen[0] == 0;
        return if first_from_client || crate::protocols::util::total_seen(pkt) > 2 {
            Verdict::No
        } else {
            Verdict::NeedMore
        };
    }
    if pkt.dir == Dir::ToClient {
        return Verdict::Yes(Proto::Quic);
    }
    // Most ClientHellos fit one Initial: decrypt into the worker's buffers. Only a hello spread over several packets
    // gets a per-flow reassembly buffer.
    let (hello, (scratch, stream)) = flow.state_and_scratch::<QuicHello>();
    let avail = if let Some(hello) = hello {
        let Ok(n) = crypto::decrypt_client_initial_into(p, &mut scratch[..], &mut hello.crypto, &mut hello.coverage)
        else {
            return Verdict::Yes(Proto::Quic);
        };
        stream.copy_from_slice(&hello.crypto);
        n
    } else {
        let mut coverage = crypto::CryptoCoverage::default();
        let Ok(n) = crypto::decrypt_client_initial_into(p, &mut scratch[..], &mut stream[..], &mut coverage) else {
            // A long header of a known version that does not decrypt: still QUIC, nothing to read.
            return Verdict::Yes(Proto::Quic);
        };
        let declared = hello_len(&stream[..n]);
        if n < declared && declared <= HELLO_BUFFER && pkt.seen[0] < 3 {
            let mut hello = Box::new(QuicHello {
                crypto: [0; HELLO_BUFFER],
                coverage,
            });
            hello.crypto.copy_from_slice(&stream[..]);
            flow.set_state(hello);
            flow.count_reassembly();
            return Verdict::NeedMore;
        }
        n
    };
    let (meta, (_, stream)) = flow.meta_and_scratch();
    let stream = &stream[..avail];
    let declared = hello_len(stream);
    if stream.first() != Some(&1) {
        return Verdict::Yes(Proto::Quic);
    }
    if avail < declared && pkt.seen[0] < 3 {
        return Verdict::NeedMore;
    }
    if let Some(h) = tls::parser::ClientHello::parse(&stream[4..], declared.saturating_sub(4), false) {
        tls::client_hello(meta.get_or_insert_with(Box::default), &h, ja::Transport::Quic);
    }
    Verdict::Yes(Proto::Quic)
}

/// Length of the handshake message at the start of a CRYPTO stream, header included.
fn hello_len(stream: &[u8]) -> usize {
    stream.u24_at(1).map_or(0, |l| l as usize) + 4
}
