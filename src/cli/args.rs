//! The clap definition of `rsh [options] [address] [files...]` (legacy `mongo` option names).
//! Shell completions are generated from this definition (completions/, tests/cli_completions.rs).
use clap::{ArgAction, Parser, ValueEnum, ValueHint};

/// Extended JSON flavour for `--json[=relaxed|canonical]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JsonArg {
    Relaxed,
    Canonical,
}

/// Every command-line option of rsh. Field names follow the legacy shell's spellings.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "rsh",
    version,
    about = "An admin shell for MongoDB replica sets, compatible with the legacy mongo shell",
    override_usage = "rsh [options] [address] [files...]",
    after_help = "address: host, host:port, host:port/db, db, or a mongodb:// / mongodb+srv:// URI.\n\
                  Arguments ending in .js are script files; they run after every --eval."
)]
pub struct Args {
    /// Server to connect to: host[:port][,host[:port]...], set/h1:p1,h2:p2, or a URI
    #[arg(long, value_name = "HOST", value_hint = ValueHint::Hostname)]
    pub host: Option<String>,

    /// Port for every host that does not name one (default 27017)
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,

    /// JavaScript to run before the files; may be repeated
    #[arg(long, value_name = "CODE", action = ArgAction::Append)]
    pub eval: Vec<String>,

    /// Enter the interactive shell after running --eval and files
    #[arg(long)]
    pub shell: bool,

    /// Do not connect to a server
    #[arg(long)]
    pub nodb: bool,

    /// Do not run ~/.rshrc.js (or ~/.mongorc.js)
    #[arg(long)]
    pub norc: bool,

    /// Print less: no startup lines, no `bye`
    #[arg(long)]
    pub quiet: bool,

    /// Print results as Extended JSON (relaxed by default)
    #[arg(
        long,
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "relaxed"
    )]
    pub json: Option<JsonArg>,

    /// Colour output on a terminal (NO_COLOR turns it off)
    #[arg(long)]
    pub color: bool,

    /// More log output
    #[arg(long)]
    pub verbose: bool,

    /// Retry writes once on a retryable error (the default; retryWrites=false in the URI turns it off)
    #[arg(long = "retryWrites")]
    pub retry_writes: bool,

    /// How long a command waits for a suitable server, e.g. a primary during an election (default 30000)
    #[arg(long = "serverSelectionTimeoutMS", value_name = "MS")]
    pub server_selection_timeout_ms: Option<u64>,

    /// Do not start implicit sessions
    #[arg(long = "disableImplicitSessions")]
    pub disable_implicit_sessions: bool,

    /// Heap limit of the JavaScript engine in MB (0: none); a script passing it stops with an
    /// out-of-memory error
    #[arg(long = "jsHeapLimitMB", value_name = "MB")]
    pub js_heap_limit_mb: Option<usize>,

    /// Accepted for legacy scripts: IPv6 addresses always work (a note says so)
    #[arg(long)]
    pub ipv6: bool,

    /// Accepted for legacy scripts: the JavaScript engine has no JIT (a note says so)
    #[arg(long = "disableJavaScriptJIT")]
    pub disable_javascript_jit: bool,

    /// User name for authentication
    #[arg(short = 'u', long, value_name = "USER")]
    pub username: Option<String>,

    /// Password for authentication; without a value it is asked for without echo
    #[arg(short = 'p', long, value_name = "PASSWORD", num_args = 0..=1, default_missing_value = "")]
    pub password: Option<String>,

    /// Database holding the user's credentials
    #[arg(long = "authenticationDatabase", value_name = "DB")]
    pub authentication_database: Option<String>,

    /// Authentication mechanism (SCRAM-SHA-1, SCRAM-SHA-256, MONGODB-X509, ...)
    #[arg(long = "authenticationMechanism", value_name = "MECH")]
    pub authentication_mechanism: Option<String>,

    /// Use TLS for every connection
    #[arg(long, visible_alias = "ssl")]
    pub tls: bool,

    /// Certificate authority file
    #[arg(
        long = "tlsCAFile",
        visible_alias = "sslCAFile",
        value_name = "FILE",
        value_hint = ValueHint::FilePath
    )]
    pub tls_ca_file: Option<String>,

    /// Client certificate and key (PEM)
    #[arg(
        long = "tlsCertificateKeyFile",
        visible_alias = "sslPEMKeyFile",
        value_name = "FILE",
        value_hint = ValueHint::FilePath
    )]
    pub tls_certificate_key_file: Option<String>,

    /// Password of the client key file
    #[arg(
        long = "tlsCertificateKeyFilePassword",
        visible_alias = "sslPEMKeyPassword",
        value_name = "PASSWORD"
    )]
    pub tls_certificate_key_file_password: Option<String>,

    /// Accept server certificates that do not validate
    #[arg(
        long = "tlsAllowInvalidCertificates",
        visible_alias = "sslAllowInvalidCertificates"
    )]
    pub tls_allow_invalid_certificates: bool,

    /// Accept server certificates whose host name does not match
    #[arg(
        long = "tlsAllowInvalidHostnames",
        visible_alias = "sslAllowInvalidHostnames"
    )]
    pub tls_allow_invalid_hostnames: bool,

    /// [address] then script files (arguments ending in .js)
    #[arg(value_name = "ARGS", num_args = 0.., value_hint = ValueHint::AnyPath)]
    pub positional: Vec<String>,
}

impl Args {
    /// The positional arguments split into (address, files): an argument ending in `.js` is a
    /// file, the first other one is the address and every later one a file. With `--nodb`
    /// there is no address.
    pub fn address_and_files(&self) -> (Option<&str>, Vec<&str>) {
        let mut address = None;
        let mut files = Vec::new();
        for arg in &self.positional {
            if self.nodb || address.is_some() || arg.ends_with(".js") {
                files.push(arg.as_str());
            } else {
                address = Some(arg.as_str());
            }
        }
        (address, files)
    }

    /// One-line notes about legacy options that change nothing in rsh.
    pub fn legacy_notes(&self) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if self.ipv6 {
            notes.push("note: --ipv6 is not needed: rsh connects to IPv6 addresses without it");
        }
        if self.disable_javascript_jit {
            notes.push(
                "note: --disableJavaScriptJIT has no effect: rsh's JavaScript engine has no JIT",
            );
        }
        notes
    }

    /// True when the session reads commands from the user (no --eval and no files, or --shell).
    pub fn interactive(&self) -> bool {
        let (_, files) = self.address_and_files();
        self.shell || (self.eval.is_empty() && files.is_empty())
    }
}
