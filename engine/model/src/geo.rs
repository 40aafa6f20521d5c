//! Enrichment of an address from the user's mmdb files (`--geoip`, `--asn`): plain data shared by the hosts, the
//! flow rows and the flow records.

use serde::{Deserialize, Serialize};

/// What the mmdb files say about one address. Every field is absent when the files do not know it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoInfo {
    /// ISO 3166-1 alpha-2 country code of the address's location (`country.iso_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Box<str>>,
    /// City name in English (`city.names.en`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Box<str>>,
    /// Autonomous system number (`autonomous_system_number`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    /// Autonomous system organisation (`autonomous_system_organization`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_org: Option<Box<str>>,
}

impl GeoInfo {
    /// Nothing known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.city.is_none() && self.asn.is_none() && self.as_org.is_none()
    }

    /// The country code as two bytes (`[0, 0]` when unknown): the compact form flow rows carry.
    #[must_use]
    pub fn country_code(&self) -> [u8; 2] {
        match self.country.as_deref().map(str::as_bytes) {
            Some(&[a, b]) => [a, b],
            _ => [0, 0],
        }
    }
}

/// The text of a compact country code, when known.
#[must_use]
pub fn country_str(cc: &[u8; 2]) -> Option<&str> {
    if cc == &[0, 0] {
        None
    } else {
        std::str::from_utf8(cc).ok()
    }
}
