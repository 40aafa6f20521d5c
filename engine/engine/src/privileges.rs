//! Process set-up around the capture: daemonising, the pid file, files created private, and dropping root once
//! everything is open (with nothing left that could bring it back).

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

/// Mode of the files xntop creates (`-G`, `-F`, `--stats-json`, `--dump-snapshot`): flow records name hosts and
/// what they talk to, so others do not read them; the umask can only narrow it, and an existing file keeps its mode.
pub const FILE_MODE: u32 = 0o640;

/// Creates (or truncates) `path` for writing, new files with [`FILE_MODE`].
///
/// # Errors
/// The OS error of `open`.
pub fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)
}

/// Writes `contents` to a file made by [`create_file`].
///
/// # Errors
/// The OS error of `open` or `write`.
pub fn write_file(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::io::Write;
    create_file(path)?.write_all(contents.as_ref())
}

/// Writes our pid, one line.
///
/// # Errors
/// When the file cannot be written.
pub fn write_pid_file(path: &Path) -> Result<()> {
    write_file(path, format!("{}\n", std::process::id()))
        .with_context(|| format!("-G: cannot write pid file {}", path.display()))
}

/// Before `-U`: empties the capability bounding, inheritable and ambient sets and sets `no_new_privs`, so that
/// once the user is switched nothing (no set-uid program, no file capability) can give privileges back. The
/// effective and permitted sets stay until [`drop_to`]. Must run before any thread is started: these are per
/// thread, inherited by the threads created afterwards. Programs run after it (none today) get no capabilities.
///
/// # Errors
/// When a set cannot be changed (not root: no CAP_SETPCAP).
pub fn harden() -> Result<()> {
    xntop_capture::process::clear_bounding_set()
        .context("-U: cannot empty the capability bounding set")?;
    xntop_capture::process::clear_inheritable_and_ambient()
        .context("-U: cannot empty the inheritable and ambient capability sets")?;
    nix::sys::prctl::set_no_new_privs().context("-U: cannot set no_new_privs")
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
