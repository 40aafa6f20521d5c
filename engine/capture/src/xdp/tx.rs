//! AF_XDP transmit (the benchmark's packet generator): one socket bound to (interface, queue) in copy mode, a UMEM
//! loaded once with the frames to send, the TX ring fed with their addresses and the completion ring read back so
//! the frames can be sent again without being rewritten.

use std::collections::VecDeque;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::ring::Ring;
use super::sys::ifindex;
use super::xsk::{getsockopt, setsockopt, Umem};
use super::LiveError;

/// Sizes of a transmit socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XskTxConfig {
    /// Bytes per UMEM frame: 2048 or 4096 (default 2048). Every frame to send must fit.
    pub frame_size: u32,
    /// TX and completion ring entries (power of two, default 2048).
    pub ring: u32,
    /// At least this many UMEM frames (default 4096); rounded up to a multiple of the number of distinct frames so
    /// that sending the UMEM in order is round-robin over them.
    pub min_slots: u32,
}

impl Default for XskTxConfig {
    fn default() -> Self {
        Self {
            frame_size: 2048,
            ring: 2048,
            min_slots: 4096,
        }
    }
}

/// The kernel's TX counters of the socket (`XDP_STATISTICS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XskTxStats {
    /// Descriptors the kernel refused (address or length out of the UMEM).
    pub tx_invalid_descs: u64,
    /// Times the kernel found the TX ring empty when it looked for work.
    pub tx_ring_empty_descs: u64,
}

/// What one [`XskTx::kick`] reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kick {
    /// The kernel took what it could.
    Sent,
    /// Try again (EAGAIN: batch budget used, completion ring or device queue full).
    Again,
    /// One frame was completed but dropped by the device (EBUSY: NET_XMIT_DROP).
    Dropped,
}

/// An AF_XDP socket that only transmits (copy mode), bound to one queue of an interface.
pub struct XskTx {
    // Field order is drop order: rings unmapped, then the socket closed, then the UMEM unmapped.
    tx: Ring<libc::xdp_desc>,
    comp: Ring<u64>,
    fd: OwnedFd,
    umem: Umem,
    /// Length of the frame in each UMEM slot (slot `i` holds frame `i % frames`).
    lens: Vec<u32>,
    /// Slots owned by user space, in the order they are to be sent.
    free: VecDeque<u64>,
    frame_size: u32,
    name: String,
    queued: u64,
    completed: u64,
}

impl std::fmt::Debug for XskTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XskTx")
            .field("name", &self.name)
            .field("slots", &self.lens.len())
            .field("queued", &self.queued)
            .field("completed", &self.completed)
            .finish_non_exhaustive()
    }
}

// SAFETY: the socket exclusively owns its mappings and descriptor; the kernel is the only other party and is
// synchronised through the rings' atomic indices. Moving it to another thread is sound; it is not Sync.
unsafe impl Send for XskTx {}

impl XskTx {
    /// Creates the socket and its UMEM, copies `frames` into it (repeated to fill at least `cfg.min_slots` slots),
    /// and binds it in copy mode to `queue` of `ifname`.
    ///
    /// # Errors
    /// No frames, a frame larger than the UMEM frame, bad sizes, unknown interface or queue, no permission.
    pub fn open(
        ifname: &str,
        queue: u32,
        cfg: &XskTxConfig,
        frames: &[&[u8]],
    ) -> Result<Self, LiveError> {
        let name = format!("{ifname} queue {queue} (TX)");
        let bad = |why: String| LiveError::new(&name, "bad AF_XDP TX config", why);
        if !matches!(cfg.frame_size, 2048 | 4096) {
            return Err(bad(format!("frame size {} (2048 or 4096)", cfg.frame_size)));
        }
        if !cfg.ring.is_power_of_two() || !(64..=1 << 16).contains(&cfg.ring) {
            return Err(bad(format!(
                "ring size {} (power of two, 64..=65536)",
                cfg.ring
            )));
        }
        if frames.is_empty() {
            return Err(bad("no frames to send".into()));
        }
        if let Some(f) = frames
            .iter()
            .find(|f| f.len() > cfg.frame_size as usize || f.len() < 14)
        {
            return Err(bad(format!(
                "a frame of {} bytes (14..={})",
                f.len(),
                cfg.frame_size
            )));
        }
        let n = frames.len();
        let min = (cfg.min_slots as usize).max(cfg.ring as usize).max(n);
        let slots = min.div_ceil(n) * n;
        if slots > 1 << 20 {
            return Err(bad(format!("{slots} UMEM frames (at most 1048576)")));
        }
        let ifx = ifindex(ifname)?;

        // SAFETY: plain socket(2) call; the result is checked and wrapped in an OwnedFd at once.
        let raw = unsafe { libc::socket(libc::AF_XDP, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            return Err(LiveError::os(
                &name,
                "AF_XDP socket failed",
                "socket",
                &std::io::Error::last_os_error(),
            ));
        }
        // SAFETY: `raw` is a fresh descriptor we own and nothing else closes.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let raw = fd.as_raw_fd();
        let fsz = cfg.frame_size as usize;
        let umem_len = slots * fsz;
        let umem = Umem::new(umem_len)
            .map_err(|e| LiveError::os(&name, "UMEM allocation failed", "mmap", &e))?;
        let mut lens = Vec::with_capacity(slots);
        for s in 0..slots {
            let f = frames[s % n];
            // SAFETY: slot `s` is `s * fsz .. s * fsz + f.len()`, inside the `slots * fsz` bytes of the UMEM
            // (f.len() <= fsz checked above); nothing else references the fresh mapping yet, and `f` is a separate
            // allocation, so the ranges do not overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(f.as_ptr(), umem.base.as_ptr().add(s * fsz), f.len());
            }
            lens.push(u32::try_from(f.len()).unwrap_or(0));
        }
        let reg = libc::xdp_umem_reg {
            addr: umem.base.as_ptr() as u64,
            len: umem_len as u64,
            chunk_size: cfg.frame_size,
            headroom: 0,
            flags: 0,
            tx_metadata_len: 0,
        };
        let os = |what: &'static str, call: &'static str| {
            let name = name.clone();
            move |e: std::io::Error| LiveError::os(&name, what, call, &e)
        };
        setsockopt(raw, libc::XDP_UMEM_REG, &reg)
            .map_err(os("UMEM registration failed", "setsockopt(XDP_UMEM_REG)"))?;
        // The kernel wants a fill ring on every UMEM even when nothing is received; it stays small and unmapped.
        let fill_size = 64u32;
        setsockopt(raw, libc::XDP_UMEM_FILL_RING, &fill_size).map_err(os(
            "fill ring setup failed",
            "setsockopt(XDP_UMEM_FILL_RING)",
        ))?;
        setsockopt(raw, libc::XDP_UMEM_COMPLETION_RING, &cfg.ring).map_err(os(
            "completion ring setup failed",
            "setsockopt(XDP_UMEM_COMPLETION_RING)",
        ))?;
        setsockopt(raw, libc::XDP_TX_RING, &cfg.ring)
            .map_err(os("TX ring setup failed", "setsockopt(XDP_TX_RING)"))?;
        // SAFETY: xdp_mmap_offsets is plain old data; all-zero is a valid value that getsockopt overwrites.
        let mut off: libc::xdp_mmap_offsets = unsafe { std::mem::zeroed() };
        let got = getsockopt(raw, libc::XDP_MMAP_OFFSETS, &mut off)
            .map_err(os("ring offsets failed", "getsockopt(XDP_MMAP_OFFSETS)"))?;
        if got != std::mem::size_of::<libc::xdp_mmap_offsets>() {
            return Err(LiveError::new(
                &name,
                "ring offsets failed",
                "kernel too old (no ring flags, needs >= 5.4)",
            ));
        }
        let comp = Ring::<u64>::map(
            raw,
            libc::XDP_UMEM_PGOFF_COMPLETION_RING as i64,
            &off.cr,
            cfg.ring,
        )
        .map_err(os("completion ring map failed", "mmap"))?;
        let tx = Ring::<libc::xdp_desc>::map(raw, libc::XDP_PGOFF_TX_RING, &off.tx, cfg.ring)
            .map_err(os("TX ring map failed", "mmap"))?;
        let addr = libc::sockaddr_xdp {
            sxdp_family: libc::AF_XDP as u16,
            sxdp_flags: libc::XDP_COPY,
            sxdp_ifindex: ifx,
            sxdp_queue_id: queue,
            sxdp_shared_umem_fd: 0,
        };
        let len = libc::socklen_t::try_from(std::mem::size_of::<libc::sockaddr_xdp>())
            .map_err(|_| LiveError::new(&name, "AF_XDP bind failed", "address size"))?;
        // SAFETY: `addr` is a valid sockaddr_xdp of `len` bytes, only read by the kernel.
        let rc = unsafe { libc::bind(raw, std::ptr::from_ref(&addr).cast(), len) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            return Err(LiveError::os(
                &name,
                "AF_XDP bind failed",
                "bind(XDP_COPY)",
                &e,
            ));
        }
        Ok(Self {
            tx,
            comp,
            fd,
            umem,
            lens,
            free: (0..slots as u64)
                .map(|s| s * cfg.frame_size as u64)
                .collect(),
            frame_size: cfg.frame_size,
            name,
            queued: 0,
            completed: 0,
        })
    }

    /// UMEM slots (a multiple of the number of distinct frames).
    #[must_use]
    pub fn slots(&self) -> usize {
        self.lens.len()
    }

    /// Puts up to `max` free frames into the TX ring, in slot order (round-robin over the loaded frames while the
    /// kernel completes in order, which it does in copy mode). Returns how many were queued; call
    /// [`kick`](Self::kick) to make the kernel send them.
    pub fn queue(&mut self, max: u32) -> u32 {
        let want = max.min(u32::try_from(self.free.len()).unwrap_or(u32::MAX));
        let n = self.tx.free(want);
        for i in 0..n {
            let Some(addr) = self.free.pop_front() else {
                // Cannot happen (n <= free.len()); publish what was written.
                self.tx.submit(i);
                self.queued += u64::from(i);
                return i;
            };
            let slot = (addr / u64::from(self.frame_size)) as usize;
            let len = self.lens.get(slot).copied().unwrap_or(0);
            self.tx.write(
                i,
                libc::xdp_desc {
                    addr,
                    len,
                    options: 0,
                },
            );
        }
        self.tx.submit(n);
        self.queued += u64::from(n);
        n
    }

    /// Asks the kernel to send what is in the TX ring (`sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0)`; in copy mode
    /// the kernel sends at most one batch of 32 frames per call).
    ///
    /// # Errors
    /// The socket failed for another reason than EAGAIN/EBUSY/ENOBUFS/EINTR.
    pub fn kick(&self) -> Result<Kick, LiveError> {
        // SAFETY: a zero-length non-blocking sendto on our own socket with null buffer and address, which AF_XDP
        // accepts (it only triggers transmission of the TX ring).
        let rc = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                std::ptr::null(),
                0,
                libc::MSG_DONTWAIT,
                std::ptr::null(),
                0,
            )
        };
        if rc >= 0 {
            return Ok(Kick::Sent);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EAGAIN | libc::ENOBUFS | libc::EINTR) => Ok(Kick::Again),
            Some(libc::EBUSY) => Ok(Kick::Dropped),
            _ => Err(LiveError::os(
                &self.name,
                "AF_XDP send failed",
                "sendto",
                &e,
            )),
        }
    }

    /// Reads the completion ring and returns the completed frames to the free list for reuse. Returns how many.
    pub fn complete(&mut self) -> u32 {
        let n = self.comp.available(u32::MAX);
        if n == 0 {
            return 0;
        }
        let mask = !u64::from(self.frame_size - 1);
        let umem_len = self.umem.len as u64;
        for i in 0..n {
            let a = self.comp.read(i) & mask;
            if a < umem_len {
                self.free.push_back(a);
            }
        }
        self.comp.release(n);
        self.completed += u64::from(n);
        n
    }

    /// Frames given to the kernel and not completed yet.
    #[must_use]
    pub fn in_flight(&self) -> u64 {
        self.queued - self.completed
    }

    /// Frames queued and completed so far.
    #[must_use]
    pub fn counts(&self) -> (u64, u64) {
        (self.queued, self.completed)
    }

    /// The kernel's TX counters of this socket.
    ///
    /// # Errors
    /// getsockopt failed.
    pub fn stats(&self) -> Result<XskTxStats, LiveError> {
        // SAFETY: xdp_statistics is plain old data; all-zero is valid and getsockopt overwrites it.
        let mut s: libc::xdp_statistics = unsafe { std::mem::zeroed() };
        getsockopt(self.fd.as_raw_fd(), libc::XDP_STATISTICS, &mut s)
            .map_err(|e| LiveError::os(&self.name, "XDP_STATISTICS failed", "getsockopt", &e))?;
        Ok(XskTxStats {
            tx_invalid_descs: s.tx_invalid_descs,
            tx_ring_empty_descs: s.tx_ring_empty_descs,
        })
    }
}

impl AsRawFd for XskTx {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
