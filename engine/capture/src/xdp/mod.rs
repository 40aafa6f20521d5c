//! Live capture on Linux: the XDP program that steers packets to per-queue AF_XDP sockets, the sockets themselves
//! (UMEM and rings, our own small ring layer over libc), and an AF_PACKET TPACKET_V3 fallback.

mod error;
mod packet;
mod program;
mod ring;
mod sys;
mod xsk;

pub use error::LiveError;
pub use packet::{PacketConfig, PacketRing, PacketStats};
pub use program::{XdpCounters, XdpMode, XdpProgram, MAX_QUEUES};
pub use sys::{realtime_ns, rx_queues};
pub use xsk::{XskConfig, XskSocket, XskStats};
