//! Scheduling of the threads around the capture (aggregator, web server, exporters): they must never take CPU a
//! worker or a reader needs, so they run on the cores no worker is pinned to, at a lower priority.

/// Nice value of background threads: under contention the scheduler gives a nice-0 capture thread about nine
/// times their share.
const BACKGROUND_NICE: i32 = 10;

/// Moves the calling thread to `cores` (when any are given) and lowers its priority. Best effort: a failure only
/// means the thread keeps the default scheduling, so it is reported, not fatal.
///
/// # Errors
/// The OS error of the first call that failed.
pub fn make_background(cores: &[usize]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        if !cores.is_empty() {
            // SAFETY: cpu_set_t is a plain bit array; all-zero is the empty set.
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            for &c in cores {
                // SAFETY: CPU_SET bounds-checks `c` against the set's size (out-of-range cores are ignored).
                unsafe { libc::CPU_SET(c, &mut set) };
            }
            // SAFETY: pid 0 is the calling thread; `set` is a valid cpu_set_t of the size passed.
            let rc =
                unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
            if rc != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        // On Linux PRIO_PROCESS with who = 0 sets the calling thread's nice value, not the whole process's.
        // SAFETY: plain syscall with integer arguments.
        let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICE) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cores;
    Ok(())
}
