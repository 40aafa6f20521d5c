//! Every protocol xntop knows, one folder each (the shape of Suricata's `rust/src/<proto>/`): `mod.rs` declares the
//! protocol's identities (nDPI id, name, category, registered ports) and its registration ([`Protocol`]: the
//! dissector, where it runs, its order, its default risks); `parser.rs`, when the format has structure, holds the
//! pure functions from bytes to borrowed views. `template/` is the scaffold to copy; its README says how.
//!
//! Adding a protocol: a new folder plus one line below (keep the list sorted). Nothing else names protocols: the
//! engine, the `port` guess and the identity table all read this list.

use crate::dissector::Protocol;

pub mod util;

#[cfg(test)]
mod coverage;
#[cfg(test)]
mod template;
#[cfg(test)]
mod tests;

/// Declares the protocol folders and [`ALL`], the registration list.
macro_rules! register {
    ($($folder:ident,)*) => {
        $(pub mod $folder;)*

        /// Every registered protocol, in registration order (its index is the protocol's bit in a flow's
        /// "said not me" bitmap).
        pub const ALL: &[&Protocol] = &[$(&$folder::PROTOCOL),*];

        /// The folder of each entry of [`ALL`].
        pub const FOLDERS: &[&str] = &[$(stringify!($folder)),*];
    };
}

register! {
    afp,
    ajp,
    amqp,
    anydesk,
    atg,
    bacnet,
    bfcp,
    bfd,
    bgp,
    bitcoin,
    bittorrent,
    bjnp,
    capwap,
    cassandra,
    ceph,
    cisco_skinny,
    ciscovpn,
    cnp_ip,
    coap,
    cpha,
    dcerpc,
    dhcp,
    dhcpv6,
    diameter,
    discord,
    dlep,
    dnp3,
    dns,
    doh_dot,
    dropbox,
    dtls,
    eaq,
    elasticsearch,
    ethereum,
    flute,
    ftp,
    git,
    gtp,
    h323,
    hsrp,
    http,
    iec60870,
    imap,
    ip,
    ipfix,
    ipsec,
    irc,
    iscsi,
    jabber,
    jrmi,
    kcp,
    kerberos,
    kismet,
    ldap,
    ldp,
    lisp,
    lustre,
    memcached,
    mikrotik,
    modbus,
    mongodb,
    mqtt,
    munin,
    mysql,
    nano,
    nats,
    netbios,
    netflow,
    nfs,
    ntp,
    openflow,
    openvpn,
    openwire,
    oracle,
    pfcp,
    pop3,
    postgres,
    protobuf,
    ptpv2,
    quic,
    radius,
    raknet,
    rdp,
    resp,
    ripe_atlas,
    rmcp,
    roughtime,
    rsync,
    rtmp,
    rtp,
    rtps,
    rtsp,
    rx,
    s7comm,
    sd_rtn,
    sflow,
    sip,
    slp,
    smb,
    smtp,
    snmp,
    socks,
    someip,
    sonos,
    source_engine,
    spotify,
    ssdp,
    ssh,
    stomp,
    stun,
    syncthing,
    syslog,
    tailscale,
    tds,
    teamviewer,
    telegram,
    telnet,
    teredo,
    tftp,
    thrift,
    tinc,
    tivoconnect,
    tls,
    toca_boca,
    tor,
    tplink_shp,
    trdp,
    tuya_lp,
    ubntac2,
    vmware,
    vnc,
    vxlan,
    whatsapp,
    whois_das,
    wireguard,
    wsd,
    xdmcp,
    zabbix,
}
