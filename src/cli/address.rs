//! The connection plan: what to connect to, built from the options by the legacy rules
//! (reference 6.2) and mongosh's single-host rule (one host, no replicaSet/directConnection/
//! loadBalanced, not SRV → `directConnection=true`).
use super::hosts::{check_db_name, parse_host, parse_host_list, pct_encode, DEFAULT_PORT};
use super::uri::{is_uri, parse_uri, ParsedUri};
use super::{Args, CliError};

/// TLS settings gathered from the options and the connection string (whose TLS keys are moved
/// here so there is one place to read them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsPlan {
    pub enabled: bool,
    pub ca_file: Option<String>,
    pub cert_key_file: Option<String>,
    pub cert_key_password: Option<String>,
    pub allow_invalid_certificates: bool,
    pub allow_invalid_hostnames: bool,
}

/// Everything the connection layer needs. `uri` never holds credentials or TLS settings; they
/// are in the fields below.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionPlan {
    /// The connection string for the driver (no user info, no auth/TLS options).
    pub uri: String,
    /// The string to show to the user (`connecting to: …`): `uri` plus auth source/mechanism
    /// and `tls=true`, never a secret.
    pub display_uri: String,
    /// The database `db` starts on (`test` by default).
    pub db: String,
    /// A direct connection to one node (no discovery), whatever its role.
    pub direct: bool,
    /// Replica set named by `set/hosts` or `replicaSet=`.
    pub replica_set: Option<String>,
    /// Seed hosts as written in `uri`.
    pub hosts: Vec<String>,
    pub srv: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `-p` given without a value and no password elsewhere: ask for it (without echo).
    pub prompt_password: bool,
    pub auth_db: Option<String>,
    pub mechanism: Option<String>,
    pub tls: TlsPlan,
    /// `--retryWrites` (Some(true)) or the URI's `retryWrites`; None = the shell's default.
    pub retry_writes: Option<bool>,
    /// `--serverSelectionTimeoutMS` or the URI's `serverSelectionTimeoutMS`; None = 30 s.
    pub server_selection_timeout_ms: Option<u64>,
}

const AUTH_KEYS: [&str; 2] = ["authSource", "authMechanism"];
const TLS_KEYS: [&str; 8] = [
    "tls",
    "ssl",
    "tlsCAFile",
    "tlsCertificateKeyFile",
    "tlsCertificateKeyFilePassword",
    "tlsAllowInvalidCertificates",
    "tlsAllowInvalidHostnames",
    "tlsInsecure",
];

/// Build the plan; None with `--nodb`. Conflicting options give a one-line error.
pub fn plan(args: &Args) -> Result<Option<ConnectionPlan>, CliError> {
    if args.nodb {
        return Ok(None);
    }
    let (address, _) = args.address_and_files();
    let mut uri = target_uri(args, address)?;

    let mut p = ConnectionPlan {
        srv: uri.srv,
        ..ConnectionPlan::default()
    };
    p.username = merge("user name", uri.username.take(), args.username.clone())?;
    let cli_password = args.password.clone().filter(|p| !p.is_empty());
    p.password = merge("password", uri.password.take(), cli_password)?;
    p.prompt_password = args.password.as_deref() == Some("") && p.password.is_none();
    if (p.password.is_some() || p.prompt_password) && p.username.is_none() {
        return Err(CliError::new(
            "a password needs a user name (-u/--username)",
        ));
    }
    p.auth_db = merge(
        "authentication database",
        uri.option("authSource")?,
        args.authentication_database.clone(),
    )?;
    p.mechanism = merge(
        "authentication mechanism",
        uri.option("authMechanism")?,
        args.authentication_mechanism.clone(),
    )?;
    p.tls = tls_plan(args, &uri)?;
    p.retry_writes = if args.retry_writes {
        Some(true)
    } else {
        uri.bool_option("retryWrites")?
    };
    p.server_selection_timeout_ms = selection_timeout(args, &uri)?;
    uri.remove_options(&AUTH_KEYS);
    uri.remove_options(&TLS_KEYS);

    p.replica_set = uri.option("replicaSet")?;
    let direct_opt = uri.bool_option("directConnection")?;
    let load_balanced = uri.bool_option("loadBalanced")?.is_some();
    if direct_opt == Some(true) && (uri.hosts.len() != 1 || uri.srv) {
        return Err(CliError::new(
            "directConnection=true needs exactly one host and no mongodb+srv://",
        ));
    }
    p.direct = direct_opt == Some(true);
    if !uri.srv
        && uri.hosts.len() == 1
        && p.replica_set.is_none()
        && direct_opt.is_none()
        && !load_balanced
    {
        uri.options
            .push(("directConnection".to_string(), "true".to_string()));
        p.direct = true;
    }
    p.db = uri.db.clone().unwrap_or_else(|| "test".to_string());
    p.hosts = uri.hosts.clone();
    p.uri = uri.to_uri();
    p.display_uri = display_uri(&uri, &p);
    Ok(Some(p))
}

/// The connection string from `--host`/`--port` and the positional address (reference 6.2).
fn target_uri(args: &Args, address: Option<&str>) -> Result<ParsedUri, CliError> {
    let host = args.host.as_deref().filter(|h| !h.is_empty());
    let port = args.port;
    // `mongo://h`, `http://h`: a scheme rsh does not speak reads better as such than as a
    // host named after it.
    for text in [address, host].into_iter().flatten() {
        if let Some((scheme, _)) = text.split_once("://") {
            if !is_uri(text)
                && !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                return Err(CliError::new(format!(
                    "'{scheme}://' is not a connection-string scheme: use mongodb:// or mongodb+srv://"
                )));
            }
        }
    }
    if let Some(text) = address.filter(|a| is_uri(a)) {
        if host.is_some() || port.is_some() {
            return Err(full_uri_conflict());
        }
        return parse_uri(text);
    }
    if let Some(text) = host.filter(|h| is_uri(h)) {
        if port.is_some() || address.is_some() {
            return Err(full_uri_conflict());
        }
        return parse_uri(text);
    }
    let (set_name, hosts, db) = match (host, address) {
        (Some(h), addr) => {
            let list = parse_host_list(h, port)?;
            let db = match addr {
                Some(a) if a.contains(['/', ':']) => {
                    return Err(CliError::new(format!(
                        "--host is given: the address argument must be a database name, not '{a}'"
                    )))
                }
                Some(a) => Some(a.to_string()),
                None => None,
            };
            (list.set_name, list.hosts, db)
        }
        (None, Some(a)) => {
            if let Some((h, db)) = a.split_once('/') {
                let list = parse_host_list(h, port)?;
                (
                    list.set_name,
                    list.hosts,
                    Some(db).filter(|d| !d.is_empty()).map(str::to_string),
                )
            } else if looks_like_host(a) {
                (None, vec![parse_host(a, port)?], None)
            } else {
                (None, vec![default_host(port)], Some(a.to_string()))
            }
        }
        (None, None) => (None, vec![default_host(port)], None),
    };
    if let Some(db) = &db {
        check_db_name(db)?;
    }
    let options = set_name
        .map(|s| vec![("replicaSet".to_string(), pct_encode(&s))])
        .unwrap_or_default();
    Ok(ParsedUri {
        srv: false,
        username: None,
        password: None,
        hosts,
        db,
        options,
    })
}

/// Legacy rule: a positional value containing `.` or `:<digit>` is a host, else a database.
fn looks_like_host(text: &str) -> bool {
    text.contains('.')
        || text
            .match_indices(':')
            .any(|(i, _)| text[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        || text.matches(':').count() > 1
}

fn default_host(port: Option<u16>) -> String {
    format!("127.0.0.1:{}", port.unwrap_or(DEFAULT_PORT))
}

fn full_uri_conflict() -> CliError {
    CliError::new("If a full URI is provided, you cannot also specify --host or --port")
}

/// One value given in two places must agree.
fn merge(
    what: &str,
    from_uri: Option<String>,
    from_cli: Option<String>,
) -> Result<Option<String>, CliError> {
    match (from_uri, from_cli) {
        (Some(a), Some(b)) if a != b => Err(CliError::new(format!(
            "the {what} in the connection string differs from the one given as an option"
        ))),
        (a, b) => Ok(b.or(a)),
    }
}

/// `--serverSelectionTimeoutMS` and the URI's `serverSelectionTimeoutMS` (which stays in the
/// connection string): a number of milliseconds, the same in both places when given twice.
fn selection_timeout(args: &Args, uri: &ParsedUri) -> Result<Option<u64>, CliError> {
    let from_uri = match uri.option("serverSelectionTimeoutMS")? {
        None => None,
        Some(text) => Some(text.trim().parse::<u64>().map_err(|_| {
            CliError::new(format!(
                "serverSelectionTimeoutMS must be a number of milliseconds, not '{text}'"
            ))
        })?),
    };
    match (from_uri, args.server_selection_timeout_ms) {
        (Some(a), Some(b)) if a != b => Err(CliError::new(
            "the serverSelectionTimeoutMS in the connection string differs from the one given as an option",
        )),
        (a, b) => Ok(b.or(a)),
    }
}

fn tls_plan(args: &Args, uri: &ParsedUri) -> Result<TlsPlan, CliError> {
    let insecure = uri.bool_option("tlsInsecure")? == Some(true);
    let uri_tls = match uri.bool_option("tls")? {
        Some(v) => Some(v),
        None => uri.bool_option("ssl")?,
    };
    let mut tls = TlsPlan {
        ca_file: merge(
            "tlsCAFile",
            uri.option("tlsCAFile")?,
            args.tls_ca_file.clone(),
        )?,
        cert_key_file: merge(
            "tlsCertificateKeyFile",
            uri.option("tlsCertificateKeyFile")?,
            args.tls_certificate_key_file.clone(),
        )?,
        cert_key_password: merge(
            "tlsCertificateKeyFilePassword",
            uri.option("tlsCertificateKeyFilePassword")?,
            args.tls_certificate_key_file_password.clone(),
        )?,
        allow_invalid_certificates: args.tls_allow_invalid_certificates
            || insecure
            || uri.bool_option("tlsAllowInvalidCertificates")? == Some(true),
        allow_invalid_hostnames: args.tls_allow_invalid_hostnames
            || insecure
            || uri.bool_option("tlsAllowInvalidHostnames")? == Some(true),
        enabled: false,
    };
    let any_tls_option = tls.ca_file.is_some()
        || tls.cert_key_file.is_some()
        || tls.allow_invalid_certificates
        || tls.allow_invalid_hostnames;
    if uri_tls == Some(false) && (args.tls || any_tls_option) {
        return Err(CliError::new(
            "the connection string says tls=false but TLS options are given",
        ));
    }
    // SRV strings default to TLS, as in the driver.
    tls.enabled = args.tls || any_tls_option || uri_tls.unwrap_or(uri.srv);
    Ok(tls)
}

fn display_uri(uri: &ParsedUri, p: &ConnectionPlan) -> String {
    let mut shown = uri.clone();
    if let Some(src) = &p.auth_db {
        shown.options.push(("authSource".into(), pct_encode(src)));
    }
    if let Some(mech) = &p.mechanism {
        shown
            .options
            .push(("authMechanism".into(), pct_encode(mech)));
    }
    if p.tls.enabled && !p.srv {
        shown.options.push(("tls".into(), "true".into()));
    }
    shown.to_uri()
}
