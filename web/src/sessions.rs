//! Login sessions (in memory, with expiry).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::lock;
use crate::users::random_hex;

/// A session lasts this long after its last use.
pub const IDLE: Duration = Duration::from_secs(8 * 3600);
/// Most sessions kept; beyond it the one closest to expiry goes.
pub const MAX_SESSIONS: usize = 10_000;

/// What a valid session cookie stands for.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: String,
    /// Sent back as `X-CSRF-Token` on state-changing requests.
    pub csrf: String,
    expires: Instant,
}

/// The live sessions, by id (256 random bits, hex).
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// A new session for `user`; returns its id and CSRF token.
    pub fn create(&self, user: &str) -> (String, String) {
        let now = Instant::now();
        let id = random_hex(32);
        let csrf = random_hex(32);
        let mut map = lock(&self.map);
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| s.expires > now);
        }
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(
            id.clone(),
            Session {
                user: user.into(),
                csrf: csrf.clone(),
                expires: now + IDLE,
            },
        );
        (id, csrf)
    }

    /// The session with this id, if it has not expired; using it extends it.
    pub fn get(&self, id: &str) -> Option<Session> {
        let now = Instant::now();
        let mut map = lock(&self.map);
        match map.get_mut(id) {
            Some(s) if s.expires > now => {
                s.expires = now + IDLE;
                Some(s.clone())
            }
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    pub fn remove(&self, id: &str) {
        lock(&self.map).remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_random_and_removable() {
        let s = Sessions::default();
        let (a, csrf) = s.create("admin");
        let (b, _) = s.create("admin");
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(s.get(&a).map(|x| x.csrf), Some(csrf));
        s.remove(&a);
        assert!(s.get(&a).is_none());
        assert!(s.get(&b).is_some());
        assert!(s.get("nope").is_none());
    }
}
