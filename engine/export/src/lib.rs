//! Flow export and collection: IPFIX encoding, UDP and TCP exporters (driven by the engine's output thread, so a
//! slow or absent collector never reaches the packet path), and the collector's decoder, TCP framing and event loop
//! (driven by each collector input's thread).

pub mod collector;
pub mod collector_tcp;
pub mod framing;
mod idle_map;
pub mod ipfix;
pub mod redis_store;
mod tcp;
mod udp;

pub use tcp::{IpfixTcp, TcpStats};
pub use udp::{IpfixUdp, UdpStats};
