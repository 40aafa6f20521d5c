//! The inventory on disk: `<data dir>/devices.json`, written whole (to a temporary file, then renamed, mode 0600)
//! at most every [`SAVE_EVERY`] of wall time when it changed, and at exit; read back at start. A file that cannot be
//! read or written is reported once and the inventory goes on in memory (the failures are counted).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use xntop_model::devices::{DeviceStats, DeviceView};

pub const FILE_NAME: &str = "devices.json";
/// Wall time between writes of a changing inventory.
const SAVE_EVERY: Duration = Duration::from_secs(30);
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    devices: Vec<DeviceView>,
}

#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    last_save: Option<Instant>,
    /// Hash of what was last written, so an unchanged inventory is not rewritten.
    last_digest: u64,
    warned: bool,
}

fn digest(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl Store {
    /// The store in `dir` and the devices it holds (none when the file is missing; a file that does not parse is
    /// reported and left in place).
    pub fn open(dir: PathBuf) -> (Self, Vec<DeviceView>) {
        let path = dir.join(FILE_NAME);
        let devices = match std::fs::read_to_string(&path) {
            Ok(text) => match serde_json::from_str::<File>(&text) {
                Ok(f) if f.version == VERSION => f.devices,
                Ok(f) => {
                    eprintln!(
                        "xntop: {}: version {} is not {VERSION}; starting an empty inventory",
                        path.display(),
                        f.version
                    );
                    Vec::new()
                }
                Err(e) => {
                    eprintln!(
                        "xntop: {}: {e}; starting an empty inventory (the file is left as it is until the next save)",
                        path.display()
                    );
                    Vec::new()
                }
            },
            Err(_) => Vec::new(),
        };
        (
            Self {
                path,
                last_save: None,
                last_digest: 0,
                warned: false,
            },
            devices,
        )
    }

    /// Writes when [`SAVE_EVERY`] has passed since the last write.
    pub fn maybe_save(&mut self, devices: &[DeviceView], stats: &mut DeviceStats) {
        if self.last_save.is_some_and(|t| t.elapsed() < SAVE_EVERY) {
            return;
        }
        self.save(devices, stats);
    }

    pub fn save(&mut self, devices: &[DeviceView], stats: &mut DeviceStats) {
        self.last_save = Some(Instant::now());
        let file = File {
            version: VERSION,
            devices: devices.to_vec(),
        };
        let Ok(text) = serde_json::to_string(&file) else {
            return;
        };
        let d = digest(&text);
        if d == self.last_digest {
            return;
        }
        match write_private(&self.path, &text) {
            Ok(()) => self.last_digest = d,
            Err(e) => {
                stats.save_errors += 1;
                if !self.warned {
                    self.warned = true;
                    eprintln!(
                        "xntop: cannot write the device inventory to {}: {e} (kept in memory; failures are counted)",
                        self.path.display()
                    );
                }
            }
        }
    }
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_data()?;
    std::fs::rename(&tmp, path)
}
