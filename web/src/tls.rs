//! HTTPS: the same router over TLS (rustls with the `ring` provider). Each handshake runs in its connection's own
//! task with a timeout (`server`), so a slow or silent client never holds up the others.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The certificate chain and private key, PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The server's TLS setup from `files`.
///
/// # Errors
/// When a file cannot be read, holds no certificate or key, or the key does not fit the certificate.
pub fn server_config(files: &TlsFiles) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let certs = load_certs(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("--https-key {}: no PEM private key", files.key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS: no protocol version")?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .context("--https-cert/--https-key: the key does not fit the certificate")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn load_certs(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("--https-cert {}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--https-cert {}: bad PEM", path.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "--https-cert {}: no certificate",
        path.display()
    );
    Ok(certs)
}
