//! The XDP program (ebpf/xntop_xdp.c, embedded as a compiled object): load, attach, counters, XSKMAP.

use std::os::fd::AsRawFd;

use aya::maps::{Array, PerCpuArray, XskMap};
use aya::programs::{xdp::XdpLinkId, Xdp, XdpMode as AyaMode};
use aya::Ebpf;

use super::LiveError;

/// The compiled XDP program (rebuilt and compared by `ebpf/check.sh`).
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../ebpf/xntop_xdp.o"
));

// Names and indices from ebpf/xntop_xdp.h.
const PROG_NAME: &str = "xntop_xdp";
const MAP_XSKS: &str = "XSKS";
const MAP_COUNTERS: &str = "COUNTERS";
const MAP_CONFIG: &str = "CONFIG";
/// Entries of the XSKMAP (XNTOP_MAX_QUEUES).
pub const MAX_QUEUES: u32 = 256;
const CNT_SEEN: u32 = 0;
const CNT_REDIRECTED: u32 = 1;
const CNT_PASSED: u32 = 2;
const CNT_DROPPED: u32 = 3;
const CFG_DROP_PROTO: u32 = 0;

/// How to attach the XDP program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum XdpMode {
    /// In the driver (fails when the driver has no XDP support).
    Native,
    /// Generic (SKB) mode: works on every interface, slower.
    Generic,
    /// Native, falling back to generic when native attach fails.
    #[default]
    Auto,
}

/// The program's counters, summed over CPUs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XdpCounters {
    /// Packets the program ran on.
    pub seen: u64,
    /// Packets redirected to an AF_XDP socket (the redirect may still fail in the kernel: see `XskStats`).
    pub redirected: u64,
    /// Packets passed to the kernel stack (no socket registered for the queue).
    pub passed: u64,
    /// Packets dropped by the protocol filter.
    pub dropped: u64,
}

/// The loaded and attached XDP program; detached when dropped.
pub struct XdpProgram {
    ebpf: Ebpf,
    link: Option<XdpLinkId>,
    ifname: String,
    ifindex: u32,
    mode: XdpMode,
}

impl std::fmt::Debug for XdpProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XdpProgram")
            .field("ifname", &self.ifname)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl XdpProgram {
    /// Loads the embedded program and attaches it to `ifname`. `Auto` tries native mode then generic.
    ///
    /// # Errors
    /// Unknown interface, load (verifier) failure, attach failure (another XDP program attached, no
    /// CAP_NET_ADMIN/CAP_BPF, no native XDP support when `Native`).
    pub fn attach(ifname: &str, mode: XdpMode) -> Result<Self, LiveError> {
        let ifindex = super::sys::ifindex(ifname)?;
        let mut ebpf = Ebpf::load(OBJECT)
            .map_err(|e| LiveError::chain(ifname, "XDP program load failed", &e))?;
        let prog: &mut Xdp = ebpf
            .program_mut(PROG_NAME)
            .ok_or_else(|| {
                LiveError::new(
                    ifname,
                    "XDP program load failed",
                    "program missing from the object",
                )
            })?
            .try_into()
            .map_err(|e: aya::programs::ProgramError| {
                LiveError::chain(ifname, "XDP program load failed", &e)
            })?;
        prog.load()
            .map_err(|e| LiveError::chain(ifname, "XDP program load failed", &e))?;
        let (link, got) = match mode {
            XdpMode::Native => (
                prog.attach_to_if_index(ifindex, AyaMode::Driver),
                XdpMode::Native,
            ),
            XdpMode::Generic => (
                prog.attach_to_if_index(ifindex, AyaMode::Skb),
                XdpMode::Generic,
            ),
            XdpMode::Auto => match prog.attach_to_if_index(ifindex, AyaMode::Driver) {
                Ok(l) => (Ok(l), XdpMode::Native),
                Err(_) => (
                    prog.attach_to_if_index(ifindex, AyaMode::Skb),
                    XdpMode::Generic,
                ),
            },
        };
        let link = link.map_err(|e| {
            let mut err = LiveError::chain(ifname, "XDP attach failed", &e);
            let hint = match err.errno {
                _ if err.detail.contains("CAP_") => "",
                Some(libc::EOPNOTSUPP) => " (the driver has no native XDP: use generic mode)",
                Some(libc::EBUSY | libc::EEXIST) => {
                    " (another XDP program is attached to this interface)"
                }
                _ => " (needs CAP_NET_ADMIN, CAP_BPF)",
            };
            err.detail.push_str(hint);
            err
        })?;
        Ok(Self {
            ebpf,
            link: Some(link),
            ifname: ifname.to_owned(),
            ifindex,
            mode: got,
        })
    }

    /// The mode the program is attached in (`Native` or `Generic`, never `Auto`).
    #[must_use]
    pub fn mode(&self) -> XdpMode {
        self.mode
    }

    /// Interface name.
    #[must_use]
    pub fn ifname(&self) -> &str {
        &self.ifname
    }

    /// Interface index.
    #[must_use]
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// Counters summed over CPUs (zeros if the map cannot be read).
    #[must_use]
    pub fn counters(&self) -> XdpCounters {
        let Some(map) = self.ebpf.map(MAP_COUNTERS) else {
            return XdpCounters::default();
        };
        let Ok(arr) = PerCpuArray::<_, u64>::try_from(map) else {
            return XdpCounters::default();
        };
        let sum = |idx: u32| {
            arr.get(&idx, 0)
                .map(|v| v.iter().copied().fold(0u64, u64::wrapping_add))
                .unwrap_or(0)
        };
        XdpCounters {
            seen: sum(CNT_SEEN),
            redirected: sum(CNT_REDIRECTED),
            passed: sum(CNT_PASSED),
            dropped: sum(CNT_DROPPED),
        }
    }

    /// Puts the AF_XDP socket `fd` (bound to `queue` of this interface) in the XSKMAP.
    ///
    /// # Errors
    /// Queue beyond the map, or the kernel refuses the descriptor (not an AF_XDP socket, not bound).
    pub fn register(&mut self, queue: u32, fd: &impl AsRawFd) -> Result<(), LiveError> {
        let name = self.ifname.clone();
        let map = self.ebpf.map_mut(MAP_XSKS).ok_or_else(|| {
            LiveError::new(&name, "XSKMAP update failed", "map missing from the object")
        })?;
        let mut xsks = XskMap::try_from(map)
            .map_err(|e| LiveError::chain(&name, "XSKMAP update failed", &e))?;
        xsks.set(queue, fd.as_raw_fd(), 0).map_err(|e| {
            LiveError::chain(&format!("{name} queue {queue}"), "XSKMAP update failed", &e)
        })
    }

    /// Removes the socket of `queue` from the XSKMAP (its packets then go to the kernel stack).
    ///
    /// # Errors
    /// Queue beyond the map.
    pub fn unregister(&mut self, queue: u32) -> Result<(), LiveError> {
        let name = self.ifname.clone();
        let map = self.ebpf.map_mut(MAP_XSKS).ok_or_else(|| {
            LiveError::new(&name, "XSKMAP update failed", "map missing from the object")
        })?;
        let mut xsks = XskMap::try_from(map)
            .map_err(|e| LiveError::chain(&name, "XSKMAP update failed", &e))?;
        match xsks.unset(queue) {
            Ok(()) => Ok(()),
            // Deleting an empty slot reports ENOENT: already unregistered.
            Err(e) if LiveError::chain(&name, "", &e).errno == Some(libc::ENOENT) => Ok(()),
            Err(e) => Err(LiveError::chain(
                &format!("{name} queue {queue}"),
                "XSKMAP update failed",
                &e,
            )),
        }
    }

    /// Drops every IPv4/IPv6 packet of IP protocol `proto` in the program (`None`: filter off, the default).
    ///
    /// # Errors
    /// The config map cannot be written.
    pub fn set_drop_protocol(&mut self, proto: Option<u8>) -> Result<(), LiveError> {
        let name = self.ifname.clone();
        let map = self.ebpf.map_mut(MAP_CONFIG).ok_or_else(|| {
            LiveError::new(
                &name,
                "XDP config update failed",
                "map missing from the object",
            )
        })?;
        let mut cfg = Array::<_, u32>::try_from(map)
            .map_err(|e| LiveError::chain(&name, "XDP config update failed", &e))?;
        cfg.set(CFG_DROP_PROTO, u32::from(proto.unwrap_or(0)), 0)
            .map_err(|e| LiveError::chain(&name, "XDP config update failed", &e))
    }
}

impl Drop for XdpProgram {
    fn drop(&mut self) {
        if let Some(link) = self.link.take() {
            if let Some(prog) = self.ebpf.program_mut(PROG_NAME) {
                if let Ok(xdp) = <&mut Xdp>::try_from(prog) {
                    // Detach now; dropping `ebpf` would also detach, this makes the order explicit.
                    let _ = xdp.detach(link);
                }
            }
        }
    }
}
