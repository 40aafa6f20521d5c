//! Deep packet inspection: per-flow protocol detection and metadata extraction over payload bytes. No I/O, no
//! locks; a flow's detection state lives only while the flow is being classified.

pub mod packet;
pub mod proto;

pub use packet::{Dir, Dissector, Pkt, Verdict, L4};

pub use proto::{Category, Proto};

pub mod quic_crypto;
pub mod tcp_protos;
pub mod udp_protos;

pub mod apps;
pub mod dhcp;
pub mod dns;
pub mod dns_cache;
pub mod engine;
pub mod ftp;
pub mod gquic;
pub mod http;
pub mod ja;
pub mod names;
pub mod ports;
pub mod ssh;
pub mod tls;

pub use dns_cache::DnsCache;
pub use engine::{Classification, Confidence, DpiContext, Endpoints, FlowDpi, NameParts};

/// Property-test cases: `PROPTEST_CASES` when set (the long runs of bench/fuzz.sh), else `default` (what `cargo
/// test` runs).
#[cfg(test)]
pub(crate) fn test_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
