//! Protocol and application identities, spelled and numbered as nDPI spells and numbers them, so users of the ntop
//! ecosystem recognise them (the number travels as IPFIX applicationId, nProbe's L7_PROTO).
//!
//! There is no central list. Each protocol folder (`crate::protocols::<name>`) declares the identities its dissector
//! reports with [`identities!`], next to its code; applications that have no dissector of their own (named from
//! server names, like YouTube) are declared in the data table of [`apps`]. Both become associated constants of
//! [`Proto`] (`Proto::Tls`, `Proto::YouTube`), and [`Proto::name`] and [`Proto::category`] read them back from one
//! table built at first use.
//!
//! Numbering: nDPI's `NDPI_PROTOCOL_*` id for everything nDPI knows (`engine/dpi/data/ndpi_protocols.tsv` lists
//! them with their provenance); ids in [`XNTOP_IDS`] for identities nDPI does not have. The test at the end of this
//! file pins every id, so adding a protocol never renumbers another.

use std::sync::OnceLock;

pub mod apps;

/// Ids of identities nDPI does not know. Far above nDPI's own ids (under 500) and its runtime custom protocols.
pub const XNTOP_IDS: std::ops::RangeInclusive<u16> = 0x8000..=0xbfff;

/// A protocol or an application: its nDPI id. `Proto::Unknown` (0) is the default.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Proto(u16);

impl Proto {
    /// The identity with this id (for [`identities!`], which declares it).
    #[must_use]
    pub(crate) const fn from_declared_id(id: u16) -> Self {
        Self(id)
    }

    /// The numeric id (nDPI's for what nDPI knows; see [`XNTOP_IDS`]).
    #[must_use]
    pub const fn id(self) -> u16 {
        self.0
    }

    /// The identity with this id, when one is declared.
    #[must_use]
    pub fn from_id(id: u16) -> Option<Self> {
        table().by_id(id).map(|i| i.proto)
    }

    /// The identity with this nDPI spelling.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        table().all.iter().find(|i| i.name == name).map(|i| i.proto)
    }

    /// Its declaration (name, category, registered ports).
    #[must_use]
    pub fn identity(self) -> Option<&'static Identity> {
        table().by_id(self.0)
    }

    /// The nDPI spelling ("TLS", "YouTube"); "Unknown" for an id nothing declares.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.identity().map_or("Unknown", |i| i.name)
    }

    #[must_use]
    pub fn category(self) -> Category {
        self.identity()
            .map_or(Category::Unspecified, |i| i.category)
    }

    /// Every declared identity, by id.
    #[must_use]
    pub fn all() -> &'static [Proto] {
        &table().protos
    }
}

impl std::fmt::Debug for Proto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}

/// nDPI's category names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Category {
    #[default]
    Unspecified,
    Media,
    Vpn,
    Email,
    DataTransfer,
    Web,
    SocialNetwork,
    Download,
    Game,
    Chat,
    VoIp,
    Database,
    RemoteAccess,
    Cloud,
    Network,
    Collaborative,
    Rpc,
    Streaming,
    System,
    SoftwareUpdate,
    Music,
    Video,
    Shopping,
    IoTScada,
    Advertisement,
    CryptoCurrency,
    ConnCheck,
    Cybersecurity,
}

impl Category {
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "Unspecified",
            Self::Media => "Media",
            Self::Vpn => "VPN",
            Self::Email => "Email",
            Self::DataTransfer => "DataTransfer",
            Self::Web => "Web",
            Self::SocialNetwork => "SocialNetwork",
            Self::Download => "Download",
            Self::Game => "Game",
            Self::Chat => "Chat",
            Self::VoIp => "VoIP",
            Self::Database => "Database",
            Self::RemoteAccess => "RemoteAccess",
            Self::Cloud => "Cloud",
            Self::Network => "Network",
            Self::Collaborative => "Collaborative",
            Self::Rpc => "RPC",
            Self::Streaming => "Streaming",
            Self::System => "System",
            Self::SoftwareUpdate => "SoftwareUpdate",
            Self::Music => "Music",
            Self::Video => "Video",
            Self::Shopping => "Shopping",
            Self::IoTScada => "IoT-Scada",
            Self::Advertisement => "Advertisement",
            Self::CryptoCurrency => "Crypto_Currency",
            Self::ConnCheck => "ConnCheck",
            Self::Cybersecurity => "Cybersecurity",
        }
    }
}

/// One identity: what a verdict can name, and where it is registered (its ports give the `port` guess; IP protocol
/// numbers name flows of that transport).
#[derive(Clone, Copy, Debug)]
pub struct Identity {
    pub proto: Proto,
    /// nDPI's spelling.
    pub name: &'static str,
    pub category: Category,
    pub tcp_ports: &'static [u16],
    pub udp_ports: &'static [u16],
    pub ip_protocols: &'static [u8],
}

/// Declares identities: each line becomes a [`Proto`] constant and an [`Identity`] in the `IDENTITIES` slice of the
/// module that invokes it.
///
/// ```ignore
/// crate::proto::identities! {
///     Smtp = 3, "SMTP", Email, tcp [25, 587];
///     Smtps = 29, "SMTPS", Email, tcp [465];
///     IpSec = 79, "IPSec", Vpn, udp [500, 4500], ip [50, 51];
/// }
/// ```
///
/// The number is nDPI's id (`data/ndpi_protocols.tsv`) or one from [`XNTOP_IDS`]; ports and IP protocol numbers
/// are optional, in that order.
macro_rules! identities {
    ($(
        $(#[$doc:meta])*
        $const:ident = $id:literal, $name:literal, $cat:ident
        $(, tcp [$($tcp:literal),* $(,)?])?
        $(, udp [$($udp:literal),* $(,)?])?
        $(, ip [$($ip:literal),* $(,)?])?
        ;
    )*) => {
        #[allow(non_upper_case_globals, reason = "identities keep nDPI's spelling (Proto::Tls, Proto::YouTube)")]
        impl $crate::proto::Proto {
            $(
                $(#[$doc])*
                pub const $const: $crate::proto::Proto = $crate::proto::Proto::from_declared_id($id);
            )*
        }

        /// The identities this module declares.
        pub const IDENTITIES: &[$crate::proto::Identity] = &[$(
            $crate::proto::Identity {
                proto: $crate::proto::Proto::$const,
                name: $name,
                category: $crate::proto::Category::$cat,
                tcp_ports: &[$($($tcp),*)?],
                udp_ports: &[$($($udp),*)?],
                ip_protocols: &[$($($ip),*)?],
            },
        )*];
    };
}
pub(crate) use identities;

identities! {
    /// Nothing named the flow (id 0, as in nDPI).
    Unknown = 0, "Unknown", Unspecified;
}

/// Ids below this are looked up by index (nDPI's are all below it); the others by binary search.
const DENSE_IDS: usize = 1024;

/// Every identity, sorted by id, built once.
struct Table {
    all: Vec<&'static Identity>,
    protos: Vec<Proto>,
    /// `dense[id]`: the identity with that id, for ids below [`DENSE_IDS`] (records name every flow: keep it O(1)).
    dense: Vec<Option<&'static Identity>>,
}

impl Table {
    fn by_id(&self, id: u16) -> Option<&'static Identity> {
        if let Some(&slot) = self.dense.get(usize::from(id)) {
            return slot;
        }
        self.all
            .binary_search_by_key(&id, |i| i.proto.0)
            .ok()
            .map(|at| self.all[at])
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut all: Vec<&'static Identity> = IDENTITIES.iter().collect();
        all.extend(apps::IDENTITIES);
        for p in crate::protocols::ALL {
            all.extend(p.identities);
        }
        // A duplicate id is a declaration error the tests report; the first declaration wins meanwhile.
        all.sort_by_key(|i| i.proto.0);
        all.dedup_by_key(|i| i.proto.0);
        let protos = all.iter().map(|i| i.proto).collect();
        let mut dense = vec![None; DENSE_IDS];
        for &i in &all {
            if let Some(slot) = dense.get_mut(usize::from(i.proto.0)) {
                *slot = Some(i);
            }
        }
        Table { all, protos, dense }
    })
}

/// Every declaration, duplicates included (for the tests and the coverage report).
#[cfg(test)]
pub(crate) fn declarations() -> impl Iterator<Item = &'static Identity> {
    IDENTITIES
        .iter()
        .chain(apps::IDENTITIES)
        .chain(crate::protocols::ALL.iter().flat_map(|p| p.identities))
}

#[cfg(test)]
mod tests;
