//! Packet sources of xntop: capture files (pcap and pcapng), memory-mapped and read in place, and on Linux live
//! capture (`xdp`: the XDP program, AF_XDP sockets, an AF_PACKET TPACKET_V3 fallback).
//!
//! This is the only crate of the project allowed `unsafe` code (memory maps now, AF_XDP rings later); every block
//! says why it is sound.

mod error;
mod file;
mod pcap;
mod pcapng;
pub mod thread;

/// Capability hardening before root is dropped (Linux only).
#[cfg(target_os = "linux")]
pub mod process;

pub use error::CaptureError;
pub use file::{CaptureFile, Format, Packets, RawPacket};

/// Live capture: XDP program, AF_XDP sockets, AF_PACKET fallback (Linux only).
#[cfg(target_os = "linux")]
pub mod xdp;

#[cfg(test)]
mod tests;
