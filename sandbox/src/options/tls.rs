//! mongod's TLS settings (`--tlsMode`, `--tlsCertificateKeyFile`, `--tlsCAFile`,
//! `--tlsAllowConnectionsWithoutCertificates` and their `net.tls.*` YAML keys), checked the way
//! mongod checks them at startup. The files are read when the member starts (node/tls.rs).

use std::collections::BTreeMap;
use std::path::PathBuf;

use bson::Bson;

/// `net.tls.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    #[default]
    Disabled,
    /// Plain and TLS clients accepted; connections to other members are plain.
    AllowTls,
    /// Plain and TLS clients accepted; connections to other members use TLS.
    PreferTls,
    /// TLS only, in and out.
    RequireTls,
}

impl TlsMode {
    pub fn name(self) -> &'static str {
        match self {
            TlsMode::Disabled => "disabled",
            TlsMode::AllowTls => "allowTLS",
            TlsMode::PreferTls => "preferTLS",
            TlsMode::RequireTls => "requireTLS",
        }
    }

    /// Whether this member opens its connections to other members with TLS.
    pub fn outgoing_tls(self) -> bool {
        matches!(self, TlsMode::PreferTls | TlsMode::RequireTls)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TlsOptions {
    pub mode: TlsMode,
    pub certificate_key_file: Option<PathBuf>,
    pub ca_file: Option<PathBuf>,
    pub allow_connections_without_certificates: bool,
}

/// Reads the `net.tls.*` settings (already merged from the file and the command line).
pub fn from_settings(settings: &BTreeMap<String, Bson>) -> Result<TlsOptions, String> {
    let text = |k: &str| match settings.get(k) {
        Some(Bson::String(s)) => Some(s.clone()),
        _ => None,
    };
    let mode = match text("net.tls.mode").as_deref() {
        None | Some("disabled") => TlsMode::Disabled,
        Some("allowTLS") => TlsMode::AllowTls,
        Some("preferTLS") => TlsMode::PreferTls,
        Some("requireTLS") => TlsMode::RequireTls,
        Some(other) => {
            return Err(format!(
                "BadValue: Invalid tlsMode '{other}': it must be disabled, allowTLS, preferTLS or requireTLS"
            ))
        }
    };
    let o = TlsOptions {
        mode,
        certificate_key_file: text("net.tls.certificateKeyFile").map(PathBuf::from),
        ca_file: text("net.tls.CAFile").map(PathBuf::from),
        allow_connections_without_certificates: matches!(
            settings.get("net.tls.allowConnectionsWithoutCertificates"),
            Some(Bson::Boolean(true))
        ),
    };
    let any_file = o.certificate_key_file.is_some() || o.ca_file.is_some();
    if o.mode == TlsMode::Disabled && any_file {
        return Err(
            "BadValue: need to enable TLS via the tlsMode flag when using TLS configuration parameters"
                .into(),
        );
    }
    if o.mode != TlsMode::Disabled && o.certificate_key_file.is_none() {
        return Err("BadValue: need tlsCertificateKeyFile when TLS is enabled".into());
    }
    // Members check each other's certificates; the sandbox reads no system trust store.
    if o.mode != TlsMode::Disabled && o.ca_file.is_none() {
        return Err(
            "BadValue: rsh-sandbox needs tlsCAFile when TLS is enabled (members verify each other's certificates against it)"
                .into(),
        );
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, Bson)]) -> BTreeMap<String, Bson> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn modes_and_their_requirements() {
        assert_eq!(
            from_settings(&BTreeMap::new()).map(|o| o.mode),
            Ok(TlsMode::Disabled)
        );
        let full = settings(&[
            ("net.tls.mode", Bson::String("preferTLS".into())),
            ("net.tls.certificateKeyFile", Bson::String("s.pem".into())),
            ("net.tls.CAFile", Bson::String("ca.pem".into())),
        ]);
        let o = from_settings(&full).unwrap();
        assert_eq!(o.mode, TlsMode::PreferTls);
        assert!(o.mode.outgoing_tls());
        assert!(!TlsMode::AllowTls.outgoing_tls());

        let bad = settings(&[("net.tls.mode", Bson::String("requireSSL".into()))]);
        assert!(from_settings(&bad).unwrap_err().contains("Invalid tlsMode"));
        let no_cert = settings(&[("net.tls.mode", Bson::String("requireTLS".into()))]);
        assert!(from_settings(&no_cert)
            .unwrap_err()
            .contains("tlsCertificateKeyFile"));
        let no_mode = settings(&[("net.tls.CAFile", Bson::String("ca.pem".into()))]);
        assert!(from_settings(&no_mode).unwrap_err().contains("tlsMode"));
    }
}
