//! Operating system and device type from passive evidence: DHCP (vendor class, option 55 list), HTTP User-Agent,
//! TCP SYN signatures (see [`crate::p0f`]) and vendors. Each guess carries a confidence (0–100) so a device keeps
//! the best one and shows what led to it.

use crate::p0f::SynMatch;

/// One inference from one piece of evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guess {
    /// OS family ("Linux", "Windows", "macOS", "iOS", "Android", "ChromeOS", "FreeBSD", …), when the evidence
    /// names one.
    pub os: Option<String>,
    /// Version or flavour when known ("4.19 and newer", "10.0").
    pub os_detail: Option<String>,
    /// Device type ("computer", "phone", "printer", "network device", "embedded"), when the evidence names one.
    pub device_type: Option<&'static str>,
    pub confidence: u8,
}

impl Guess {
    fn os(family: &str, detail: Option<String>, confidence: u8) -> Self {
        Self {
            os: Some(family.to_string()),
            os_detail: detail.filter(|d| !d.is_empty()),
            device_type: None,
            confidence,
        }
    }

    fn typed(mut self, t: &'static str) -> Self {
        self.device_type = Some(t);
        self
    }
}

/// From a p0f-style SYN match: specific exact 70, generic 55, fuzzy 40.
#[must_use]
pub fn from_syn(m: &SynMatch<'_>) -> Guess {
    let confidence = match (m.fuzzy, m.label.generic) {
        (false, false) => 70,
        (false, true) => 55,
        (true, _) => 40,
    };
    let g = Guess::os(&m.label.name, Some(m.label.flavor.clone()), confidence);
    match m.label.class.as_str() {
        "win" => g.typed("computer"),
        _ => g,
    }
}

/// From a DHCP vendor class identifier (option 60).
#[must_use]
pub fn from_dhcp_vendor(vc: &str) -> Option<Guess> {
    let l = vc.to_ascii_lowercase();
    Some(if l.starts_with("msft") {
        // "MSFT 5.0" since Windows 2000.
        Guess::os("Windows", None, 85).typed("computer")
    } else if l.starts_with("android-dhcp-") {
        Guess::os(
            "Android",
            l.strip_prefix("android-dhcp-").map(str::to_string),
            90,
        )
        .typed("phone")
    } else if let Some(rest) = l.strip_prefix("dhcpcd-") {
        // "dhcpcd-9.4.1:Linux-6.1.0:x86_64:…" (dhcpcd's default vendor class: its version, then uname).
        let os = rest.split(':').nth(1).unwrap_or("");
        let (family, version) = os.split_once('-').unwrap_or((os, ""));
        let family = match family {
            "linux" => "Linux",
            "freebsd" => "FreeBSD",
            "netbsd" => "NetBSD",
            "openbsd" => "OpenBSD",
            _ => return None,
        };
        Guess::os(family, Some(version.to_string()), 85)
    } else if l.starts_with("udhcp") {
        // BusyBox udhcpc: "udhcp 1.35.0".
        Guess::os("Linux", Some("BusyBox".into()), 65).typed("embedded")
    } else if l.starts_with("cisco") || l.starts_with("aruba") || l.starts_with("ubnt") {
        Guess {
            os: None,
            os_detail: None,
            device_type: Some("network device"),
            confidence: 60,
        }
    } else {
        return None;
    })
}

/// From a DHCP parameter request list (option 55, "1,3,6,…"), as the common clients send it by default.
#[must_use]
pub fn from_dhcp_fingerprint(list: &str) -> Option<Guess> {
    // (list, OS, detail, confidence, type)
    const KNOWN: &[(&str, &str, &str, u8, Option<&str>)] = &[
        // ISC dhclient 4.4 with Debian's dhclient.conf.
        (
            "1,28,2,3,15,6,119,12,44,47,26,121,42",
            "Linux",
            "ISC dhclient",
            60,
            None,
        ),
        // ISC dhclient without Debian's extra requests (fewer options in its default request).
        ("1,28,2,3,15,6,12", "Linux", "ISC dhclient", 50, None),
        // BusyBox udhcpc's default request.
        (
            "1,3,6,12,15,28,42",
            "Linux",
            "BusyBox udhcpc",
            55,
            Some("embedded"),
        ),
        (
            "1,3,6,12,15,28,42,40,41,26,119",
            "Linux",
            "BusyBox udhcpc",
            55,
            Some("embedded"),
        ),
        // systemd-networkd.
        (
            "1,3,6,12,15,28,42,121,119,108",
            "Linux",
            "systemd-networkd",
            55,
            None,
        ),
        // Windows 10 and 11.
        (
            "1,3,6,15,31,33,43,44,46,47,119,121,249,252",
            "Windows",
            "10 or 11",
            80,
            Some("computer"),
        ),
        // macOS and iOS.
        (
            "1,121,3,6,15,108,114,119,252,95,44,46",
            "macOS",
            "",
            75,
            Some("computer"),
        ),
        (
            "1,121,3,6,15,119,252,95,44,46",
            "macOS",
            "",
            70,
            Some("computer"),
        ),
        ("1,121,3,6,15,108,114,119,252", "iOS", "", 70, Some("phone")),
        ("1,121,3,6,15,119,252", "iOS", "", 65, Some("phone")),
        // Android 9 and newer.
        (
            "1,3,6,15,26,28,51,58,59,43",
            "Android",
            "",
            75,
            Some("phone"),
        ),
        (
            "1,3,6,15,26,28,51,58,59,43,114,108",
            "Android",
            "",
            75,
            Some("phone"),
        ),
    ];
    let (_, os, detail, confidence, t) = KNOWN.iter().find(|k| k.0 == list)?;
    let g = Guess::os(os, Some((*detail).to_string()), *confidence);
    Some(match t {
        Some(t) => g.typed(t),
        None => g,
    })
}

/// From an HTTP User-Agent: browsers name their platform; command-line clients (curl, Wget, python-requests) name
/// only themselves, which says nothing of the OS (see [`client_software`]).
#[must_use]
pub fn from_user_agent(ua: &str) -> Option<Guess> {
    let platform = ua
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or("", |(p, _)| p);
    if platform.is_empty() {
        return None;
    }
    let g = if let Some(v) = after(platform, "Windows NT ") {
        Guess::os("Windows", Some(v), 75).typed("computer")
    } else if let Some(v) = after(platform, "Android ") {
        Guess::os("Android", Some(v), 80).typed("phone")
    } else if platform.contains("iPhone") {
        Guess::os(
            "iOS",
            after(platform, "iPhone OS ").map(|v| v.replace('_', ".")),
            80,
        )
        .typed("phone")
    } else if platform.contains("iPad") {
        Guess::os(
            "iOS",
            after(platform, "CPU OS ").map(|v| v.replace('_', ".")),
            80,
        )
        .typed("tablet")
    } else if let Some(v) = after(platform, "Mac OS X ") {
        Guess::os("macOS", Some(v.replace('_', ".")), 70).typed("computer")
    } else if platform.contains("CrOS") {
        Guess::os("ChromeOS", None, 75).typed("computer")
    } else if platform.contains("Linux") || platform.contains("X11") {
        Guess::os("Linux", None, 60).typed("computer")
    } else {
        return None;
    };
    Some(g)
}

/// The client program a User-Agent names ("curl 7.88.1", "Wget 1.21.3", "python-requests 2.28.1"), when it is
/// one of the common command-line or library clients.
#[must_use]
pub fn client_software(ua: &str) -> Option<String> {
    let first = ua.split_whitespace().next()?;
    let (name, version) = first.split_once('/').unwrap_or((first, ""));
    let known = [
        "curl",
        "Wget",
        "python-requests",
        "Python-urllib",
        "python-httpx",
        "aiohttp",
        "Go-http-client",
        "okhttp",
        "libwww-perl",
        "PowerShell",
        "Java",
        "node-fetch",
        "axios",
    ];
    known
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k))
        .then(|| format!("{name} {version}").trim().to_string())
}

/// The version after `prefix` up to the next `;` or `)`.
fn after(s: &str, prefix: &str) -> Option<String> {
    let rest = s.split_once(prefix)?.1;
    let v = rest.split([';', ')']).next().unwrap_or("");
    Some(v.split_whitespace().next().unwrap_or("").to_string())
}

/// From a DNS-SD service type a device announces over mDNS (`_ipp._tcp`).
#[must_use]
pub fn from_mdns_service(service: &str) -> Option<Guess> {
    let kind = service.split('.').next().unwrap_or("");
    let (t, confidence) = match kind {
        "_ipp" | "_ipps" | "_printer" | "_pdl-datastream" | "_scanner" | "_uscan" => {
            ("printer", 60)
        }
        "_airplay" | "_raop" | "_googlecast" | "_spotify-connect" => ("media player", 55),
        "_hap" | "_homekit" | "_matter" | "_matterc" => ("IoT", 55),
        // Avahi's and Bonjour's per-host service: a general-purpose computer.
        "_workstation" | "_device-info" | "_smb" | "_afpovertcp" | "_ssh" | "_sftp-ssh" => {
            ("computer", 35)
        }
        _ => return None,
    };
    Some(Guess {
        os: None,
        os_detail: None,
        device_type: Some(t),
        confidence,
    })
}

/// From the maker: single-board computers and virtual machines say what they are.
#[must_use]
pub fn from_vendor(vendor: &str) -> Option<Guess> {
    let l = vendor.to_ascii_lowercase();
    // Makers of one kind of device say it firmly; makers of many kinds only hint.
    let (t, confidence) = if l.contains("raspberry pi") {
        ("single-board computer", 70)
    } else if l.contains("vmware")
        || l.contains("parallels")
        || l.contains("xensource")
        || l.starts_with("pcs systemtechnik")
    {
        ("virtual machine", 70)
    } else if l.contains("cisco")
        || l.contains("juniper")
        || l.contains("ubiquiti")
        || l.contains("mikrotik")
        || l.contains("aruba")
    {
        ("network device", 40)
    } else if l.contains("brother")
        || l.contains("canon")
        || l.contains("epson")
        || l.contains("lexmark")
    {
        ("printer", 40)
    } else {
        return None;
    };
    Some(Guess {
        os: None,
        os_detail: None,
        device_type: Some(t),
        confidence,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn dhcp_vendor_classes() {
        assert_eq!(
            from_dhcp_vendor("MSFT 5.0").unwrap().os.as_deref(),
            Some("Windows")
        );
        let a = from_dhcp_vendor("android-dhcp-13").unwrap();
        assert_eq!(
            (a.os.as_deref(), a.os_detail.as_deref()),
            (Some("Android"), Some("13"))
        );
        let d = from_dhcp_vendor("dhcpcd-9.4.1:Linux-6.1.0-13-amd64:x86_64:GenuineIntel").unwrap();
        assert_eq!(
            (d.os.as_deref(), d.os_detail.as_deref()),
            (Some("Linux"), Some("6.1.0-13-amd64"))
        );
        assert_eq!(
            from_dhcp_vendor("udhcp 1.35.0").unwrap().os.as_deref(),
            Some("Linux")
        );
        assert_eq!(from_dhcp_vendor("something else"), None);
    }

    #[test]
    fn user_agents() {
        let w = from_user_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36")
            .unwrap();
        assert_eq!(
            (w.os.as_deref(), w.os_detail.as_deref()),
            (Some("Windows"), Some("10.0"))
        );
        let i =
            from_user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit")
                .unwrap();
        assert_eq!(
            (i.os.as_deref(), i.os_detail.as_deref(), i.device_type),
            (Some("iOS"), Some("17.1"), Some("phone"))
        );
        let m =
            from_user_agent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit").unwrap();
        assert_eq!(m.os.as_deref(), Some("macOS"));
        let a = from_user_agent("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit").unwrap();
        assert_eq!(a.os.as_deref(), Some("Android"));
        assert_eq!(from_user_agent("curl/7.88.1"), None);
        assert_eq!(
            client_software("curl/7.88.1").as_deref(),
            Some("curl 7.88.1")
        );
        assert_eq!(
            client_software("Wget/1.21.3").as_deref(),
            Some("Wget 1.21.3")
        );
        assert_eq!(
            client_software("python-requests/2.28.1").as_deref(),
            Some("python-requests 2.28.1")
        );
        assert_eq!(client_software("Mozilla/5.0 (X11)"), None);
    }

    #[test]
    fn dhcp_lists_and_vendors() {
        assert_eq!(
            from_dhcp_fingerprint("1,3,6,12,15,28,42")
                .unwrap()
                .os
                .as_deref(),
            Some("Linux")
        );
        assert_eq!(from_dhcp_fingerprint("1,2,3"), None);
        assert_eq!(
            from_vendor("Raspberry Pi Trading Ltd").unwrap().device_type,
            Some("single-board computer")
        );
        assert_eq!(from_vendor("Apple, Inc."), None);
    }
}
