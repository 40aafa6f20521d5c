//! Live capture on Linux: the XDP program that steers packets to per-queue AF_XDP sockets, the sockets themselves
//! (UMEM and rings, our own small ring layer over libc), and an AF_PACKET TPACKET_V3 fallback. Also an AF_XDP
//! transmit socket ([`XskTx`]), used by the live benchmark's packet generator.

mod error;
mod packet;
mod program;
mod ring;
mod sys;
mod tx;
mod xsk;

pub use error::LiveError;
pub use packet::{PacketConfig, PacketRing, PacketStats};
pub use program::{XdpCounters, XdpMode, XdpProgram, MAX_QUEUES};
pub use sys::{realtime_ns, rx_queues, EventFd, PollSet};
pub use tx::{Kick, XskTx, XskTxConfig, XskTxStats};
pub use xsk::{XskConfig, XskSocket, XskStats};
