//! Errors of live capture: one line naming the interface and what failed.

use std::fmt::Write as _;

/// Why a live-capture step failed on an interface. Renders as one line:
/// `eth9: XDP attach failed: <cause> (needs CAP_NET_ADMIN, CAP_BPF)`.
#[derive(Debug, thiserror::Error)]
#[error("{iface}: {what}: {detail}")]
pub struct LiveError {
    /// The interface (or `interface queue N`).
    pub iface: String,
    /// The step that failed ("XDP attach failed", "AF_XDP bind failed", …).
    pub what: &'static str,
    /// The cause, on one line, with a hint when it is a permission problem.
    pub detail: String,
    /// The OS error number when the cause was a system call.
    pub errno: Option<i32>,
}

impl LiveError {
    pub(crate) fn new(iface: &str, what: &'static str, detail: impl Into<String>) -> Self {
        Self {
            iface: iface.to_owned(),
            what,
            detail: one_line(&detail.into()),
            errno: None,
        }
    }

    /// From an OS error: adds the capability hint for EPERM/EACCES.
    pub(crate) fn os(iface: &str, what: &'static str, call: &str, err: &std::io::Error) -> Self {
        let errno = err.raw_os_error();
        let mut detail = format!("{call}: {err}");
        if matches!(errno, Some(libc::EPERM | libc::EACCES)) {
            detail.push_str(CAPS_HINT);
        }
        Self {
            iface: iface.to_owned(),
            what,
            detail,
            errno,
        }
    }

    /// From any error with a source chain (aya's errors): the chain joined on one line, bounded in length.
    pub(crate) fn chain(
        iface: &str,
        what: &'static str,
        err: &(dyn std::error::Error + 'static),
    ) -> Self {
        let mut detail = String::new();
        let mut errno = None;
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = cur {
            let text = e.to_string();
            if !detail.contains(&text) {
                if !detail.is_empty() {
                    detail.push_str(": ");
                }
                let _ = write!(detail, "{text}");
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                errno = errno.or(io.raw_os_error());
            }
            cur = e.source();
        }
        let mut detail = one_line(&detail);
        let denied = matches!(errno, Some(libc::EPERM | libc::EACCES))
            || detail.contains("Operation not permitted")
            || detail.contains("Permission denied");
        if denied {
            detail.push_str(CAPS_HINT);
        }
        Self {
            iface: iface.to_owned(),
            what,
            detail,
            errno,
        }
    }
}

const CAPS_HINT: &str = " (needs CAP_NET_ADMIN, CAP_BPF)";

/// Newlines (verifier logs) folded, length bounded so the message stays one readable line.
fn one_line(s: &str) -> String {
    const MAX: usize = 400;
    let mut out: String = s
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if out.len() > MAX {
        let mut cut = MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}
