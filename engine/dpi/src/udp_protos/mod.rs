//! Content dissectors for UDP-borne and industrial protocols.

use crate::packet::Dissector;

/// Every dissector of this module.
pub const DISSECTORS: &[Dissector] = &[];
