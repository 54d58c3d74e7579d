//! Credentials and TLS for the driver (`-u/-p`, `--authenticationDatabase`, `--tls*`), and
//! `db.auth()` / `db.logout()`: the driver cannot change a client's credentials, so the
//! connection re-opens its client with the new ones and checks them with a ping.

use std::str::FromStr;

use mongodb::bson::doc;
use mongodb::options::{
    AuthMechanism, Credential, ReadPreference, SelectionCriteria, Tls, TlsOptions,
};
use mongodb::Client;

use super::error::{classify, map_class, ConnError};
use super::runtime::{block_on, drop_in_runtime};
use super::spec::ConnectSpec;
use super::topology::sdam_handler;
use super::Connection;

pub(crate) fn credential(
    spec: &ConnectSpec,
    base: Option<Credential>,
) -> Result<Option<Credential>, ConnError> {
    if spec.username.is_none() && spec.auth_mechanism.is_none() {
        return Ok(base);
    }
    let mut c = base.unwrap_or_default();
    if let Some(u) = &spec.username {
        c.username = Some(u.clone());
    }
    if let Some(p) = &spec.password {
        c.password = Some(p.clone());
    }
    if let Some(s) = spec.auth_db.as_ref().filter(|s| !s.is_empty()) {
        c.source = Some(s.clone());
    }
    if let Some(m) = &spec.auth_mechanism {
        c.mechanism = Some(
            AuthMechanism::from_str(m)
                .map_err(|_| ConnError::Usage(format!("unknown authentication mechanism: {m}")))?,
        );
    }
    Ok(Some(c))
}

/// The driver's TLS settings. Its rustls backend cannot skip only the host name check, so
/// `--tlsAllowInvalidHostnames` skips certificate validation as a whole; it cannot decrypt a
/// key file either, so a key file password is refused rather than ignored.
pub(crate) fn tls(spec: &ConnectSpec) -> Result<Option<Tls>, ConnError> {
    let t = &spec.tls;
    if !t.enabled {
        return Ok(None);
    }
    if t.cert_key_password.is_some() {
        return Err(ConnError::Usage(
            "--tlsCertificateKeyFilePassword is not supported: give an unencrypted key file"
                .to_string(),
        ));
    }
    let mut o = TlsOptions::default();
    o.ca_file_path = t.ca_file.as_ref().map(Into::into);
    o.cert_key_file_path = t.cert_key_file.as_ref().map(Into::into);
    o.allow_invalid_certificates = Some(t.allow_invalid_certificates || t.allow_invalid_hostnames);
    Ok(Some(Tls::Enabled(o)))
}

impl Connection {
    /// Re-open the client with new credentials (`db.auth`) and check them with a ping.
    /// `None` drops the credentials (`db.logout`).
    pub fn reauthenticate(
        &self,
        cred: Option<(String, String, String, Option<String>)>,
    ) -> Result<(), ConnError> {
        let mut o = self.options.clone();
        o.credential = match cred {
            None => None,
            Some((user, pwd, source, mech)) => {
                let spec = ConnectSpec {
                    username: Some(user),
                    password: Some(pwd),
                    auth_db: Some(source),
                    auth_mechanism: mech,
                    ..Default::default()
                };
                credential(&spec, None)?
            }
        };
        o.sdam_event_handler = Some(sdam_handler(self.topology.clone()));
        let fresh = block_on(&self.interrupt, async move { Client::with_options(o) })?
            .map_err(|e| ConnError::Usage(crate::conn::error::plain_error_text(&e.to_string())))?;
        let probe = fresh.clone();
        let crit = if self.replica_set {
            Some(SelectionCriteria::ReadPreference(ReadPreference::Nearest {
                options: None,
            }))
        } else {
            None
        };
        let r = block_on(&self.interrupt, async move {
            let admin = probe.database("admin");
            let mut a = admin.run_command(doc! {"ping": 1});
            if let Some(c) = crit {
                a = a.selection_criteria(c);
            }
            a.await
        })?;
        if let Err(e) = r {
            drop_in_runtime(fresh);
            return Err(map_class(classify(&e), &self.ctx("ping", false)));
        }
        let old = {
            let mut w = match self.client.write() {
                Ok(w) => w,
                Err(p) => p.into_inner(),
            };
            w.replace(fresh)
        };
        drop_in_runtime(old);
        let old_members: Vec<Client> = match self.members.lock() {
            Ok(mut m) => m.drain().map(|(_, c)| c).collect(),
            Err(p) => p.into_inner().drain().map(|(_, c)| c).collect(),
        };
        drop_in_runtime(old_members);
        self.renew_implicit_session()
    }
}
