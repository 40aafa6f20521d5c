//! The asset inventory's view: devices on the local segments, what they are and what changed.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// One device: keyed by its MAC on a local segment, by its address when no MAC identifies it (behind a router,
/// links without MACs).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceView {
    /// The MAC ("aa:bb:cc:dd:ee:ff") or, for a device known by address only, the address.
    pub id: String,
    pub mac: Option<String>,
    /// The IEEE registry's organisation for the MAC's OUI; "locally administered" for addresses the host chose.
    pub vendor: Option<String>,
    /// Best operating-system guess, its version or flavour, and its confidence (0–100).
    pub os: Option<String>,
    pub os_detail: Option<String>,
    pub os_confidence: u8,
    /// "computer", "phone", "tablet", "printer", "embedded", "network device", "virtual machine", …
    pub device_type: Option<String>,
    pub type_confidence: u8,
    /// Addresses it used, most recent first.
    pub addresses: Vec<AddressSeen>,
    /// Names it announced or was given, most recent first.
    pub names: Vec<NameSeen>,
    /// Services it answered on: protocol, port and the application detected there.
    pub services_offered: Vec<Service>,
    /// Applications it used as a client, with flow counts.
    pub services_used: Vec<(String, u64)>,
    /// Client programs its User-Agents named ("curl 7.88.1").
    pub software: Vec<String>,
    /// What the guesses rest on.
    pub evidence: Vec<Evidence>,
    /// Changes since it was first seen, oldest first (at most 64; the oldest go). Alerts among them are marked.
    pub changes: Vec<Change>,
    /// Seconds since the epoch (packet time).
    pub first_seen: f64,
    pub last_seen: f64,
    pub bytes_sent: u64,
    pub bytes_rcvd: u64,
    pub flows: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressSeen {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "ip"))]
    pub ip: IpAddr,
    pub first_seen: f64,
    pub last_seen: f64,
    /// Offered or confirmed by a DHCP server in a lease this device requested (DHCP seen).
    pub dhcp: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameSeen {
    pub name: String,
    /// "dhcp", "mdns", "dns" (an A/AAAA answer for one of its addresses), "tls/http" (a name clients asked this
    /// server for).
    pub source: String,
    pub first_seen: f64,
    pub last_seen: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    /// "TCP", "UDP", …
    pub proto: String,
    pub port: u16,
    pub app: String,
}

/// One piece of evidence and what was inferred from it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    /// "tcp_syn", "dhcp_vendor_class", "dhcp_fingerprint", "user_agent", "mdns", "oui".
    pub source: String,
    /// What was seen (the signature's facts, the vendor class, the option list, the User-Agent).
    pub value: String,
    /// What it says ("Linux 4.19 and newer").
    pub verdict: String,
    pub confidence: u8,
    pub seen: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub time: f64,
    /// "new_device", "new_address", "new_name", "new_service", "os_changed".
    pub kind: String,
    pub detail: String,
    /// An alert (new device, changed address or name, new listening service): the alert system may consume
    /// these.
    pub alert: bool,
}

/// The inventory's counters.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceStats {
    pub devices: u64,
    /// Devices forgotten because the inventory was full (the idlest go).
    pub evicted: u64,
    /// Devices read back from the data directory at start.
    pub restored: u64,
    /// Writes of the inventory file that failed.
    pub save_errors: u64,
    /// Device facts and SYN fingerprints the workers left out of full reports.
    pub facts_dropped: u64,
}
