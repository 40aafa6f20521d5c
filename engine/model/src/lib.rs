//! Records exchanged between xntop's workers and its outputs, and their serialisation.
//!
//! The flow table's `Flow` never knows JSON; a worker copies what an output needs into a [`FlowRecord`] and moves
//! it out of the hot path. Serialisation is hand-written (no reflection) because the exporter writes millions of
//! records per second and the field order is part of the contract (ARCHITECTURE.md §4).

pub mod community_id;
pub mod devices;
mod ecs;
mod eve;
pub mod geo;
mod json;
mod record;
pub mod snapshot;
pub mod timefmt;

pub use ecs::ECS_VERSION;
pub use geo::GeoInfo;
pub use json::JsonWriter;
pub use record::{proto_name, FlowRecord, L7Meta};
pub use snapshot::Snapshot;
