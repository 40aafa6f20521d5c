//! Capability hardening before root is dropped (`-U`): raw `prctl`/`capset` calls, hence here.
//!
//! Capability sets are per thread and inherited by the threads a thread creates, so these run on the main thread
//! before any other thread exists. They take nothing away from the effective and permitted sets the capture still
//! needs until the switch of user; they empty what could bring privileges back afterwards: the bounding set (what
//! an `execve` may grant), the inheritable and ambient sets.

/// `_LINUX_CAPABILITY_VERSION_3`: two 32-bit words per set.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Drops every capability from the calling thread's bounding set. Needs CAP_SETPCAP (root has it).
///
/// # Errors
/// The OS error of the first drop that failed for a capability the kernel knows.
pub fn clear_bounding_set() -> std::io::Result<()> {
    // The highest capability this kernel knows; newer kernels add some, so it is read rather than assumed.
    let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse::<libc::c_ulong>().ok())
        .unwrap_or(63);
    for cap in 0..=last {
        // SAFETY: prctl with integer arguments only.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            // EINVAL: past the kernel's last capability (the fallback of 63 guessed too high).
            if e.raw_os_error() == Some(libc::EINVAL) {
                break;
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Empties the calling thread's inheritable and ambient capability sets (the effective and permitted sets stay).
///
/// # Errors
/// The OS error of `capget`, `capset` or the ambient `prctl`.
pub fn clear_inheritable_and_ambient() -> std::io::Result<()> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: `header` and `data` are valid for the kernel's v3 layout (a header and two data words per set).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_capget,
            std::ptr::from_mut(&mut header),
            data.as_mut_ptr(),
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    for d in &mut data {
        d.inheritable = 0;
    }
    // SAFETY: as above; the kernel only reads them.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_capset,
            std::ptr::from_mut(&mut header),
            data.as_ptr(),
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: prctl with integer arguments only. EINVAL on kernels before 4.3 (no ambient set): nothing to clear.
    let rc = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        )
    };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINVAL) {
            return Err(e);
        }
    }
    Ok(())
}
