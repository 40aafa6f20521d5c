//! One AF_XDP socket on one (interface, queue): its UMEM, fill/completion/RX rings and the receive loop.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;

use super::ring::Ring;
use super::sys::{ifindex, monotonic_ns, poll_in, prefetch, realtime_ns};
use super::LiveError;

/// Sizes and options of an AF_XDP socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XskConfig {
    /// UMEM frames (default 4096). The RX ring has this many entries (rounded up to a power of two), the fill ring
    /// twice as many.
    pub frames: u32,
    /// Bytes per frame: 2048 or 4096 (default 2048; 256 B of it is the kernel's headroom).
    pub frame_size: u32,
    /// Force copy mode (otherwise zero-copy is tried first, then copy).
    pub force_copy: bool,
}

impl Default for XskConfig {
    fn default() -> Self {
        Self {
            frames: 4096,
            frame_size: 2048,
            force_copy: false,
        }
    }
}

/// The socket's drop counters (`getsockopt(SOL_XDP, XDP_STATISTICS)`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XskStats {
    /// Dropped for other reasons (e.g. frame too large for the UMEM frame).
    pub rx_dropped: u64,
    /// Invalid descriptors.
    pub rx_invalid_descs: u64,
    /// Dropped because the RX ring was full (user space too slow).
    pub rx_ring_full: u64,
    /// Times the fill ring was empty when a packet came (user space did not give frames back in time).
    pub rx_fill_ring_empty_descs: u64,
}

impl XskStats {
    /// Packets lost by the socket (dropped + RX ring full).
    #[must_use]
    pub fn lost(&self) -> u64 {
        self.rx_dropped + self.rx_ring_full
    }
}

/// The UMEM: an anonymous mapping split into equal frames, on transparent huge pages where the kernel gives them.
pub(crate) struct Umem {
    pub(crate) base: NonNull<u8>,
    pub(crate) len: usize,
    /// What is mapped from `base` (`len` rounded up to whole huge pages).
    map_len: usize,
}

/// Transparent huge page size on x86-64 and arm64 (4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

impl Umem {
    /// Frames are read in ring order, so with 4 KiB pages nearly every packet is a TLB miss (a two-level page walk
    /// under a hypervisor): the mapping is aligned to 2 MiB and advised `MADV_HUGEPAGE` before it is touched.
    pub(crate) fn new(len: usize) -> std::io::Result<Self> {
        let map_len = len.div_ceil(HUGE_PAGE) * HUGE_PAGE;
        let over = map_len + HUGE_PAGE;
        // SAFETY: a fresh anonymous private mapping; checked for MAP_FAILED before use.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                over,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let start = p as usize;
        let aligned = start.next_multiple_of(HUGE_PAGE);
        let head = aligned - start;
        let tail = over - head - map_len;
        // SAFETY: the head and tail trimmed off lie inside the mapping just made, and nothing references them; the
        // advice and the population touch only [aligned, aligned + map_len), also inside it. Failures of the advice
        // leave ordinary pages, which work.
        let populated = unsafe {
            if head > 0 {
                libc::munmap(p, head);
            }
            if tail > 0 {
                libc::munmap((aligned + map_len) as *mut libc::c_void, tail);
            }
            let base = aligned as *mut libc::c_void;
            libc::madvise(base, map_len, libc::MADV_HUGEPAGE);
            libc::madvise(base, map_len, libc::MADV_POPULATE_WRITE)
        };
        let unsupported =
            populated != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL);
        if unsupported {
            // Before 5.14: touch one byte per page instead. (Other failures, such as ENOMEM, are left for the UMEM
            // registration to report: touching would end in the OOM killer rather than an error.)
            for off in (0..map_len).step_by(4096) {
                // SAFETY: `aligned + off` is inside the mapping, which is readable and writable.
                unsafe { std::ptr::write_volatile((aligned + off) as *mut u8, 0) };
            }
        }
        let base = NonNull::new(aligned as *mut u8)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        Ok(Self { base, len, map_len })
    }
}

impl Drop for Umem {
    fn drop(&mut self) {
        // SAFETY: exactly the mapping kept by `new`; the socket using it is closed first (field order in XskSocket and
        // XskTx).
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.map_len);
        }
    }
}

/// An AF_XDP socket bound to one queue of an interface, receiving only (no TX ring).
pub struct XskSocket {
    // Field order is drop order: rings unmapped, then the socket closed, then the UMEM unmapped.
    rx: Ring<libc::xdp_desc>,
    fill: Ring<u64>,
    _comp: Ring<u64>,
    fd: OwnedFd,
    umem: Umem,
    /// Frames owned by user space, not in the fill ring.
    free: Vec<u64>,
    frame_size: u32,
    zero_copy: bool,
    queue: u32,
    name: String,
    packets: u64,
    bytes: u64,
    /// Packets timestamped by the XDP program (the others got their batch's time).
    stamped: u64,
}

/// `struct xntop_meta` of ebpf/xntop_xdp.h: what the XDP program writes just before each frame.
const META_LEN: u64 = 16;
const META_MAGIC: u32 = 0x7874_6d31;

impl std::fmt::Debug for XskSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XskSocket")
            .field("iface", &self.name)
            .field("queue", &self.queue)
            .field("zero_copy", &self.zero_copy)
            .finish_non_exhaustive()
    }
}

// SAFETY: the socket exclusively owns its mappings and descriptor; nothing is shared with other threads of this
// process (the kernel is the only other party, synchronised through the rings' atomic indices). Moving it to the
// thread that serves the queue is sound; it is not Sync (recv needs &mut).
unsafe impl Send for XskSocket {}

pub(crate) fn setsockopt<T>(fd: RawFd, opt: libc::c_int, v: &T) -> std::io::Result<()> {
    let len = libc::socklen_t::try_from(std::mem::size_of::<T>())
        .map_err(|_| std::io::ErrorKind::InvalidInput)?;
    // SAFETY: `v` points to a valid T of `len` bytes, which the kernel only reads.
    let rc = unsafe { libc::setsockopt(fd, libc::SOL_XDP, opt, std::ptr::from_ref(v).cast(), len) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

pub(crate) fn getsockopt<T: Copy>(
    fd: RawFd,
    opt: libc::c_int,
    v: &mut T,
) -> std::io::Result<usize> {
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<T>())
        .map_err(|_| std::io::ErrorKind::InvalidInput)?;
    // SAFETY: `v` is a valid writable T of `len` bytes; the kernel writes at most `len` bytes and updates `len`.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_XDP,
            opt,
            std::ptr::from_mut(v).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(len as usize)
}

impl XskSocket {
    /// Creates the socket, its UMEM and rings, and binds it to `queue` of `ifname`: zero-copy first (unless
    /// `cfg.force_copy`), copy mode when the driver refuses zero-copy. Register it with
    /// [`XdpProgram::register`](super::XdpProgram::register) to receive packets.
    ///
    /// # Errors
    /// Bad sizes, unknown interface, no such queue, no permission, or another socket already bound there.
    pub fn open(ifname: &str, queue: u32, cfg: &XskConfig) -> Result<Self, LiveError> {
        let name = format!("{ifname} queue {queue}");
        if !matches!(cfg.frame_size, 2048 | 4096) {
            return Err(LiveError::new(
                &name,
                "bad AF_XDP config",
                format!("frame size {} (2048 or 4096)", cfg.frame_size),
            ));
        }
        if !(64..=1 << 20).contains(&cfg.frames) {
            return Err(LiveError::new(
                &name,
                "bad AF_XDP config",
                format!("{} frames (64..=1048576)", cfg.frames),
            ));
        }
        let ifx = ifindex(ifname)?;
        // One UMEM for both attempts: a refused zero-copy bind leaves it untouched (nothing was received into it),
        // and mapping, zeroing and pinning it again would double the start-up cost.
        let umem_len = cfg.frames as usize * cfg.frame_size as usize;
        let mut umem = Some(
            Umem::new(umem_len)
                .map_err(|e| LiveError::os(&name, "UMEM allocation failed", "mmap", &e))?,
        );
        if !cfg.force_copy {
            match Self::open_mode(&name, ifx, queue, cfg, true, &mut umem) {
                Ok(s) => return Ok(s),
                // The driver (or generic XDP) cannot do zero-copy: fall back to copy mode on a fresh socket.
                Err(e)
                    if matches!(
                        e.errno,
                        Some(libc::EOPNOTSUPP | libc::EINVAL | libc::EPROTONOSUPPORT)
                    ) => {}
                Err(e) => return Err(e),
            }
        }
        Self::open_mode(&name, ifx, queue, cfg, false, &mut umem)
    }

    fn open_mode(
        name: &str,
        ifx: u32,
        queue: u32,
        cfg: &XskConfig,
        zero_copy: bool,
        umem: &mut Option<Umem>,
    ) -> Result<Self, LiveError> {
        // SAFETY: plain socket(2) call; the result is checked and wrapped in an OwnedFd at once.
        let raw = unsafe { libc::socket(libc::AF_XDP, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            return Err(LiveError::os(
                name,
                "AF_XDP socket failed",
                "socket",
                &std::io::Error::last_os_error(),
            ));
        }
        // SAFETY: `raw` is a fresh descriptor we own and nothing else closes.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let raw = fd.as_raw_fd();
        let frames = cfg.frames;
        let Some(mem) = umem.as_ref() else {
            return Err(LiveError::new(name, "UMEM allocation failed", "no UMEM"));
        };
        let reg = libc::xdp_umem_reg {
            addr: mem.base.as_ptr() as u64,
            len: mem.len as u64,
            chunk_size: cfg.frame_size,
            headroom: 0,
            flags: 0,
            tx_metadata_len: 0,
        };
        setsockopt(raw, libc::XDP_UMEM_REG, &reg).map_err(|e| {
            LiveError::os(
                name,
                "UMEM registration failed",
                "setsockopt(XDP_UMEM_REG)",
                &e,
            )
        })?;
        let rx_size = frames.next_power_of_two();
        let fill_size = (frames * 2).next_power_of_two();
        let comp_size = 64u32;
        setsockopt(raw, libc::XDP_UMEM_FILL_RING, &fill_size).map_err(|e| {
            LiveError::os(
                name,
                "fill ring setup failed",
                "setsockopt(XDP_UMEM_FILL_RING)",
                &e,
            )
        })?;
        setsockopt(raw, libc::XDP_UMEM_COMPLETION_RING, &comp_size).map_err(|e| {
            LiveError::os(
                name,
                "completion ring setup failed",
                "setsockopt(XDP_UMEM_COMPLETION_RING)",
                &e,
            )
        })?;
        setsockopt(raw, libc::XDP_RX_RING, &rx_size).map_err(|e| {
            LiveError::os(name, "RX ring setup failed", "setsockopt(XDP_RX_RING)", &e)
        })?;
        // SAFETY: xdp_mmap_offsets is plain old data; all-zero is a valid value that getsockopt overwrites.
        let mut off: libc::xdp_mmap_offsets = unsafe { std::mem::zeroed() };
        let got = getsockopt(raw, libc::XDP_MMAP_OFFSETS, &mut off).map_err(|e| {
            LiveError::os(
                name,
                "ring offsets failed",
                "getsockopt(XDP_MMAP_OFFSETS)",
                &e,
            )
        })?;
        if got != std::mem::size_of::<libc::xdp_mmap_offsets>() {
            return Err(LiveError::new(
                name,
                "ring offsets failed",
                "kernel too old (no ring flags, needs >= 5.4)",
            ));
        }
        let ring_err =
            |what: &'static str| move |e: std::io::Error| LiveError::os(name, what, "mmap", &e);
        let fill = Ring::<u64>::map(
            raw,
            libc::XDP_UMEM_PGOFF_FILL_RING as i64,
            &off.fr,
            fill_size,
        )
        .map_err(ring_err("fill ring map failed"))?;
        let comp = Ring::<u64>::map(
            raw,
            libc::XDP_UMEM_PGOFF_COMPLETION_RING as i64,
            &off.cr,
            comp_size,
        )
        .map_err(ring_err("completion ring map failed"))?;
        let rx = Ring::<libc::xdp_desc>::map(raw, libc::XDP_PGOFF_RX_RING, &off.rx, rx_size)
            .map_err(ring_err("RX ring map failed"))?;
        let mut fill = fill;
        let mut free: Vec<u64> = (0..u64::from(frames))
            .rev()
            .map(|i| i * u64::from(cfg.frame_size))
            .collect();
        // Every frame goes to the fill ring before bind, so the first packets find room.
        refill(&mut fill, &mut free);
        let addr = libc::sockaddr_xdp {
            sxdp_family: libc::AF_XDP as u16,
            sxdp_flags: libc::XDP_USE_NEED_WAKEUP
                | if zero_copy {
                    libc::XDP_ZEROCOPY
                } else {
                    libc::XDP_COPY
                },
            sxdp_ifindex: ifx,
            sxdp_queue_id: queue,
            sxdp_shared_umem_fd: 0,
        };
        let len = libc::socklen_t::try_from(std::mem::size_of::<libc::sockaddr_xdp>())
            .map_err(|_| LiveError::new(name, "AF_XDP bind failed", "address size"))?;
        // SAFETY: `addr` is a valid sockaddr_xdp of `len` bytes, only read by the kernel.
        let rc = unsafe { libc::bind(raw, std::ptr::from_ref(&addr).cast(), len) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            let call = if zero_copy {
                "bind(XDP_ZEROCOPY)"
            } else {
                "bind(XDP_COPY)"
            };
            return Err(LiveError::os(name, "AF_XDP bind failed", call, &e));
        }
        let umem = umem
            .take()
            .ok_or_else(|| LiveError::new(name, "UMEM allocation failed", "no UMEM"))?;
        Ok(Self {
            rx,
            fill,
            _comp: comp,
            fd,
            umem,
            free,
            frame_size: cfg.frame_size,
            zero_copy,
            queue,
            name: name.to_owned(),
            packets: 0,
            stamped: 0,
            bytes: 0,
        })
    }

    /// Gives free frames back to the fill ring.
    fn refill(&mut self) {
        refill(&mut self.fill, &mut self.free);
    }

    /// Receives up to `max` packets, calling `f(frame, timestamp_ns)` for each (the frame is read in place in the
    /// UMEM; the timestamp is the XDP program's stamp of the packet, CLOCK_REALTIME read once per batch when a frame
    /// has none), then gives the frames back to the fill ring.
    /// Returns the number of packets. Does not block: see [`poll`](Self::poll).
    pub fn recv_batch(&mut self, max: usize, mut f: impl FnMut(&[u8], u64)) -> usize {
        let max = u32::try_from(max).unwrap_or(u32::MAX);
        let n = self.rx.available(max);
        if n == 0 {
            self.wakeup_if_needed();
            return 0;
        }
        let ts = realtime_ns();
        // The program stamps CLOCK_MONOTONIC (all BPF has before 5.19's TAI); this batch's offset maps it to wall time.
        let mono_to_real = ts.wrapping_sub(monotonic_ns());
        let mask = !u64::from(self.frame_size - 1);
        let umem_len = self.umem.len as u64;
        // Frames are read this far ahead of their turn, so their first cache lines are on their way.
        const AHEAD: u32 = 6;
        let base_ptr = self.umem.base.as_ptr();
        let prefetch_frame = |addr: u64| {
            if addr < umem_len {
                // The metadata, then the headers (two lines from the frame's start). `wrapping_*` keeps this safe;
                // the address is inside the UMEM (checked) and only prefetched.
                let p = base_ptr.wrapping_add(addr as usize);
                prefetch(p.wrapping_sub(META_LEN as usize));
                prefetch(p);
                prefetch(p.wrapping_add(64));
            }
        };
        for i in 0..n.min(AHEAD) {
            prefetch_frame(self.rx.read(i).addr);
        }
        for i in 0..n {
            // Descriptors further ahead still, so the frame prefetch below never waits for one.
            self.rx.prefetch(i + 4 * AHEAD);
            if i + AHEAD < n {
                prefetch_frame(self.rx.read(i + AHEAD).addr);
            }
            let d = self.rx.read(i);
            let len = u64::from(d.len);
            if d.addr.checked_add(len).is_some_and(|end| end <= umem_len) {
                // SAFETY: `addr..addr+len` is inside the UMEM (checked above); the kernel wrote this frame before
                // publishing the descriptor and does not touch it until we put it back in the fill ring below.
                let frame = unsafe {
                    std::slice::from_raw_parts(
                        self.umem.base.as_ptr().add(d.addr as usize),
                        d.len as usize,
                    )
                };
                self.bytes += len;
                let stamp = if d.addr - (d.addr & mask) >= META_LEN {
                    // SAFETY: `addr - META_LEN .. addr` lies inside the frame's own chunk (its offset in the chunk
                    // is at least META_LEN), which user space owns until it goes back to the fill ring below.
                    unsafe { take_stamp(self.umem.base.as_ptr().add((d.addr - META_LEN) as usize)) }
                } else {
                    None
                };
                if let Some(mono) = stamp {
                    self.stamped += 1;
                    f(frame, mono.wrapping_add(mono_to_real));
                } else {
                    f(frame, ts);
                }
            }
            let base = d.addr & mask;
            if base < umem_len {
                self.free.push(base);
            }
        }
        self.rx.release(n);
        self.packets += u64::from(n);
        self.refill();
        self.wakeup_if_needed();
        n as usize
    }

    /// Kicks the kernel when it asked for it (XDP_USE_NEED_WAKEUP on the fill ring, zero-copy drivers).
    fn wakeup_if_needed(&self) {
        if self.fill.flags() & libc::XDP_RING_NEED_WAKEUP != 0 {
            // SAFETY: a zero-length non-blocking recvfrom on our socket, with null buffers allowed by the kernel for
            // AF_XDP (it only triggers the driver's wakeup).
            unsafe {
                libc::recvfrom(
                    self.fd.as_raw_fd(),
                    std::ptr::null_mut(),
                    0,
                    libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                );
            }
        }
    }

    /// Waits up to `timeout_ms` (-1: forever) for packets. Ok(true) when the RX ring has packets.
    ///
    /// # Errors
    /// poll(2) failed (EINTR is reported as a timeout).
    pub fn poll(&self, timeout_ms: i32) -> Result<bool, LiveError> {
        poll_in(self.fd.as_raw_fd(), timeout_ms)
            .map_err(|e| LiveError::os(&self.name, "poll failed", "poll", &e))
    }

    /// The kernel's drop counters of this socket.
    ///
    /// # Errors
    /// getsockopt failed.
    pub fn stats(&self) -> Result<XskStats, LiveError> {
        // SAFETY: xdp_statistics is plain old data; all-zero is valid and getsockopt overwrites it.
        let mut s: libc::xdp_statistics = unsafe { std::mem::zeroed() };
        getsockopt(self.fd.as_raw_fd(), libc::XDP_STATISTICS, &mut s)
            .map_err(|e| LiveError::os(&self.name, "XDP_STATISTICS failed", "getsockopt", &e))?;
        Ok(XskStats {
            rx_dropped: s.rx_dropped,
            rx_invalid_descs: s.rx_invalid_descs,
            rx_ring_full: s.rx_ring_full,
            rx_fill_ring_empty_descs: s.rx_fill_ring_empty_descs,
        })
    }

    /// Packets the XDP program timestamped (the rest carry the time of their batch).
    #[must_use]
    pub fn stamped(&self) -> u64 {
        self.stamped
    }

    /// True when bound in zero-copy mode.
    #[must_use]
    pub fn zero_copy(&self) -> bool {
        self.zero_copy
    }

    /// The queue this socket is bound to.
    #[must_use]
    pub fn queue(&self) -> u32 {
        self.queue
    }

    /// Packets and bytes received so far.
    #[must_use]
    pub fn received(&self) -> (u64, u64) {
        (self.packets, self.bytes)
    }
}

/// Reads the XDP program's `struct xntop_meta` at `meta` and clears its magic, so the frame's next use shows no stale
/// stamp. `None` when the frame was not stamped.
///
/// # Safety
/// `meta .. meta + META_LEN` must be inside a UMEM frame that user space owns (not in the fill ring).
unsafe fn take_stamp(meta: *mut u8) -> Option<u64> {
    // SAFETY: in bounds and owned (the caller's contract); unaligned reads and writes of plain integers.
    unsafe {
        let magic = meta.add(8).cast::<u32>().read_unaligned();
        if magic != META_MAGIC {
            return None;
        }
        meta.add(8).cast::<u32>().write_unaligned(0);
        Some(meta.cast::<u64>().read_unaligned())
    }
}

/// Moves free frames (as many as fit) into the fill ring.
fn refill(fill: &mut Ring<u64>, free: &mut Vec<u64>) {
    let n = fill.free(u32::try_from(free.len()).unwrap_or(u32::MAX));
    if n == 0 {
        return;
    }
    for i in 0..n {
        let Some(addr) = free.pop() else { break };
        fill.write(i, addr);
    }
    fill.submit(n);
}

impl AsRawFd for XskSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for XskSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
