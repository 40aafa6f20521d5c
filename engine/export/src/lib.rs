//! Flow export: IPFIX encoding and a UDP exporter. No thread of its own: the engine's output thread drives it, so a
//! slow or absent collector never reaches the packet path.

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
