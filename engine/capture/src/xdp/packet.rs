//! AF_PACKET TPACKET_V3 fallback: a memory-mapped ring of blocks filled by the kernel, read in place; several
//! sockets on one interface share the load with `PACKET_FANOUT` (hash mode: a flow stays on one socket).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

use super::sys::{ifindex, poll_in};
use super::LiveError;

// From <linux/if_packet.h> (kept here so the code does not depend on a recent libc).
const SOL_PACKET: libc::c_int = 263;
const PACKET_RX_RING: libc::c_int = 5;
const PACKET_STATISTICS: libc::c_int = 6;
const PACKET_VERSION: libc::c_int = 10;
const PACKET_FANOUT: libc::c_int = 18;
const TPACKET_V3: libc::c_int = 2;
const PACKET_FANOUT_HASH: u32 = 0;
const PACKET_FANOUT_FLAG_DEFRAG: u32 = 0x8000;
const TP_STATUS_KERNEL: u32 = 0;
const TP_STATUS_USER: u32 = 1;
const PACKET_OUTGOING: u8 = 4;
const ETH_P_ALL: u16 = 0x0003;
// Offsets in struct tpacket_block_desc (version, offset_to_priv, then tpacket_hdr_v1).
const BLK_STATUS: usize = 8;
const BLK_NUM_PKTS: usize = 12;
const BLK_FIRST: usize = 16;
// Offsets in struct tpacket3_hdr; the sockaddr_ll follows at TPACKET_ALIGN(sizeof(tpacket3_hdr)) = 48.
const PKT_NEXT: usize = 0;
const PKT_SEC: usize = 4;
const PKT_NSEC: usize = 8;
const PKT_SNAPLEN: usize = 12;
const PKT_MAC: usize = 24;
const PKT_SLL: usize = 48;
const SLL_PKTTYPE: usize = 10;

#[repr(C)]
struct TpacketReq3 {
    block_size: u32,
    block_nr: u32,
    frame_size: u32,
    frame_nr: u32,
    retire_blk_tov: u32,
    sizeof_priv: u32,
    feature_req_word: u32,
}

#[repr(C)]
#[derive(Default)]
struct TpacketStatsV3 {
    packets: u32,
    drops: u32,
    freeze_q_cnt: u32,
}

/// Ring geometry and fan-out of an AF_PACKET socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketConfig {
    /// Bytes per block (power of two, multiple of the page size; default 256 KiB: order-6 pages, which the kernel
    /// finds without compacting memory, unlike 1 MiB blocks that could cost 0.2 s of start-up per socket).
    pub block_size: u32,
    /// Blocks in the ring (default 64: 16 MiB).
    pub blocks: u32,
    /// A block is handed to user space after this many ms even when not full (default 10).
    pub block_timeout_ms: u32,
    /// Fan-out group id shared by the sockets of one interface (`None`: no fan-out).
    pub fanout_group: Option<u16>,
    /// Also deliver the packets the host sends through the interface (default: received packets only). Wanted on
    /// an interface the host uses, where its own half of every conversation goes out; never on loopback, where
    /// every packet is seen both ways.
    pub outgoing: bool,
}

impl Default for PacketConfig {
    fn default() -> Self {
        Self {
            block_size: 1 << 18,
            blocks: 64,
            block_timeout_ms: 10,
            fanout_group: None,
            outgoing: false,
        }
    }
}

/// Counters of an AF_PACKET socket, accumulated (the kernel resets them on each read).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketStats {
    /// Packets the socket received (including dropped).
    pub packets: u64,
    /// Packets dropped because the ring was full.
    pub drops: u64,
    /// Times the queue was frozen (ring full).
    pub freeze_q_cnt: u64,
}

/// A TPACKET_V3 receive ring on one interface.
pub struct PacketRing {
    map: NonNull<u8>,
    map_len: usize,
    fd: OwnedFd,
    block_size: usize,
    blocks: usize,
    /// Current block, packets left in it, offset of the next packet in it (0: block not entered yet).
    cur: usize,
    left: u32,
    next: usize,
    name: String,
    stats: PacketStats,
    outgoing: bool,
}

impl std::fmt::Debug for PacketRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PacketRing")
            .field("iface", &self.name)
            .finish_non_exhaustive()
    }
}

// SAFETY: the ring exclusively owns its mapping and descriptor; the only other party is the kernel, synchronised
// through each block's status word. Moving it to another thread is sound; it is not Sync (recv needs &mut).
unsafe impl Send for PacketRing {}

fn setsockopt<T>(fd: RawFd, level: libc::c_int, opt: libc::c_int, v: &T) -> std::io::Result<()> {
    let len = libc::socklen_t::try_from(std::mem::size_of::<T>())
        .map_err(|_| std::io::ErrorKind::InvalidInput)?;
    // SAFETY: `v` points to a valid T of `len` bytes, only read by the kernel.
    let rc = unsafe { libc::setsockopt(fd, level, opt, std::ptr::from_ref(v).cast(), len) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl PacketRing {
    /// Opens an AF_PACKET socket with a TPACKET_V3 ring on `ifname` (all protocols; outgoing packets only with
    /// [`PacketConfig::outgoing`]),
    /// joined to the fan-out group when one is given.
    ///
    /// # Errors
    /// Bad geometry, unknown interface, no CAP_NET_RAW, ring too large for memory.
    pub fn open(ifname: &str, cfg: &PacketConfig) -> Result<Self, LiveError> {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
        let bs = cfg.block_size as usize;
        if !bs.is_power_of_two()
            || bs < page
            || bs < 4096
            || cfg.blocks == 0
            || cfg.blocks > 1 << 16
        {
            return Err(LiveError::new(
                ifname,
                "bad AF_PACKET config",
                format!(
                    "{} blocks of {} bytes (power of two ≥ page size, 1..=65536 blocks)",
                    cfg.blocks, cfg.block_size
                ),
            ));
        }
        let ifx = ifindex(ifname)?;
        let proto = i32::from(ETH_P_ALL.to_be());
        // SAFETY: plain socket(2); the result is checked and owned at once.
        let raw =
            unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, proto) };
        if raw < 0 {
            return Err(LiveError::os(
                ifname,
                "AF_PACKET socket failed",
                "socket",
                &std::io::Error::last_os_error(),
            ));
        }
        // SAFETY: `raw` is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let raw = fd.as_raw_fd();
        setsockopt(raw, SOL_PACKET, PACKET_VERSION, &TPACKET_V3).map_err(|e| {
            LiveError::os(
                ifname,
                "AF_PACKET setup failed",
                "setsockopt(PACKET_VERSION)",
                &e,
            )
        })?;
        let frame_size = 2048u32;
        let req = TpacketReq3 {
            block_size: cfg.block_size,
            block_nr: cfg.blocks,
            frame_size,
            frame_nr: cfg.block_size / frame_size * cfg.blocks,
            retire_blk_tov: cfg.block_timeout_ms,
            sizeof_priv: 0,
            feature_req_word: 0,
        };
        setsockopt(raw, SOL_PACKET, PACKET_RX_RING, &req).map_err(|e| {
            LiveError::os(
                ifname,
                "AF_PACKET setup failed",
                "setsockopt(PACKET_RX_RING)",
                &e,
            )
        })?;
        let map_len = bs * cfg.blocks as usize;
        // SAFETY: a fresh shared mapping of the socket's ring of exactly the requested size; checked below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                raw,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(LiveError::os(
                ifname,
                "AF_PACKET ring map failed",
                "mmap",
                &std::io::Error::last_os_error(),
            ));
        }
        let map = NonNull::new(p.cast::<u8>())
            .ok_or_else(|| LiveError::new(ifname, "AF_PACKET ring map failed", "null mapping"))?;
        let ring = Self {
            map,
            map_len,
            fd,
            block_size: bs,
            blocks: cfg.blocks as usize,
            cur: 0,
            left: 0,
            next: 0,
            name: ifname.to_owned(),
            stats: PacketStats::default(),
            outgoing: cfg.outgoing,
        };
        // SAFETY: sockaddr_ll is plain old data; all-zero is valid.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = ETH_P_ALL.to_be();
        sll.sll_ifindex = i32::try_from(ifx).unwrap_or(0);
        let len = libc::socklen_t::try_from(std::mem::size_of::<libc::sockaddr_ll>()).unwrap_or(20);
        // SAFETY: `sll` is a valid sockaddr_ll of `len` bytes, only read by the kernel.
        let rc = unsafe { libc::bind(raw, std::ptr::from_ref(&sll).cast(), len) };
        if rc != 0 {
            return Err(LiveError::os(
                ifname,
                "AF_PACKET bind failed",
                "bind",
                &std::io::Error::last_os_error(),
            ));
        }
        if let Some(group) = cfg.fanout_group {
            let arg = u32::from(group) | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
            setsockopt(raw, SOL_PACKET, PACKET_FANOUT, &arg).map_err(|e| {
                LiveError::os(
                    ifname,
                    "AF_PACKET fanout failed",
                    "setsockopt(PACKET_FANOUT)",
                    &e,
                )
            })?;
        }
        Ok(ring)
    }

    fn block(&self, i: usize) -> *mut u8 {
        // SAFETY: `i < blocks`, so the block start is inside the mapping.
        unsafe { self.map.as_ptr().add(i * self.block_size) }
    }

    fn status(&self, i: usize) -> &AtomicU32 {
        // SAFETY: the status word is at a 4-aligned offset inside block `i` of the live mapping; the kernel also
        // accesses it with barriers (smp_wmb/rmb pairing with our acquire/release).
        unsafe { &*self.block(i).add(BLK_STATUS).cast::<AtomicU32>() }
    }

    fn read_u32(&self, block: usize, off: usize) -> u32 {
        if off + 4 > self.block_size {
            return 0;
        }
        // SAFETY: `off + 4 <= block_size`, inside block `block`, which user space owns (status USER, read with acquire).
        unsafe { self.block(block).add(off).cast::<u32>().read_unaligned() }
    }

    fn read_u8(&self, block: usize, off: usize) -> u8 {
        if off >= self.block_size {
            return 0;
        }
        // SAFETY: `off < block_size`, inside block `block`, owned by user space as for `read_u32`.
        unsafe { self.block(block).add(off).read() }
    }

    /// Receives up to `max` packets, calling `f(frame, timestamp_ns)` for each (read in place; the timestamp is the
    /// kernel's CLOCK_REALTIME at receive). Blocks go back to the kernel as soon as they are read. Does not block.
    pub fn recv_batch(&mut self, max: usize, mut f: impl FnMut(&[u8], u64)) -> usize {
        let mut n = 0;
        while n < max {
            if self.left == 0 {
                if self.next != 0 {
                    // Block finished: give it back and move on.
                    self.status(self.cur)
                        .store(TP_STATUS_KERNEL, Ordering::Release);
                    self.cur = (self.cur + 1) % self.blocks;
                    self.next = 0;
                }
                if self.status(self.cur).load(Ordering::Acquire) & TP_STATUS_USER == 0 {
                    break;
                }
                self.left = self.read_u32(self.cur, BLK_NUM_PKTS);
                self.next = self.read_u32(self.cur, BLK_FIRST) as usize;
                if self.left == 0 || self.next == 0 {
                    // Empty (timed-out) block: mark as entered so it is returned on the next turn.
                    self.left = 0;
                    self.next = self.next.max(1);
                    continue;
                }
            }
            let off = self.next;
            let snap = self.read_u32(self.cur, off + PKT_SNAPLEN) as usize;
            let mac = (self.read_u32(self.cur, off + PKT_MAC) & 0xffff) as usize;
            let sec = u64::from(self.read_u32(self.cur, off + PKT_SEC));
            let nsec = u64::from(self.read_u32(self.cur, off + PKT_NSEC));
            let pkttype = self.read_u8(self.cur, off + PKT_SLL + SLL_PKTTYPE);
            let start = off + mac;
            if start + snap <= self.block_size && (self.outgoing || pkttype != PACKET_OUTGOING) {
                // SAFETY: `start + snap <= block_size`: inside the block, which user space owns until we hand it
                // back (status set to TP_STATUS_KERNEL only after the last packet of the block).
                let frame =
                    unsafe { std::slice::from_raw_parts(self.block(self.cur).add(start), snap) };
                f(frame, sec * 1_000_000_000 + nsec);
                n += 1;
            }
            self.left -= 1;
            let step = self.read_u32(self.cur, off + PKT_NEXT) as usize;
            if self.left > 0 && (step == 0 || off + step >= self.block_size) {
                self.left = 0; // corrupt chain: drop the rest of the block rather than read outside it
            }
            self.next = if step == 0 { off.max(1) } else { off + step };
        }
        if self.left == 0 && self.next != 0 {
            // Hand a finished block back at once rather than on the next call.
            self.status(self.cur)
                .store(TP_STATUS_KERNEL, Ordering::Release);
            self.cur = (self.cur + 1) % self.blocks;
            self.next = 0;
        }
        n
    }

    /// Waits up to `timeout_ms` (-1: forever) for a block. Ok(true) when data is ready.
    ///
    /// # Errors
    /// poll(2) failed (EINTR is reported as a timeout).
    pub fn poll(&self, timeout_ms: i32) -> Result<bool, LiveError> {
        if self.left > 0 || self.status(self.cur).load(Ordering::Acquire) & TP_STATUS_USER != 0 {
            return Ok(true);
        }
        poll_in(self.fd.as_raw_fd(), timeout_ms)
            .map_err(|e| LiveError::os(&self.name, "poll failed", "poll", &e))
    }

    /// Counters since the socket was opened.
    ///
    /// # Errors
    /// getsockopt failed.
    pub fn stats(&mut self) -> Result<PacketStats, LiveError> {
        let mut s = TpacketStatsV3::default();
        let mut len =
            libc::socklen_t::try_from(std::mem::size_of::<TpacketStatsV3>()).unwrap_or(12);
        // SAFETY: `s` is a valid writable struct of `len` bytes; the kernel writes at most `len` bytes.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                SOL_PACKET,
                PACKET_STATISTICS,
                std::ptr::from_mut(&mut s).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            return Err(LiveError::os(
                &self.name,
                "PACKET_STATISTICS failed",
                "getsockopt",
                &e,
            ));
        }
        self.stats.packets += u64::from(s.packets);
        self.stats.drops += u64::from(s.drops);
        self.stats.freeze_q_cnt += u64::from(s.freeze_q_cnt);
        Ok(self.stats)
    }
}

impl AsRawFd for PacketRing {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for PacketRing {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Drop for PacketRing {
    fn drop(&mut self) {
        // SAFETY: exactly the mapping made in `open`, unmapped once; no slice into it outlives `recv_batch`.
        unsafe {
            libc::munmap(self.map.as_ptr().cast(), self.map_len);
        }
    }
}
