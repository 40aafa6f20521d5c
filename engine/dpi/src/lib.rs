//! Deep packet inspection: per-flow protocol detection and metadata extraction over payload bytes. No I/O, no
//! locks; a flow's detection state lives only while the flow is being classified.
//!
//! Layout: [`protocols`] holds one folder per protocol (its identities, ports and dissector) and the registration
//! list; [`proto`] the identity vocabulary ([`Proto`], nDPI's names and ids) and the data table of applications
//! without a dissector; [`dissector`] the contract a protocol implements; [`registry`] what the engine derives
//! from the list; [`engine`] the per-flow state machine. Not protocols: [`names`] (server name → application),
//! [`dns_cache`] (address → application), [`ja`] (TLS client fingerprints).

pub mod dissector;
pub mod proto;
pub mod protocols;
pub mod registry;

pub use dissector::{Dir, Dissector, Flow, Follow, Pkt, Protocol, Verdict, L4};
pub use proto::{Category, Proto};

pub mod dns_cache;
pub mod engine;
pub mod ja;
pub mod names;

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
