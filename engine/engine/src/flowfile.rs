//! The `-F` record file: appended to (never truncated), rotated by size and age into `PATH.1.gz`, `PATH.2.gz`, …
//! (at most `keep` of them, the oldest deleted), and reopened on SIGHUP for external rotation (logrotate).
//!
//! The disk it may use is bounded: the live file stops at `max_size` (checked after each chunk, so it overshoots by
//! less than one chunk) and at most `keep` compressed files follow it. Compression runs on a thread of its own so
//! the writer, and through it the workers, never waits for gzip; a rotation that finds the previous compression
//! still running waits for it (the cap holds).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// When a record file rotates and how many rotated files it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Rotate once the file holds this many bytes.
    pub max_size: u64,
    /// Rotate once the file has been written to for this long (`None` = by size only).
    pub max_age: Option<Duration>,
    /// Rotated files kept (`PATH.1.gz` … `PATH.<keep>.gz`); 0 = the rotated file is deleted.
    pub keep: usize,
}

impl Default for Rotation {
    fn default() -> Self {
        Self {
            max_size: 256 << 20,
            max_age: None,
            keep: 8,
        }
    }
}

/// A record file that rotates and reopens itself; use it as the writer's destination.
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    size: u64,
    opened: Instant,
    rotation: Rotation,
    reopen: Arc<AtomicBool>,
    compressor: Option<JoinHandle<io::Result<()>>>,
    /// Rotations done (for tests and the summary).
    pub rotations: u64,
}

fn open_append(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(crate::privileges::FILE_MODE)
        .open(path)
}

fn numbered(path: &Path, n: usize, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{n}{ext}"));
    PathBuf::from(s)
}

/// Gzips `from` into `to` (through `to.part`, so a crash never leaves a truncated `.gz`), then deletes `from`.
fn compress(from: &Path, to: &Path) -> io::Result<()> {
    let part = numbered(to, 0, ".part");
    let mut input = File::open(from)?;
    let mut enc = flate2::write::GzEncoder::new(File::create(&part)?, flate2::Compression::fast());
    io::copy(&mut input, &mut enc)?;
    enc.finish()?.sync_all()?;
    std::fs::rename(&part, to)?;
    std::fs::remove_file(from)
}

impl RotatingFile {
    /// Opens `path` for appending; `reopen` is the flag a SIGHUP sets.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn open(path: &Path, rotation: Rotation, reopen: Arc<AtomicBool>) -> io::Result<Self> {
        let file = open_append(path)?;
        let size = file.metadata()?.len();
        // A rotation interrupted by a stop left `PATH.1` uncompressed: finish it before anything shifts.
        let leftover = numbered(path, 1, "");
        if leftover.exists() {
            compress(&leftover, &numbered(path, 1, ".gz"))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            size,
            opened: Instant::now(),
            rotation,
            reopen,
            compressor: None,
            rotations: 0,
        })
    }

    fn wait_for_compressor(&mut self) {
        if let Some(h) = self.compressor.take() {
            match h.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!(
                    "xntop: -F: compressing a rotated {} failed: {e}",
                    self.path.display()
                ),
                Err(_) => eprintln!("xntop: -F: the compression thread panicked"),
            }
        }
    }

    /// Rotates now: `PATH.N.gz` → `PATH.N+1.gz` (the last deleted), `PATH` → `PATH.1` (compressed in the
    /// background into `PATH.1.gz`), a new empty `PATH`.
    fn rotate(&mut self) -> io::Result<()> {
        self.wait_for_compressor();
        let keep = self.rotation.keep;
        let _ = std::fs::remove_file(numbered(&self.path, keep.max(1), ".gz"));
        for n in (1..keep).rev() {
            let from = numbered(&self.path, n, ".gz");
            if from.exists() {
                std::fs::rename(&from, numbered(&self.path, n + 1, ".gz"))?;
            }
        }
        let staged = numbered(&self.path, 1, "");
        std::fs::rename(&self.path, &staged)?;
        self.file = open_append(&self.path)?;
        self.size = 0;
        self.opened = Instant::now();
        self.rotations += 1;
        if keep == 0 {
            std::fs::remove_file(&staged)?;
        } else {
            let target = numbered(&self.path, 1, ".gz");
            self.compressor = Some(
                std::thread::Builder::new()
                    .name("xntop-gzip".into())
                    .spawn(move || compress(&staged, &target))?,
            );
        }
        Ok(())
    }

    /// Rotates or reopens when due; called after each chunk is written.
    fn maintain(&mut self) -> io::Result<()> {
        if self.reopen.swap(false, Ordering::AcqRel) {
            // Someone moved the file away (logrotate) and asked us to let go of it.
            self.file = open_append(&self.path)?;
            self.size = self.file.metadata()?.len();
            self.opened = Instant::now();
        }
        let too_old = self
            .rotation
            .max_age
            .is_some_and(|age| self.size > 0 && self.opened.elapsed() >= age);
        if self.size >= self.rotation.max_size || too_old {
            self.rotate()?;
        }
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()?;
        self.maintain()
    }
}

impl Drop for RotatingFile {
    fn drop(&mut self) {
        self.wait_for_compressor();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("xntop-flowfile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).ok();
        d
    }

    fn gunzip(p: &Path) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(File::open(p).expect("open gz"))
            .read_to_string(&mut s)
            .expect("gunzip");
        s
    }

    #[test]
    fn appends_rotates_keeps_and_caps() {
        let d = tmp("rotate");
        let path = d.join("flows.jsonl");
        std::fs::write(&path, "old\n").expect("seed");
        let rotation = Rotation {
            max_size: 100,
            max_age: None,
            keep: 2,
        };
        let mut f =
            RotatingFile::open(&path, rotation, Arc::new(AtomicBool::new(false))).expect("open");
        let mut written = Vec::new();
        for i in 0..40 {
            let line = format!("record {i:04} xxxxxxxxxxxxxxxx\n");
            f.write_all(line.as_bytes()).expect("write");
            f.flush().expect("flush");
            written.push(line);
        }
        drop(f);
        // Appended to the existing content, never truncated; rotated at each 100 bytes.
        let current = std::fs::read_to_string(&path).expect("read");
        let one = gunzip(&numbered(&path, 1, ".gz"));
        let two = gunzip(&numbered(&path, 2, ".gz"));
        assert!(!numbered(&path, 3, ".gz").exists(), "at most `keep` files");
        assert!(
            !numbered(&path, 1, "").exists(),
            "staging file compressed away"
        );
        // The three files hold the newest records in order, oldest first, with nothing lost in between.
        let tail = format!("{two}{one}{current}");
        let all: String = written.concat();
        assert!(
            all.ends_with(&tail),
            "rotated files are the newest records in order"
        );
        assert!(one.len() >= 100 && one.len() < 100 + 30);
        assert!(current.len() < 100);
    }

    #[test]
    fn reopens_after_an_external_move() {
        let d = tmp("reopen");
        let path = d.join("eve.json");
        let flag = Arc::new(AtomicBool::new(false));
        let mut f =
            RotatingFile::open(&path, Rotation::default(), Arc::clone(&flag)).expect("open");
        f.write_all(b"first\n").expect("write");
        f.flush().expect("flush");
        let moved = d.join("eve.json.moved");
        std::fs::rename(&path, &moved).expect("move");
        f.write_all(b"second\n").expect("write");
        flag.store(true, Ordering::Release); // what SIGHUP does
        f.flush().expect("flush");
        f.write_all(b"third\n").expect("write");
        f.flush().expect("flush");
        assert_eq!(
            std::fs::read_to_string(&moved).ok().as_deref(),
            Some("first\nsecond\n")
        );
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("third\n")
        );
    }

    #[test]
    fn rotates_by_age() {
        let d = tmp("age");
        let path = d.join("f.jsonl");
        let rotation = Rotation {
            max_size: u64::MAX,
            max_age: Some(Duration::from_millis(50)),
            keep: 1,
        };
        let mut f =
            RotatingFile::open(&path, rotation, Arc::new(AtomicBool::new(false))).expect("open");
        f.write_all(b"a\n").expect("write");
        f.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(60));
        f.write_all(b"b\n").expect("write");
        f.flush().expect("flush");
        assert_eq!(f.rotations, 1);
        drop(f);
        assert_eq!(gunzip(&numbered(&path, 1, ".gz")), "a\nb\n");
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some(""));
    }
}
