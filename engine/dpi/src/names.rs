//! Applications from server names: which organisation or service a domain belongs to. Facts from public
//! knowledge of who owns which domains, written as (domain, application) pairs; a name matches a domain when it
//! equals it or ends with "." + it. The longest matching domain wins (`youtube.googleapis.com` is YouTube, not
//! GoogleServices).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::proto::Proto;

#[rustfmt::skip]
pub(crate) const DOMAINS: &[(&str, Proto)] = &[
    // Google
    ("google.com", Proto::Google), ("google.co.uk", Proto::Google), ("google.de", Proto::Google),
    ("google.it", Proto::Google), ("google.fr", Proto::Google), ("google.es", Proto::Google),
    ("google.com.br", Proto::Google), ("google.co.in", Proto::Google), ("google.co.jp", Proto::Google),
    ("google.ru", Proto::Google), ("google.ch", Proto::Google), ("google.nl", Proto::Google),
    ("google.pl", Proto::Google), ("google.ca", Proto::Google), ("google.com.au", Proto::Google),
    ("googleusercontent.com", Proto::Google), ("ggpht.com", Proto::Google), ("gstatic.com", Proto::Google),
    ("googleapis.com", Proto::GoogleServices), ("gvt1.com", Proto::Google),
    ("gvt2.com", Proto::Google), ("gvt3.com", Proto::Google),
    ("googletagmanager.com", Proto::GoogleServices), ("google-analytics.com", Proto::Google),
    ("googleadservices.com", Proto::Google), ("googlesyndication.com", Proto::Google),
    ("doubleclick.net", Proto::Google), ("googletagservices.com", Proto::GoogleServices),
    ("app-measurement.com", Proto::Google), ("gmodules.com", Proto::Google), ("goog", Proto::Google), ("ampproject.org", Proto::Google),
    ("android.com", Proto::Google), ("googlezip.net", Proto::DataSaver),
    
    
    
    ("android.clients.google.com", Proto::PlayStore),
    ("play.google.com", Proto::PlayStore), ("play.googleapis.com", Proto::PlayStore),
    ("android.googleapis.com", Proto::GoogleServices), ("googleplay.com", Proto::PlayStore),
    ("mail.google.com", Proto::GMail), ("gmail.com", Proto::GMail), ("inbox.google.com", Proto::GMail),
    ("drive.google.com", Proto::GoogleDrive), ("docs.google.com", Proto::GoogleDocs),
    ("maps.google.com", Proto::GoogleMaps), ("maps.googleapis.com", Proto::GoogleMaps),
    ("meet.google.com", Proto::GoogleMeet), ("hangouts.google.com", Proto::GoogleMeet),
    ("cloud.google.com", Proto::GoogleCloud), ("appspot.com", Proto::GoogleCloud),
    ("googlecloud.com", Proto::GoogleCloud), ("run.app", Proto::GoogleCloud),
    ("dns.google", Proto::DohDot), ("dns.google.com", Proto::DohDot),
    ("youtube.com", Proto::YouTube), ("youtu.be", Proto::YouTube), ("ytimg.com", Proto::YouTube),
    ("googlevideo.com", Proto::YouTube), ("youtube-nocookie.com", Proto::YouTube),
    ("youtube.googleapis.com", Proto::YouTube), ("youtubei.googleapis.com", Proto::YouTube),
    ("yt3.ggpht.com", Proto::YouTube), ("youtubekids.com", Proto::YouTube),
    ("upload.youtube.com", Proto::YouTubeUpload), ("crashlytics.com", Proto::Crashlytics),
    ("firebaseio.com", Proto::GoogleServices), ("firebase.com", Proto::GoogleServices),
    ("waze.com", Proto::Waze),
    // Meta
    ("facebook.com", Proto::Facebook), ("fbcdn.net", Proto::Facebook), ("facebook.net", Proto::Facebook),
    ("fb.com", Proto::Facebook), ("fb.me", Proto::Facebook), ("fbsbx.com", Proto::Facebook),
    ("messenger.com", Proto::FacebookMessenger), ("m.me", Proto::FacebookMessenger),
    ("instagram.com", Proto::Instagram), ("cdninstagram.com", Proto::Instagram), ("ig.me", Proto::Instagram),
    ("whatsapp.com", Proto::WhatsApp), ("whatsapp.net", Proto::WhatsApp), ("wa.me", Proto::WhatsApp),
    ("mmg.whatsapp.net", Proto::WhatsAppFiles), ("media.fmed1-1.fna.whatsapp.net", Proto::WhatsAppFiles),
    // Amazon
    ("amazon.com", Proto::Amazon), ("amazon.de", Proto::Amazon), ("amazon.co.uk", Proto::Amazon),
    ("amazon.it", Proto::Amazon), ("amazon.fr", Proto::Amazon), ("amazon.es", Proto::Amazon),
    ("amazon.co.jp", Proto::Amazon), ("amazon.in", Proto::Amazon), ("amazon.ca", Proto::Amazon),
    ("media-amazon.com", Proto::Amazon), ("ssl-images-amazon.com", Proto::Amazon),
    ("images-amazon.com", Proto::Amazon), ("amazon-adsystem.com", Proto::Amazon),
    ("amazontrust.com", Proto::Amazon), ("a2z.com", Proto::Amazon),
    ("amazonaws.com", Proto::AmazonAws), ("cloudfront.net", Proto::AmazonAws), ("aws.amazon.com", Proto::AmazonAws),
    ("awsstatic.com", Proto::AmazonAws), ("amazonalexa.com", Proto::AmazonAlexa), ("alexa.com", Proto::AmazonAlexa),
    ("avs-alexa-na.amazon.com", Proto::AmazonAlexa), ("alexa.amazon.com", Proto::AmazonAlexa),
    ("primevideo.com", Proto::AmazonVideo), ("aiv-cdn.net", Proto::AmazonVideo), ("aiv-delivery.net", Proto::AmazonVideo),
    // Microsoft
    ("microsoft.com", Proto::Microsoft), ("msn.com", Proto::Microsoft), ("live.com", Proto::Microsoft),
    ("live.net", Proto::Microsoft), ("msedge.net", Proto::Microsoft), ("msftncsi.com", Proto::Microsoft),
    ("microsoftonline.com", Proto::Microsoft365), ("office.com", Proto::Microsoft365),
    ("office.net", Proto::Microsoft365), ("office365.com", Proto::Microsoft365),
    ("sharepoint.com", Proto::Microsoft365), ("onenote.com", Proto::Microsoft365),
    ("outlook.com", Proto::Outlook), ("outlook.office.com", Proto::Outlook), ("outlook.office365.com", Proto::Outlook),
    ("hotmail.com", Proto::Outlook), ("teams.microsoft.com", Proto::Teams), ("teams.live.com", Proto::Teams),
    ("teams.cdn.office.net", Proto::Teams), ("lync.com", Proto::Teams), ("skype.com", Proto::SkypeTeams),
    ("skypeassets.com", Proto::SkypeTeams), ("skype.net", Proto::SkypeTeams),
    ("azure.com", Proto::Azure), ("azureedge.net", Proto::Azure), ("windows.net", Proto::Azure),
    ("azurewebsites.net", Proto::Azure), ("cloudapp.net", Proto::Azure), ("trafficmanager.net", Proto::Microsoft),
    ("onedrive.com", Proto::OneDrive), ("onedrive.live.com", Proto::OneDrive), ("1drv.com", Proto::OneDrive),
    ("windowsupdate.com", Proto::WindowsUpdate), ("update.microsoft.com", Proto::WindowsUpdate),
    ("delivery.mp.microsoft.com", Proto::WindowsUpdate), ("xbox.com", Proto::Xbox), ("xboxlive.com", Proto::Xbox),
    ("bing.com", Proto::Bing), ("bing.net", Proto::Bing), ("linkedin.com", Proto::LinkedIn), ("licdn.com", Proto::LinkedIn),
    ("github.com", Proto::GitHub), ("githubusercontent.com", Proto::GitHub), ("github.io", Proto::GitHub),
    ("githubassets.com", Proto::GitHub), ("gitlab.com", Proto::GitLab),
    // Apple
    ("apple.com", Proto::Apple), ("apple-dns.net", Proto::Apple), ("aaplimg.com", Proto::Apple),
    ("cdn-apple.com", Proto::Apple), ("mzstatic.com", Proto::AppleStore), ("itunes.apple.com", Proto::AppleItunes),
    ("icloud.com", Proto::AppleICloud), ("icloud-content.com", Proto::AppleICloud), ("me.com", Proto::AppleICloud),
    ("push.apple.com", Proto::ApplePush), ("push-apple.com.akadns.net", Proto::ApplePush),
    ("apps.apple.com", Proto::AppleStore), ("appstore.com", Proto::AppleStore), ("siri.apple.com", Proto::AppleSiri),
    ("tv.apple.com", Proto::AppleTvPlus),
    // Streaming and media
    ("netflix.com", Proto::NetFlix), ("netflix.net", Proto::NetFlix), ("nflxvideo.net", Proto::NetFlix),
    ("nflximg.net", Proto::NetFlix), ("nflximg.com", Proto::NetFlix), ("nflxext.com", Proto::NetFlix),
    ("nflxso.net", Proto::NetFlix), ("spotify.com", Proto::Spotify), ("scdn.co", Proto::Spotify),
    ("spotifycdn.com", Proto::Spotify), ("spotify.net", Proto::Spotify), ("twitch.tv", Proto::Twitch),
    ("ttvnw.net", Proto::Twitch), ("jtvnw.net", Proto::Twitch), ("vimeo.com", Proto::Vimeo),
    ("vimeocdn.com", Proto::Vimeo), ("dazn.com", Proto::Dazn), ("dazn-api.com", Proto::Dazn),
    ("indazn.com", Proto::Dazn), ("hulu.com", Proto::Hulu), ("disneyplus.com", Proto::DisneyPlus),
    ("bamgrid.com", Proto::DisneyPlus), ("deezer.com", Proto::Deezer), ("soundcloud.com", Proto::SoundCloud),
    ("zattoo.com", Proto::Zattoo), ("iqiyi.com", Proto::Iqiyi), ("qy.net", Proto::Iqiyi), ("iq.com", Proto::Iqiyi),
    ("1kxun.com", Proto::Kuxun1), ("1kxun.mobi", Proto::Kuxun1),
    // Social and messaging
    ("twitter.com", Proto::Twitter), ("twimg.com", Proto::Twitter), ("t.co", Proto::Twitter), ("x.com", Proto::Twitter),
    ("reddit.com", Proto::Reddit), ("redd.it", Proto::Reddit), ("redditmedia.com", Proto::Reddit),
    ("redditstatic.com", Proto::Reddit), ("pinterest.com", Proto::Pinterest), ("pinimg.com", Proto::Pinterest),
    ("tumblr.com", Proto::Tumblr), ("snapchat.com", Proto::Snapchat), ("snap.com", Proto::Snapchat),
    ("sc-cdn.net", Proto::Snapchat), ("snapkit.com", Proto::Snapchat), ("tiktok.com", Proto::TikTok),
    ("tiktokcdn.com", Proto::TikTok), ("tiktokv.com", Proto::TikTok), ("byteoversea.com", Proto::TikTok),
    ("musical.ly", Proto::TikTok), ("telegram.org", Proto::Telegram), ("t.me", Proto::Telegram),
    ("telegram.me", Proto::Telegram), ("signal.org", Proto::Signal), ("whispersystems.org", Proto::Signal),
    ("viber.com", Proto::Viber), ("discord.com", Proto::Discord), ("discord.gg", Proto::Discord),
    ("discordapp.com", Proto::Discord), ("discordapp.net", Proto::Discord), ("discord.media", Proto::Discord),
    ("slack.com", Proto::Slack), ("slack-edge.com", Proto::Slack), ("slack-msgs.com", Proto::Slack),
    ("vk.com", Proto::Vk), ("vk.me", Proto::Vk), ("userapi.com", Proto::Vk), ("vkuser.net", Proto::Vk),
    ("vkuseraudio.net", Proto::Vk), ("vkuservideo.net", Proto::Vk), ("line.me", Proto::Line),
    ("line-apps.com", Proto::Line), ("line-scdn.net", Proto::Line), ("naver.jp", Proto::Line),
    ("threema.ch", Proto::Threema), ("imo.im", Proto::Imo), ("weibo.com", Proto::SinaWeibo),
    ("weibo.cn", Proto::SinaWeibo), ("sina.com.cn", Proto::Sina), ("sina.cn", Proto::Sina),
    ("sinaimg.cn", Proto::Sina), ("qq.com", Proto::Qq), ("gtimg.cn", Proto::Qq), ("qpic.cn", Proto::Qq),
    ("wechat.com", Proto::WeChat), ("weixin.qq.com", Proto::WeChat),
    // Collaboration and conferencing
    ("zoom.us", Proto::Zoom), ("zoom.com", Proto::Zoom), ("zoomgov.com", Proto::Zoom),
    ("webex.com", Proto::Webex), ("wbx2.com", Proto::Webex), ("ciscospark.com", Proto::Webex),
    ("dropbox.com", Proto::Dropbox), ("dropboxapi.com", Proto::Dropbox), ("dropboxstatic.com", Proto::Dropbox),
    ("dropbox-dns.com", Proto::Dropbox), ("db.tt", Proto::Dropbox), ("salesforce.com", Proto::Salesforce),
    ("force.com", Proto::Salesforce), ("anydesk.com", Proto::AnyDesk), ("teamviewer.com", Proto::TeamViewer),
    ("citrix.com", Proto::Citrix), ("citrixonline.com", Proto::Citrix),
    // Infrastructure, CDNs and DNS services
    ("cloudflare.com", Proto::Cloudflare), ("cloudflare-dns.com", Proto::DohDot), ("one.one.one.one", Proto::DohDot),
    ("dns.quad9.net", Proto::DohDot), ("doh.opendns.com", Proto::DohDot), ("dns.adguard.com", Proto::DohDot),
    ("mozilla.cloudflare-dns.com", Proto::DohDot),
    ("cloudflareclient.com", Proto::CloudflareWarp), ("ntop.org", Proto::Ntop), ("mozilla.org", Proto::Mozilla),
    ("mozilla.com", Proto::Mozilla), ("firefox.com", Proto::Mozilla), ("opera.com", Proto::Opera),
    ("avast.com", Proto::Avast), ("avcdn.net", Proto::Avast), ("ookla.com", Proto::Ookla),
    ("speedtest.net", Proto::Ookla), ("adobe.com", Proto::Adobe), ("adobe.io", Proto::Adobe),
    ("ubuntu.com", Proto::Canonical), ("canonical.com", Proto::Canonical), ("debian.org", Proto::Debian),
    ("mullvad.net", Proto::Mullvad), ("nordvpn.com", Proto::NordVpn), ("torproject.org", Proto::Tor),
    ("quad9.net", Proto::DohDot), ("nextdns.io", Proto::DohDot), ("dnslify.com", Proto::DohDot),
    ("cleanbrowsing.org", Proto::DohDot), ("dns.sb", Proto::DohDot), ("doh.seby.io", Proto::DohDot),
    ("adguard-dns.com", Proto::DohDot), ("doh.dns.apple.com", Proto::DohDot), ("dns.digitale-gesellschaft.ch", Proto::DohDot),
    ("agora.io", Proto::SdRtn), ("edge.agora.io", Proto::SdRtn),
    // Advertising and analytics trackers
    ("scorecardresearch.com", Proto::AdsAnalytics), ("newrelic.com", Proto::AdsAnalytics),
    ("adjust.com", Proto::AdsAnalytics), ("appsflyer.com", Proto::AdsAnalytics), ("branch.io", Proto::AdsAnalytics),
    ("mixpanel.com", Proto::AdsAnalytics), ("amplitude.com", Proto::AdsAnalytics), ("hotjar.com", Proto::AdsAnalytics),
    ("criteo.com", Proto::AdsAnalytics), ("taboola.com", Proto::AdsAnalytics), ("outbrain.com", Proto::AdsAnalytics),
    ("adnxs.com", Proto::AdsAnalytics), ("moatads.com", Proto::AdsAnalytics), ("chartbeat.net", Proto::AdsAnalytics),
    // Commerce, search, portals
    ("yahoo.com", Proto::Yahoo), ("yimg.com", Proto::Yahoo), ("yahooapis.com", Proto::Yahoo),
    ("ebay.com", Proto::Ebay), ("ebayimg.com", Proto::Ebay), ("wikipedia.org", Proto::Wikipedia),
    ("wikimedia.org", Proto::Wikipedia), ("booking.com", Proto::Booking), ("alibaba.com", Proto::Alibaba),
    ("aliexpress.com", Proto::Alibaba), ("alicdn.com", Proto::Alibaba), ("taobao.com", Proto::Alibaba),
    ("baidu.com", Proto::Baidu), ("bdstatic.com", Proto::Baidu), ("xiaomi.com", Proto::Xiaomi),
    ("mi.com", Proto::Xiaomi), ("miui.com", Proto::Xiaomi), ("huawei.com", Proto::Huawei),
    ("hicloud.com", Proto::Huawei), ("yandex.ru", Proto::Yandex), ("yandex.net", Proto::Yandex),
    ("yandex.com", Proto::Yandex), ("yastatic.net", Proto::Yandex), ("ya.ru", Proto::Yandex),
    ("mail.yandex.ru", Proto::YandexMail), ("mail.yandex.net", Proto::YandexMail),
    ("music.yandex.ru", Proto::YandexMusic), ("music.yandex.net", Proto::YandexMusic),
    ("disk.yandex.ru", Proto::YandexDisk), ("disk.yandex.net", Proto::YandexDisk),
    ("cloud.yandex.ru", Proto::YandexCloud), ("cloud.yandex.net", Proto::YandexCloud),
    ("mc.yandex.ru", Proto::YandexMetrika), ("metrika.yandex.ru", Proto::YandexMetrika),
    ("an.yandex.ru", Proto::YandexDirect), ("direct.yandex.ru", Proto::YandexDirect),
    ("market.yandex.ru", Proto::YandexMarket),
    // Games
    ("steampowered.com", Proto::Steam), ("steamcommunity.com", Proto::Steam), ("steamcontent.com", Proto::Steam),
    ("steamstatic.com", Proto::Steam), ("epicgames.com", Proto::EpicGames), ("epicgames.dev", Proto::EpicGames),
    ("unrealengine.com", Proto::EpicGames), ("riotgames.com", Proto::RiotGames), ("leagueoflegends.com", Proto::RiotGames),
    ("playstation.com", Proto::Playstation), ("playstation.net", Proto::Playstation),
    ("sonyentertainmentnetwork.com", Proto::Playstation), ("nintendo.com", Proto::Nintendo),
    ("nintendo.net", Proto::Nintendo), ("nvidia.com", Proto::Nvidia), ("geforcenow.com", Proto::Nvidia),
];

fn table() -> &'static HashMap<&'static str, Proto> {
    static TABLE: OnceLock<HashMap<&'static str, Proto>> = OnceLock::new();
    TABLE.get_or_init(|| DOMAINS.iter().copied().collect())
}

/// The application a server name belongs to, by its longest matching domain. Case-insensitive; a trailing dot
/// is ignored. Called once per flow, never per packet.
#[must_use]
pub fn lookup(name: &[u8]) -> Option<Proto> {
    let name = name.strip_suffix(b".").unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    let mut lower = [0u8; 253];
    let lower = &mut lower[..name.len()];
    for (d, s) in lower.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    let name = std::str::from_utf8(lower).ok()?;
    let table = table();
    // Try the whole name, then each suffix that starts after a dot: the first hit is the longest domain.
    let mut rest = name;
    loop {
        if let Some(&p) = table.get(rest) {
            return Some(p);
        }
        let dot = rest.find('.')?;
        rest = &rest[dot + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_domain_wins() {
        assert_eq!(lookup(b"www.google.com"), Some(Proto::Google));
        assert_eq!(lookup(b"mail.google.com"), Some(Proto::GMail));
        assert_eq!(
            lookup(b"r3---sn-4g5e6nsz.googlevideo.com"),
            Some(Proto::YouTube)
        );
        assert_eq!(lookup(b"youtubei.googleapis.com"), Some(Proto::YouTube));
        assert_eq!(lookup(b"fonts.googleapis.com"), Some(Proto::GoogleServices));
        assert_eq!(lookup(b"WWW.NETFLIX.COM."), Some(Proto::NetFlix));
    }

    #[test]
    fn label_boundaries() {
        assert_eq!(lookup(b"notgoogle.com"), None);
        assert_eq!(lookup(b"google.com.evil.example"), None);
        assert_eq!(lookup(b""), None);
        assert_eq!(lookup(b"com"), None);
    }

    #[test]
    fn every_domain_is_lowercase_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (d, _) in DOMAINS {
            assert_eq!(*d, d.to_ascii_lowercase());
            assert!(seen.insert(*d), "{d} twice");
        }
    }
}
