//! The open-file limit the connection cap needs: the soft limit is raised to the hard one at start when it is too
//! low for the cap (1,024, the usual soft limit, would not hold the cap and the rest of xntop's descriptors), and
//! the cap is lowered to fit when even the hard limit is too low.

use nix::sys::resource::{getrlimit, setrlimit, Resource, RLIM_INFINITY};

/// Descriptors kept for everything but web connections (captures, sockets, outputs, the runtime).
pub const RESERVED: u64 = 256;

/// `RLIMIT_NOFILE` after [`raise_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdLimit {
    pub soft: u64,
    pub hard: u64,
}

/// The kernel's ceiling for any process's descriptors (`RLIM_INFINITY` is not accepted for `RLIMIT_NOFILE`).
fn nr_open() -> u64 {
    std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1 << 20)
}

/// Raises the soft open-file limit to the hard limit when it is below `needed`.
///
/// # Errors
/// When the limit cannot be read or set.
pub fn raise_for(needed: u64) -> nix::Result<FdLimit> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft >= needed || soft >= hard {
        return Ok(FdLimit { soft, hard });
    }
    let target = if hard == RLIM_INFINITY {
        nr_open()
    } else {
        hard
    };
    setrlimit(Resource::RLIMIT_NOFILE, target, hard)?;
    Ok(FdLimit { soft: target, hard })
}

/// The connections `limit` holds, at most `cap`.
#[must_use]
pub fn connections_within(limit: FdLimit, cap: usize) -> usize {
    let room = usize::try_from(limit.soft.saturating_sub(RESERVED)).unwrap_or(usize::MAX);
    cap.min(room).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_fits_the_limit() {
        let l = |soft| FdLimit { soft, hard: soft };
        assert_eq!(connections_within(l(1 << 20), 1024), 1024);
        assert_eq!(connections_within(l(1024), 1024), 768);
        assert_eq!(connections_within(l(100), 1024), 1);
    }

    #[test]
    fn raising_never_lowers() {
        let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((0, 0));
        let after = raise_for(1).unwrap_or(FdLimit { soft: 0, hard: 0 });
        assert_eq!(after.soft, soft, "a limit high enough is left alone");
    }
}
