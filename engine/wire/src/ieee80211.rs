//! IEEE 802.11 data frames as CAPWAP carries them: enough of the MAC header to reach the LLC/SNAP ethertype.

use crate::cursor::ReadAt;
use crate::Field;

mod field {
    use super::Field;
    pub const FRAME_CONTROL_0: usize = 0;
    pub const FRAME_CONTROL_1: usize = 1;
    pub const SNAP_ETHERTYPE: Field = 6..8;
}

/// Frame control, duration, three addresses and sequence control.
pub const HEADER_LEN: usize = 24;
/// The fourth address of a frame between two distribution systems (to-DS and from-DS both set).
pub const ADDRESS_4_LEN: usize = 6;
pub const QOS_CONTROL_LEN: usize = 2;
pub const HT_CONTROL_LEN: usize = 4;
/// LLC (DSAP AA, SSAP AA, UI) and SNAP with the RFC 1042 OUI, before the ethertype.
pub const LLC_SNAP_RFC1042: [u8; 6] = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00];
pub const LLC_SNAP_LEN: usize = 8;

mod fc {
    /// Protocol version 0, type 2 (data), in the low nibble of the first byte.
    pub const DATA_V0: u8 = 0x08;
    pub const TYPE_VERSION_MASK: u8 = 0x0f;
    /// Subtype bit: QoS data (QoS control field present).
    pub const SUBTYPE_QOS: u8 = 0x80;
    /// Subtype bit: no frame body (Null, QoS Null, CF-Ack/Poll without data).
    pub const SUBTYPE_NO_DATA: u8 = 0x40;
    pub const TO_DS: u8 = 0x01;
    pub const FROM_DS: u8 = 0x02;
    pub const PROTECTED: u8 = 0x40;
    /// In QoS frames: an HT control field follows the QoS control.
    pub const ORDER: u8 = 0x80;
}

/// QoS control bit: the body is an A-MSDU (subframes with their own headers), not one MSDU.
const QOS_A_MSDU: u8 = 0x80;

#[inline]
fn is_data(fc0: u8) -> bool {
    fc0 & fc::TYPE_VERSION_MASK == fc::DATA_V0
}

/// The ethertype and packet of an unprotected 802.11 data frame with an RFC 1042 LLC/SNAP header; `None` for
/// anything else (management and control frames, null data, encrypted bodies, A-MSDUs, other LLC).
///
/// Some access points (Cisco's) send the two frame-control bytes swapped inside CAPWAP; a frame whose first byte
/// is not a data frame but whose second is, is read swapped.
pub fn llc_snap_payload(frame: &[u8]) -> Option<(u16, &[u8])> {
    let (b0, b1) = (
        frame.u8_at(field::FRAME_CONTROL_0).unwrap_or(0),
        frame.u8_at(field::FRAME_CONTROL_1).unwrap_or(0),
    );
    let (fc0, fc1) = if is_data(b0) {
        (b0, b1)
    } else if is_data(b1) {
        (b1, b0)
    } else {
        return None;
    };
    if fc0 & fc::SUBTYPE_NO_DATA != 0 || fc1 & fc::PROTECTED != 0 {
        return None;
    }
    let mut len = HEADER_LEN;
    if fc1 & (fc::TO_DS | fc::FROM_DS) == fc::TO_DS | fc::FROM_DS {
        len += ADDRESS_4_LEN;
    }
    if fc0 & fc::SUBTYPE_QOS != 0 {
        if frame.u8_at(len).unwrap_or(0) & QOS_A_MSDU != 0 {
            return None;
        }
        len += QOS_CONTROL_LEN;
        if fc1 & fc::ORDER != 0 {
            len += HT_CONTROL_LEN;
        }
    }
    let llc = frame.get(len..)?;
    if !llc.starts_with(&LLC_SNAP_RFC1042) || llc.len() < LLC_SNAP_LEN {
        return None;
    }
    Some((
        llc.u16_at(field::SNAP_ETHERTYPE.start).unwrap_or(0),
        llc.rest_at(LLC_SNAP_LEN),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(fc: [u8; 2], extra_header: usize, ethertype: [u8; 2]) -> Vec<u8> {
        let mut f = vec![0u8; HEADER_LEN + extra_header];
        f[..2].copy_from_slice(&fc);
        f.extend_from_slice(&LLC_SNAP_RFC1042);
        f.extend_from_slice(&ethertype);
        f.extend_from_slice(&[0x45, 0x00]);
        f
    }

    #[test]
    fn header_variants() {
        let plain = frame([0x08, 0x01], 0, [0x08, 0x00]);
        assert_eq!(llc_snap_payload(&plain), Some((0x0800, &[0x45, 0x00][..])));
        let wds_qos = frame([0x88, 0x03], ADDRESS_4_LEN + QOS_CONTROL_LEN, [0x86, 0xdd]);
        assert_eq!(llc_snap_payload(&wds_qos).map(|(et, _)| et), Some(0x86dd));
        let qos_ht = frame([0x88, 0x81], QOS_CONTROL_LEN + HT_CONTROL_LEN, [0x08, 0x00]);
        assert_eq!(llc_snap_payload(&qos_ht).map(|(et, _)| et), Some(0x0800));
        let swapped = frame([0x01, 0x08], 0, [0x08, 0x00]);
        assert_eq!(llc_snap_payload(&swapped).map(|(et, _)| et), Some(0x0800));
    }

    #[test]
    fn frames_without_an_ip_body() {
        let beacon = frame([0x80, 0x00], 0, [0x08, 0x00]);
        assert_eq!(llc_snap_payload(&beacon), None);
        let null = frame([0x48, 0x01], 0, [0x08, 0x00]);
        assert_eq!(llc_snap_payload(&null), None);
        let protected = frame([0x08, 0x41], 0, [0x08, 0x00]);
        assert_eq!(llc_snap_payload(&protected), None);
        let mut amsdu = frame([0x88, 0x01], QOS_CONTROL_LEN, [0x08, 0x00]);
        amsdu[HEADER_LEN] = QOS_A_MSDU;
        assert_eq!(llc_snap_payload(&amsdu), None);
        let plain = frame([0x08, 0x01], 0, [0x08, 0x00]);
        assert_eq!(llc_snap_payload(&plain[..HEADER_LEN + 7]), None);
        assert_eq!(llc_snap_payload(&[]), None);
    }
}
