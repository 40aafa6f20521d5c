//! Small system helpers shared by the live sources.

use std::ffi::CString;

use super::LiveError;

/// Interface index of `ifname`.
pub(crate) fn ifindex(ifname: &str) -> Result<u32, LiveError> {
    let c = CString::new(ifname)
        .map_err(|_| LiveError::new(ifname, "bad interface name", "contains a NUL byte"))?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call; if_nametoindex only reads it.
    let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if idx == 0 {
        return Err(LiveError::os(
            ifname,
            "no such interface",
            "if_nametoindex",
            &std::io::Error::last_os_error(),
        ));
    }
    Ok(idx)
}

/// CLOCK_REALTIME in nanoseconds since the epoch (0 if the clock cannot be read).
#[must_use]
pub fn realtime_ns() -> u64 {
    clock_ns(libc::CLOCK_REALTIME)
}

/// CLOCK_MONOTONIC in nanoseconds (what the XDP program's `bpf_ktime_get_ns` reads).
#[must_use]
pub fn monotonic_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime writes only into it.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return 0;
    }
    u64::try_from(ts.tv_sec)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(ts.tv_nsec).unwrap_or(0))
}

/// Number of receive queues of `ifname` (the `rx-*` entries of `/sys/class/net/<if>/queues`).
pub fn rx_queues(ifname: &str) -> Result<usize, LiveError> {
    if ifname.is_empty() || ifname.contains('/') || ifname == "." || ifname == ".." {
        return Err(LiveError::new(
            ifname,
            "bad interface name",
            "empty or contains '/'",
        ));
    }
    ifindex(ifname)?;
    let dir = format!("/sys/class/net/{ifname}/queues");
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| LiveError::os(ifname, "cannot count RX queues", &dir, &e))?;
    let n = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("rx-")))
        .count();
    Ok(n)
}

/// `poll(2)` for input on one descriptor. Ok(true) when readable; EINTR counts as a timeout.
pub(crate) fn poll_in(fd: std::os::fd::RawFd, timeout_ms: i32) -> std::io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pfd` is one valid pollfd and nfds is 1; poll only writes `revents`.
    let rc = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if rc < 0 {
        let e = std::io::Error::last_os_error();
        return if e.kind() == std::io::ErrorKind::Interrupted {
            Ok(false)
        } else {
            Err(e)
        };
    }
    Ok(rc > 0 && pfd.revents & libc::POLLIN != 0)
}

/// An eventfd used as a doorbell: one thread rings it ([`notify`](Self::notify)) to wake another that waits in
/// [`PollSet::wait`] with it in its set. Non-blocking; the count is drained by [`drain`](Self::drain).
#[derive(Debug)]
pub struct EventFd {
    fd: std::os::fd::OwnedFd,
}

impl EventFd {
    /// A fresh eventfd (non-blocking, close-on-exec).
    ///
    /// # Errors
    /// eventfd(2) failed (out of descriptors).
    pub fn new() -> std::io::Result<Self> {
        use std::os::fd::FromRawFd;
        // SAFETY: plain eventfd(2) call; the result is checked and owned at once.
        let raw = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if raw < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor we own and nothing else closes.
        let fd = unsafe { std::os::fd::OwnedFd::from_raw_fd(raw) };
        Ok(Self { fd })
    }

    /// Adds 1 to the counter: the descriptor becomes readable. Never blocks (a full counter is already readable).
    pub fn notify(&self) {
        use std::os::fd::AsRawFd;
        let one: u64 = 1;
        // SAFETY: writes the 8 bytes of `one`, which outlives the call, to our own eventfd.
        unsafe {
            libc::write(self.fd.as_raw_fd(), std::ptr::from_ref(&one).cast(), 8);
        }
    }

    /// Resets the counter to 0 (no-op when it already is).
    pub fn drain(&self) {
        use std::os::fd::AsRawFd;
        let mut v: u64 = 0;
        // SAFETY: reads at most 8 bytes into `v`, a valid writable u64; non-blocking.
        unsafe {
            libc::read(self.fd.as_raw_fd(), std::ptr::from_mut(&mut v).cast(), 8);
        }
    }
}

impl std::os::fd::AsFd for EventFd {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A fixed set of descriptors to wait on for input with one `poll(2)`: built once, reused every wait (no
/// allocation per call).
#[derive(Debug)]
pub struct PollSet {
    fds: Vec<libc::pollfd>,
}

impl PollSet {
    /// A set of the given descriptors, in order (indices for [`is_ready`](Self::is_ready)). The descriptors must
    /// stay open while the set is used; a closed one is reported by the kernel as invalid, not as readable.
    #[must_use]
    pub fn new(fds: &[std::os::fd::BorrowedFd<'_>]) -> Self {
        use std::os::fd::AsRawFd;
        Self {
            fds: fds
                .iter()
                .map(|fd| libc::pollfd {
                    fd: fd.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect(),
        }
    }

    /// Waits up to `timeout_ms` (-1: forever) until one descriptor is readable. Returns how many are (0: timeout
    /// or EINTR).
    ///
    /// # Errors
    /// poll(2) failed for another reason than EINTR.
    pub fn wait(&mut self, timeout_ms: i32) -> std::io::Result<usize> {
        for p in &mut self.fds {
            p.revents = 0;
        }
        let n = libc::nfds_t::try_from(self.fds.len()).unwrap_or(libc::nfds_t::MAX);
        // SAFETY: `fds` is a valid array of `n` pollfds that outlives the call; poll only writes their `revents`.
        let rc = unsafe { libc::poll(self.fds.as_mut_ptr(), n, timeout_ms) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            return if e.kind() == std::io::ErrorKind::Interrupted {
                Ok(0)
            } else {
                Err(e)
            };
        }
        Ok(usize::try_from(rc).unwrap_or(0))
    }

    /// Whether descriptor `i` was readable at the last [`wait`](Self::wait).
    #[must_use]
    pub fn is_ready(&self, i: usize) -> bool {
        self.fds
            .get(i)
            .is_some_and(|p| p.revents & libc::POLLIN != 0)
    }
}

/// Asks the CPU to start loading the cache line at `p` (no effect on memory, never faults; a no-op off x86-64).
/// The frames were written by the kernel on another core, so the first read of each would otherwise stall.
#[inline(always)]
pub(crate) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it reads nothing architecturally and cannot fault, whatever the address; SSE is
    // part of the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
