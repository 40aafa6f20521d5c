//! QUIC Initial packets: header protection removal and payload decryption (RFC 9001 §5, RFC 9369), then the
//! CRYPTO frames reassembled, so the TLS parser can read the ClientHello.
