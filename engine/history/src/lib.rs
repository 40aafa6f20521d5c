//! xntop's embedded history: the expired flow records (every field) in segment files written off the packet path,
//! per-minute and per-hour rollups for top-N questions over days, retention by age and size, and the queries the
//! historical API asks. See `store.rs` for the directory layout and `bench/README.md` for why this format and not
//! an embedded database.

pub mod query;
pub mod rollup;
pub mod row;
pub mod segment;
pub mod store;

pub use query::{flows, series, top, FlowPage, FlowQuery, SeriesPoint, SortKey, TopEntry};
pub use rollup::{Dim, Metrics};
pub use store::{spawn, Config, History, Sender, Writer};

use std::fmt::Write as _;

/// A rollup key as text: interface number, address, application name, `address application`, `network/len`,
/// `client server`, `proto/port`; the empty key is "other".
#[must_use]
pub fn key_label(dim: Dim, key: &[u8]) -> String {
    if key.is_empty() {
        return "other".into();
    }
    let ip = |b: &[u8]| -> String {
        let mut a = [0u8; 16];
        if b.len() >= 16 {
            a.copy_from_slice(&b[..16]);
        }
        row::ip_of(a).to_string()
    };
    match dim {
        Dim::Iface => key[0].to_string(),
        Dim::Host => ip(key),
        Dim::App => String::from_utf8_lossy(key).into_owned(),
        Dim::HostApp => format!(
            "{} {}",
            ip(key),
            String::from_utf8_lossy(key.get(16..).unwrap_or(&[]))
        ),
        Dim::Network => {
            let len = key.get(16).copied().unwrap_or(0);
            let mut s = ip(key);
            let _ = write!(s, "/{len}");
            s
        }
        Dim::Conversation => format!("{} {}", ip(key), ip(key.get(16..).unwrap_or(&[]))),
        Dim::Port => {
            let proto = key[0];
            let port = u16::from_be_bytes([
                key.get(1).copied().unwrap_or(0),
                key.get(2).copied().unwrap_or(0),
            ]);
            format!(
                "{}/{port}",
                xntop_model::proto_name(proto).map_or_else(|| proto.to_string(), str::to_string)
            )
        }
    }
}

/// The key bytes of a host address (for series of one host).
#[must_use]
pub fn host_key(ip: std::net::IpAddr) -> Vec<u8> {
    row::ip16(ip).to_vec()
}
