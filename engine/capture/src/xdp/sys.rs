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
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime writes only into it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
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
