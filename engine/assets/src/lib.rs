//! The pure parts of xntop's asset inventory and enrichment, apart from the engine's threads: lookups in the
//! user's MaxMind DB files ([`geo`]).

pub mod geo;
pub mod os;
pub mod oui;
pub mod p0f;
