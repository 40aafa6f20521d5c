//! Content dissectors for TCP services: databases, mail, remote access, messaging.

use crate::packet::Dissector;

/// Every dissector of this module.
pub const DISSECTORS: &[Dissector] = &[];
