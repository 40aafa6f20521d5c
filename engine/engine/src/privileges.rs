//! Process set-up around the capture: daemonising, the pid file, and dropping root once everything is open.

use std::path::Path;

use anyhow::{bail, Context, Result};
use nix::unistd::{setgid, setgroups, setuid, User};

/// Detaches from the terminal. Must run before any thread is started (forking a threaded process is unsafe).
///
/// # Errors
/// When the fork fails.
pub fn daemonize() -> Result<()> {
    // Keep the working directory (relative paths in the command line stay valid); close stdio.
    nix::unistd::daemon(true, false).context("-e: cannot become a daemon")
}

/// Writes our pid, one line.
///
/// # Errors
/// When the file cannot be written.
pub fn write_pid_file(path: &Path) -> Result<()> {
    std::fs::write(path, format!("{}\n", std::process::id()))
        .with_context(|| format!("-G: cannot write pid file {}", path.display()))
}

/// Switches to `user` (its primary group, no supplementary groups) for good.
///
/// # Errors
/// When the user does not exist or the switch fails (not root, for instance).
pub fn drop_to(user: &str) -> Result<()> {
    let Some(u) =
        User::from_name(user).with_context(|| format!("-U: cannot look up user {user}"))?
    else {
        bail!("-U: no such user: {user}");
    };
    // Order matters: groups first, while we still may change them; the uid last.
    setgroups(&[u.gid]).with_context(|| format!("-U {user}: cannot drop supplementary groups"))?;
    setgid(u.gid).with_context(|| format!("-U {user}: cannot change group"))?;
    setuid(u.uid).with_context(|| format!("-U {user}: cannot change user"))?;
    if setuid(nix::unistd::Uid::from_raw(0)).is_ok() && !u.uid.is_root() {
        bail!("-U {user}: root privileges could be regained");
    }
    Ok(())
}
