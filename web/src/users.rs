//! The users file (`<data dir>/users.json`): user names with argon2id password hashes, never a clear password.
//!
//! Created on first start with one user, `admin`, whose password is either given (`--admin-password`) or
//! generated and shown once by the caller. Read once at start; the server only verifies against it.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use argon2::password_hash::rand_core::{OsRng, RngCore as _};
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

/// The name of the file inside the data directory.
pub const USERS_FILE: &str = "users.json";
/// The user created on first start.
pub const ADMIN: &str = "admin";
/// Longest accepted password, so a hostile login cannot make the server hash megabytes.
pub const MAX_PASSWORD_LEN: usize = 1024;

#[derive(Serialize, Deserialize, Clone, Debug)]
struct User {
    name: String,
    /// PHC string, `$argon2id$v=19$m=19456,t=2,p=1$…`.
    hash: String,
}

#[derive(Serialize, Deserialize, Default, Clone, Debug)]
struct UsersFile {
    users: Vec<User>,
}

/// The users allowed to log in.
#[derive(Clone, Debug)]
pub struct Users {
    users: Vec<User>,
    /// A hash of nothing, verified against when the user does not exist, so timing does not tell names apart.
    decoy: String,
}

/// What [`Users::open`] did to the file.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file existed and was only read.
    Loaded,
    /// The admin password was set from the caller's value.
    PasswordSet,
    /// The file was created with this generated admin password: show it once.
    Created(String),
}

/// Random bytes as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An argon2id hash (default parameters, random salt) of `password`.
///
/// # Errors
/// Only if the hasher rejects its input (it does not for passwords within [`MAX_PASSWORD_LEN`]).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

fn verify_hash(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

impl Users {
    /// Path of the users file in `dir`.
    #[must_use]
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(USERS_FILE)
    }

    /// Reads `<dir>/users.json`, creating the directory and the file when missing. With `admin_password`, the
    /// admin's hash is (re)written from it; without it and without a file, a random password is generated.
    ///
    /// # Errors
    /// When the directory or file cannot be created, read or written, or the file is not a users file.
    pub fn open(dir: &Path, admin_password: Option<&str>) -> anyhow::Result<(Self, Outcome)> {
        let path = Self::path(dir);
        let mut file = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<UsersFile>(&bytes)
                .with_context(|| format!("{}: not a users file", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => UsersFile::default(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let outcome = match admin_password {
            Some(pw) => {
                if pw.is_empty() || pw.len() > MAX_PASSWORD_LEN {
                    bail!("--admin-password: must be 1 to {MAX_PASSWORD_LEN} bytes");
                }
                file.set(ADMIN, hash_password(pw)?);
                Outcome::PasswordSet
            }
            None if file.users.is_empty() => {
                let pw = random_hex(12);
                file.set(ADMIN, hash_password(&pw)?);
                Outcome::Created(pw)
            }
            None => Outcome::Loaded,
        };
        if outcome != Outcome::Loaded {
            write_private(dir, &path, &file)?;
        }
        Ok((
            Self {
                users: file.users,
                decoy: hash_password(&random_hex(16))?,
            },
            outcome,
        ))
    }

    /// Whether `password` is `name`'s. Slow on purpose (argon2): call it off the async runtime.
    #[must_use]
    pub fn verify(&self, name: &str, password: &str) -> bool {
        if password.len() > MAX_PASSWORD_LEN {
            return false;
        }
        match self.users.iter().find(|u| u.name == name) {
            Some(u) => verify_hash(&u.hash, password),
            None => {
                let _ = verify_hash(&self.decoy, password);
                false
            }
        }
    }
}

impl UsersFile {
    fn set(&mut self, name: &str, hash: String) {
        match self.users.iter_mut().find(|u| u.name == name) {
            Some(u) => u.hash = hash,
            None => self.users.push(User {
                name: name.into(),
                hash,
            }),
        }
    }
}

/// Writes the file readable by its owner only, through a temporary file and a rename.
fn write_private(dir: &Path, path: &Path, file: &UsersFile) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("-d: cannot create {}", dir.display()))?;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(&serde_json::to_vec_pretty(file)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn creates_then_loads_then_sets() {
        let dir = std::env::temp_dir().join(format!("xntop-users-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (users, outcome) = Users::open(&dir, None).unwrap();
        let Outcome::Created(pw) = outcome else {
            panic!("expected a generated password")
        };
        assert!(users.verify(ADMIN, &pw));
        assert!(!users.verify(ADMIN, "wrong"));
        assert!(!users.verify("nobody", &pw));
        let text = std::fs::read_to_string(Users::path(&dir)).unwrap();
        assert!(text.contains("$argon2id$"), "{text}");
        assert!(!text.contains(&pw), "the clear password is never stored");
        let mode = std::fs::metadata(Users::path(&dir)).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
            0o600
        );

        let (again, outcome) = Users::open(&dir, None).unwrap();
        assert_eq!(outcome, Outcome::Loaded);
        assert!(again.verify(ADMIN, &pw));

        let (set, outcome) = Users::open(&dir, Some("s3cret")).unwrap();
        assert_eq!(outcome, Outcome::PasswordSet);
        assert!(set.verify(ADMIN, "s3cret"));
        assert!(!set.verify(ADMIN, &pw));
        assert!(Users::open(&dir, Some("")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
