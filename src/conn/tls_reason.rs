//! Short reasons for TLS failures, read from the driver's (rustls) error text, so a refused
//! connection says why in a few words: an untrusted or expired certificate, a server that
//! wants TLS from a plain-text client, a handshake with a server that does not speak TLS.

/// The reason for `message` (lower-cased driver text) when it is a TLS failure.
pub fn tls_reason(lower: &str) -> Option<&'static str> {
    let reason = if lower.contains("certificate expired") || lower.contains("certificate: expired")
    {
        "TLS: the server's certificate has expired"
    } else if lower.contains("not valid yet") {
        "TLS: the server's certificate is not valid yet"
    } else if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
        "TLS: the server's certificate is not signed by a trusted CA (--tlsCAFile)"
    } else if lower.contains("certificate not valid for name") {
        "TLS: the server's certificate does not name this host"
    } else if lower.contains("only allow ssl connections") {
        "the server only accepts TLS connections (use --tls)"
    } else if lower.contains("certificate required") || lower.contains("certificaterequired") {
        "TLS: the server requires a client certificate (--tlsCertificateKeyFile)"
    } else if lower.contains("invalid peer certificate") || lower.contains("badcertificate") {
        "TLS: the server's certificate was refused"
    } else if lower.contains("corrupt message") || lower.contains("tls handshake") {
        "TLS handshake failed (does the server use TLS?)"
    } else {
        return None;
    };
    Some(reason)
}

#[cfg(test)]
mod tests {
    use super::tls_reason;

    #[test]
    fn driver_texts_map_to_short_reasons() {
        let r = |t: &str| tls_reason(&t.to_ascii_lowercase());
        assert_eq!(
            r("I/O error: invalid peer certificate: UnknownIssuer"),
            Some("TLS: the server's certificate is not signed by a trusted CA (--tlsCAFile)")
        );
        assert_eq!(
            r("invalid peer certificate: certificate expired: verification time 1 (UNIX), but certificate is not valid after 0 (1 seconds ago)"),
            Some("TLS: the server's certificate has expired")
        );
        assert_eq!(
            r("Command failed: The server is configured to only allow SSL connections"),
            Some("the server only accepts TLS connections (use --tls)")
        );
        assert_eq!(
            r("invalid peer certificate: Expired"),
            Some("TLS: the server's certificate has expired")
        );
        assert_eq!(r("Connection refused (os error 111)"), None);
    }
}
