//! Flow tracking for one worker: the canonical key, the shard's flow table with its expiry lists, and TCP
//! connection tracking. Single-threaded by design: each worker owns one [`FlowTable`] and nothing here locks.

mod key;
mod lru;
mod table;
mod tcp;

pub use key::{shard_of, Endpoint, FlowKey};
pub use table::{EndReason, Flow, FlowSink, FlowTable, Mac, PacketInfo, TableStats, Timeouts};
pub use tcp::{TcpState, TcpTracker};
