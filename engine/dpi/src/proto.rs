//! Protocol and application identities, spelled as nDPI spells them so users of the ntop ecosystem recognise them.
//!
//! One table: each entry is a protocol (TLS, DNS, …) or an application (YouTube, WhatsApp, …). A verdict names a
//! master and an application from this table; the record shows "Master.App" (nDPI's convention) or one name when
//! they are the same.

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

macro_rules! protocols {
    ($($id:ident = $name:literal, $cat:ident;)*) => {
        /// A protocol or application. `Unknown` is the default.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Proto {
            #[default]
            $($id,)*
        }

        impl Proto {
            /// Every entry, in declaration order.
            pub const ALL: &'static [Proto] = &[$(Proto::$id,)*];

            /// The entry with this nDPI spelling.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Proto> {
                Self::ALL.iter().copied().find(|p| p.name() == name)
            }

            /// The nDPI spelling.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Proto::$id => $name,)*
                }
            }

            #[must_use]
            pub const fn category(self) -> Category {
                match self {
                    $(Proto::$id => Category::$cat,)*
                }
            }
        }
    };
}

protocols! {
    Unknown = "Unknown", Unspecified;
    // Network and infrastructure protocols.
    Http = "HTTP", Web;
    HttpConnect = "HTTP_Connect", Web;
    HttpProxy = "HTTP_Proxy", Web;
    Http2 = "HTTP2", Web;
    Tls = "TLS", Web;
    Dtls = "DTLS", Network;
    Quic = "QUIC", Web;
    Dns = "DNS", Network;
    Mdns = "MDNS", Network;
    Llmnr = "LLMNR", Network;
    NetBios = "NetBIOS", System;
    SmbV1 = "SMBv1", System;
    SmbV23 = "SMBv23", System;
    Dhcp = "DHCP", Network;
    DhcpV6 = "DHCPV6", Network;
    Ntp = "NTP", System;
    Snmp = "SNMP", Network;
    Ssh = "SSH", RemoteAccess;
    Smtp = "SMTP", Email;
    Smtps = "SMTPS", Email;
    Pop3 = "POP3", Email;
    Pops = "POPS", Email;
    Imap = "IMAP", Email;
    Imaps = "IMAPS", Email;
    FtpControl = "FTP_CONTROL", Download;
    FtpData = "FTP_DATA", Download;
    Ftps = "FTPS", Download;
    Resp = "RESP", Database;
    PostgreSql = "PostgreSQL", Database;
    MySql = "MySQL", Database;
    MsSqlTds = "MsSQL-TDS", Database;
    Mqtt = "MQTT", Rpc;
    Rtp = "RTP", Media;
    Rtcp = "RTCP", Media;
    Srtp = "SRTP", Media;
    Stun = "STUN", Network;
    Sip = "SIP", VoIp;
    Kerberos = "Kerberos", Network;
    Ldap = "LDAP", System;
    Rdp = "RDP", RemoteAccess;
    Syslog = "Syslog", System;
    Telnet = "Telnet", RemoteAccess;
    Ssdp = "SSDP", System;
    Slp = "Service_Location_Protocol", Rpc;
    BitTorrent = "BitTorrent", Download;
    Gnutella = "Gnutella", Download;
    Radius = "Radius", Network;
    Icmp = "ICMP", Network;
    IcmpV6 = "ICMPV6", Network;
    Igmp = "IGMP", Network;
    Ospf = "OSPF", Network;
    Vrrp = "VRRP", Network;
    Gre = "GRE", Network;
    IpSec = "IPSec", Vpn;
    Sctp = "SCTP", Network;
    OpenVpn = "OpenVPN", Vpn;
    WireGuard = "WireGuard", Vpn;
    Socks = "SOCKS", Web;
    Rtsp = "RTSP", Media;
    Rtmp = "RTMP", Media;
    Vnc = "VNC", RemoteAccess;
    Bgp = "BGP", Network;
    Bfd = "BFD", Network;
    Hsrp = "HSRP", Network;
    Ldp = "LDP", Network;
    Lisp = "LISP", Cloud;
    Capwap = "CAPWAP", Network;
    Gtp = "GTP", Network;
    GtpC = "GTP_C", Network;
    GtpU = "GTP_U", Network;
    Pfcp = "PFCP", Network;
    Diameter = "Diameter", Network;
    Nfs = "NFS", DataTransfer;
    Afp = "AFP", DataTransfer;
    Ajp = "AJP", Web;
    Rsync = "RSYNC", DataTransfer;
    Memcached = "Memcached", Network;
    Cassandra = "Cassandra", Database;
    Elasticsearch = "Elasticsearch", System;
    Oracle = "Oracle", Database;
    MongoDb = "MongoDB", Database;
    DceRpc = "DCERPC", Rpc;
    Rmcp = "RMCP", System;
    PtpV2 = "PTPv2", System;
    Roughtime = "Roughtime", System;
    WhoisDas = "Whois-DAS", Network;
    NetFlow = "NetFlow", Network;
    SFlow = "sFlow", Network;
    Ipfix = "IPFIX", Network;
    Munin = "Munin", System;
    Xdmcp = "XDMCP", RemoteAccess;
    H323 = "H323", VoIp;
    CiscoSkinny = "CiscoSkinny", VoIp;
    Git = "Git", Collaborative;
    Irc = "IRC", Chat;
    Xmpp = "Jabber", Web;
    Nats = "Nats", Rpc;
    Amqp = "AMQP", Rpc;
    Stomp = "STOMP", Rpc;
    Coap = "COAP", Rpc;
    Modbus = "Modbus", IoTScada;
    Dnp3 = "DNP3", IoTScada;
    Iec60870 = "IEC60870", IoTScada;
    BacNet = "BACnet", IoTScada;
    S7Comm = "S7Comm", IoTScada;
    Tftp = "TFTP", DataTransfer;
    Wsd = "WSD", Network;
    TeamViewer = "TeamViewer", RemoteAccess;
    AnyDesk = "AnyDesk", RemoteAccess;
    Tor = "Tor", Vpn;
    DnsCrypt = "DNScrypt", Network;
    DohDot = "DoH_DoT", Network;
    Ethereum = "ETHEREUM", CryptoCurrency;
    Bitcoin = "BITCOIN", CryptoCurrency;
    RakNet = "RakNet", Game;
    SourceEngine = "Source_Engine", Game;
    Kcp = "KCP", Network;
    Ubntac2 = "UBNTAC2", Network;
    TplinkShp = "TPLINK_SHP", IoTScada;
    TuyaLp = "TuyaLP", IoTScada;
    Syncthing = "Syncthing", Download;
    Protobuf = "Protobuf", Network;
    Cloudflare = "Cloudflare", Web;
    CiscoVpn = "CiscoVPN", Vpn;
    Ceph = "Ceph", DataTransfer;
    Tailscale = "Tailscale", Vpn;
    Zabbix = "Zabbix", System;
    Iscsi = "iSCSI", DataTransfer;
    HttpWebDav = "WebDAV", Collaborative;
    // Applications (named by server names, IP owners or their own protocols).
    Google = "Google", Web;
    GoogleServices = "GoogleServices", Web;
    GoogleCloud = "GoogleCloud", Cloud;
    GoogleDrive = "GoogleDrive", Cloud;
    GoogleMaps = "GoogleMaps", Web;
    GoogleDocs = "GoogleDocs", Collaborative;
    GoogleMeet = "GoogleMeet", Chat;
    GoogleCall = "GoogleCall", VoIp;
    GMail = "GMail", Email;
    PlayStore = "PlayStore", SoftwareUpdate;
    YouTube = "YouTube", Media;
    YouTubeUpload = "YouTubeUpload", Media;
    Facebook = "Facebook", SocialNetwork;
    FacebookMessenger = "FacebookMessenger", Chat;
    Instagram = "Instagram", SocialNetwork;
    WhatsApp = "WhatsApp", Chat;
    WhatsAppCall = "WhatsAppCall", VoIp;
    WhatsAppFiles = "WhatsAppFiles", Download;
    NetFlix = "NetFlix", Video;
    Amazon = "Amazon", Web;
    AmazonAws = "AmazonAWS", Cloud;
    AmazonAlexa = "AmazonAlexa", Web;
    AmazonVideo = "AmazonVideo", Video;
    Microsoft = "Microsoft", Cloud;
    Microsoft365 = "Microsoft365", Collaborative;
    Outlook = "Outlook", Email;
    Teams = "Teams", Collaborative;
    SkypeTeams = "Skype_Teams", VoIp;
    SkypeTeamsCall = "Skype_TeamsCall", VoIp;
    Azure = "Azure", Cloud;
    OneDrive = "MS_OneDrive", Cloud;
    WindowsUpdate = "WindowsUpdate", SoftwareUpdate;
    Xbox = "Xbox", Game;
    Bing = "Bing", Web;
    LinkedIn = "LinkedIn", SocialNetwork;
    Apple = "Apple", Web;
    AppleICloud = "AppleiCloud", Web;
    AppleItunes = "AppleiTunes", Streaming;
    ApplePush = "ApplePush", Cloud;
    AppleStore = "AppleStore", SoftwareUpdate;
    AppleSiri = "AppleSiri", Web;
    GitHub = "Github", Collaborative;
    GitLab = "GitLab", Collaborative;
    Zoom = "Zoom", Video;
    Webex = "Webex", VoIp;
    Twitter = "Twitter", SocialNetwork;
    Reddit = "Reddit", SocialNetwork;
    Pinterest = "Pinterest", SocialNetwork;
    Tumblr = "Tumblr", SocialNetwork;
    Snapchat = "Snapchat", SocialNetwork;
    TikTok = "TikTok", SocialNetwork;
    Telegram = "Telegram", Chat;
    Signal = "Signal", Chat;
    Viber = "Viber", VoIp;
    Discord = "Discord", Collaborative;
    Slack = "Slack", Collaborative;
    Spotify = "Spotify", Music;
    Dropbox = "Dropbox", Cloud;
    Wikipedia = "Wikipedia", Web;
    Yahoo = "Yahoo", Web;
    Ebay = "eBay", Shopping;
    Twitch = "Twitch", Video;
    Vimeo = "Vimeo", Streaming;
    Dazn = "Dazn", Streaming;
    Hulu = "Hulu", Streaming;
    DisneyPlus = "DisneyPlus", Streaming;
    Steam = "Steam", Game;
    EpicGames = "EpicGames", Game;
    RiotGames = "RiotGames", Game;
    Playstation = "Playstation", Game;
    Nintendo = "Nintendo", Game;
    CloudflareWarp = "CloudflareWarp", Vpn;
    Akamai = "Akamai", Web;
    Fastly = "Fastly", Cloud;
    Salesforce = "Salesforce", Cloud;
    Waze = "Waze", Web;
    DataSaver = "DataSaver", Web;
    AdsAnalytics = "ADS_Analytic_Track", Advertisement;
    Vk = "VK", SocialNetwork;
    Yandex = "Yandex", Web;
    YandexMail = "YandexMail", Email;
    YandexMusic = "YandexMusic", Music;
    YandexCloud = "YandexCloud", Cloud;
    YandexDisk = "YandexDisk", Cloud;
    YandexMetrika = "YandexMetrika", Advertisement;
    YandexDirect = "YandexDirect", Advertisement;
    YandexMarket = "YandexMarket", Shopping;
    Sina = "Sina", SocialNetwork;
    SinaWeibo = "SinaWeibo", SocialNetwork;
    Qq = "QQ", Chat;
    WeChat = "WeChat", Chat;
    Alibaba = "Alibaba", Shopping;
    Baidu = "Baidu", Web;
    Tencent = "Tencent", SocialNetwork;
    Iqiyi = "iQIYI", Streaming;
    Kuxun1 = "1kxun", Streaming;
    Ntop = "ntop", Network;
    Line = "Line", Chat;
    Threema = "Threema", Chat;
    Xiaomi = "Xiaomi", Web;
    Huawei = "Huawei", Web;
    Mozilla = "Mozilla", Web;
    Opera = "Opera", Web;
    Avast = "AVAST", Cybersecurity;
    AvastSecureDns = "AVASTSecureDNS", Network;
    Ookla = "Ookla", Network;
    Adobe = "Adobe", Web;
    Imo = "IMO", VoIp;
    Deezer = "Deezer", Music;
    SoundCloud = "SoundCloud", Music;
    Booking = "Booking", Web;
    Canonical = "Ubuntu", SoftwareUpdate;
    Debian = "Debian", SoftwareUpdate;
    AppleTvPlus = "AppleTVPlus", Streaming;
    Citrix = "Citrix", Network;
    Zattoo = "Zattoo", Video;
    Nvidia = "Nvidia", Game;
    Mullvad = "Mullvad", Vpn;
    NordVpn = "NordVPN", Vpn;
    Crashlytics = "Crashlytics", Advertisement;
    // Added with the UDP/IoT dissectors.
    SdRtn = "SD-RTN", Media;
    TocaBoca = "TocaBoca", Game;
    Eaq = "EAQ", Network;
    // Added with the TCP service dissectors.
    Jrmi = "JRMI", Rpc;
    OpenWire = "OpenWire", Rpc;
    Thrift = "Thrift", Rpc;
}
