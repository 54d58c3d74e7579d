//! SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802 / 7677 as MongoDB uses them): stored credentials,
//! the server side of a conversation, and a small client side for members authenticating to
//! each other with the key file.
//!
//! MongoDB specifics: SCRAM-SHA-1 hashes the password as `hex(md5("user:mongo:pwd"))` first;
//! SCRAM-SHA-256 uses the password itself after SASLprep (only ASCII passwords are accepted
//! here, for which SASLprep changes nothing).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bson::{doc, Document};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The two mechanisms the sandbox offers (mongod's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mech {
    Sha1,
    Sha256,
}

pub const MECHANISMS: [Mech; 2] = [Mech::Sha1, Mech::Sha256];

impl Mech {
    pub fn name(self) -> &'static str {
        match self {
            Mech::Sha1 => "SCRAM-SHA-1",
            Mech::Sha256 => "SCRAM-SHA-256",
        }
    }

    pub fn from_name(name: &str) -> Option<Mech> {
        MECHANISMS.into_iter().find(|m| m.name() == name)
    }

    /// mongod's scramIterationCount / scramSHA256IterationCount defaults.
    fn iterations(self) -> u32 {
        match self {
            Mech::Sha1 => 10_000,
            Mech::Sha256 => 15_000,
        }
    }

    /// Salt length mongod generates (hash length minus the 4-byte block counter).
    fn salt_len(self) -> usize {
        match self {
            Mech::Sha1 => 16,
            Mech::Sha256 => 28,
        }
    }

    /// The password text SCRAM salts: the MongoDB digest for SHA-1, the prepared password for
    /// SHA-256.
    pub fn prepare_password(self, user: &str, pwd: &str) -> Result<String, String> {
        match self {
            Mech::Sha1 => Ok(mongo_digest(user, pwd)),
            Mech::Sha256 => saslprep_ascii(pwd),
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            Mech::Sha1 => mac::<Hmac<Sha1>>(key, data),
            Mech::Sha256 => mac::<Hmac<Sha256>>(key, data),
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Mech::Sha1 => <Sha1 as Digest>::digest(data).to_vec(),
            Mech::Sha256 => <Sha256 as Digest>::digest(data).to_vec(),
        }
    }

    /// Hi(password, salt, i) of RFC 5802.
    fn salted(self, prepared: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
        let mut out = vec![
            0u8;
            match self {
                Mech::Sha1 => 20,
                Mech::Sha256 => 32,
            }
        ];
        // HMAC accepts keys of any length, so this cannot fail.
        let _ = match self {
            Mech::Sha1 => {
                pbkdf2::pbkdf2::<Hmac<Sha1>>(prepared.as_bytes(), salt, iterations, &mut out)
            }
            Mech::Sha256 => {
                pbkdf2::pbkdf2::<Hmac<Sha256>>(prepared.as_bytes(), salt, iterations, &mut out)
            }
        };
        out
    }
}

fn mac<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length; an empty result simply never verifies.
        Err(_) => Vec::new(),
    }
}

/// MongoDB's legacy password digest, `hex(md5("user:mongo:pwd"))`.
pub fn mongo_digest(user: &str, pwd: &str) -> String {
    hex::encode(<md5::Md5 as md5::Digest>::digest(
        format!("{user}:mongo:{pwd}").as_bytes(),
    ))
}

/// SASLprep for the passwords the sandbox supports: printable ASCII (and space) is returned
/// unchanged; anything else is refused with a clear message.
pub fn saslprep_ascii(pwd: &str) -> Result<String, String> {
    if pwd.chars().all(|c| (' '..='~').contains(&c)) {
        Ok(pwd.to_string())
    } else {
        Err("rsh-sandbox supports only printable ASCII passwords for SCRAM-SHA-256 (SASLprep of other characters is not implemented)".to_string())
    }
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut v);
    v
}

/// A stored SCRAM credential (`credentials.SCRAM-SHA-256` of a user document).
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl Credential {
    /// New credential with a random salt for an already prepared password.
    pub fn generate(mech: Mech, prepared: &str) -> Credential {
        let salt = random_bytes(mech.salt_len());
        let iterations = mech.iterations();
        let salted = mech.salted(prepared, &salt, iterations);
        let client_key = mech.hmac(&salted, b"Client Key");
        Credential {
            iterations,
            stored_key: mech.hash(&client_key),
            server_key: mech.hmac(&salted, b"Server Key"),
            salt,
        }
    }

    pub fn to_document(&self) -> Document {
        doc! {
            "iterationCount": self.iterations as i32,
            "salt": B64.encode(&self.salt),
            "storedKey": B64.encode(&self.stored_key),
            "serverKey": B64.encode(&self.server_key),
        }
    }

    pub fn from_document(d: &Document) -> Option<Credential> {
        let b = |k: &str| d.get_str(k).ok().and_then(|s| B64.decode(s).ok());
        let iterations = match d.get("iterationCount")? {
            bson::Bson::Int32(i) => u32::try_from(*i).ok()?,
            bson::Bson::Int64(i) => u32::try_from(*i).ok()?,
            _ => return None,
        };
        Some(Credential {
            iterations,
            salt: b("salt")?,
            stored_key: b("storedKey")?,
            server_key: b("serverKey")?,
        })
    }
}

/// `n=`/`r=` style attribute of a SCRAM message.
fn attr(msg: &str, key: char) -> Option<&str> {
    msg.split(',').find_map(|part| {
        let mut cs = part.chars();
        (cs.next() == Some(key) && cs.next() == Some('=')).then(|| &part[2..])
    })
}

/// RFC 5802 saslname decoding (`=2C` → `,`, `=3D` → `=`; any other `=` is malformed).
fn decode_name(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        match rest.get(i..i + 3) {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return Err("invalid SCRAM user name encoding".into()),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

fn encode_name(s: &str) -> String {
    s.replace('=', "=3D").replace(',', "=2C")
}

/// The client's first message: the user name, and the part the proofs sign.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientFirst {
    pub user: String,
    pub bare: String,
    pub nonce: String,
}

pub fn parse_client_first(payload: &[u8]) -> Result<ClientFirst, String> {
    let text = std::str::from_utf8(payload).map_err(|_| "SCRAM payload is not UTF-8")?;
    // gs2 header: "n,," (no channel binding, no authzid) or "y,,".
    let bare = match text.split_once(",,") {
        Some((gs2, rest)) if gs2 == "n" || gs2 == "y" => rest,
        Some((gs2, rest)) if gs2.starts_with("n,a=") || gs2.starts_with("y,a=") => rest,
        _ => {
            return Err(format!(
                "Incorrect SCRAM client|server first message header: {text}"
            ))
        }
    };
    let user = attr(bare, 'n').ok_or("Invalid SCRAM client first message: no user")?;
    let nonce = attr(bare, 'r').ok_or("Invalid SCRAM client first message: no nonce")?;
    Ok(ClientFirst {
        user: decode_name(user)?,
        bare: bare.to_string(),
        nonce: nonce.to_string(),
    })
}

/// Server state between saslStart and the client's proof.
#[derive(Debug, Clone)]
pub struct ServerConversation {
    pub mech: Mech,
    cred: Credential,
    auth_prefix: String,
    nonce: String,
}

/// Answers a client-first message with `r=…,s=…,i=…`.
pub fn server_first(
    mech: Mech,
    cred: &Credential,
    first: &ClientFirst,
) -> (ServerConversation, Vec<u8>) {
    let nonce = format!("{}{}", first.nonce, B64.encode(random_bytes(24)));
    let server_first = format!(
        "r={nonce},s={},i={}",
        B64.encode(&cred.salt),
        cred.iterations
    );
    let conv = ServerConversation {
        mech,
        cred: cred.clone(),
        auth_prefix: format!("{},{server_first},", first.bare),
        nonce,
    };
    (conv, server_first.into_bytes())
}

impl ServerConversation {
    /// Checks the client proof; on success returns the server-final message (`v=…`).
    pub fn client_final(&self, payload: &[u8]) -> Result<Vec<u8>, String> {
        let text = std::str::from_utf8(payload).map_err(|_| "SCRAM payload is not UTF-8")?;
        let (without_proof, proof) = text
            .rsplit_once(",p=")
            .ok_or("Invalid SCRAM client final message: no proof")?;
        if attr(without_proof, 'r') != Some(self.nonce.as_str()) {
            return Err("Unmatched SCRAM nonce received from client in second step".into());
        }
        let proof = B64.decode(proof).map_err(|_| "SCRAM proof is not base64")?;
        let auth_message = format!("{}{without_proof}", self.auth_prefix);
        let signature = self
            .mech
            .hmac(&self.cred.stored_key, auth_message.as_bytes());
        if proof.len() != signature.len() {
            return Err("SCRAM authentication failed, storedKey mismatch".into());
        }
        let client_key = xor(&proof, &signature);
        if self.mech.hash(&client_key) != self.cred.stored_key {
            return Err("SCRAM authentication failed, storedKey mismatch".into());
        }
        let server_sig = self
            .mech
            .hmac(&self.cred.server_key, auth_message.as_bytes());
        Ok(format!("v={}", B64.encode(server_sig)).into_bytes())
    }
}

/// Hi() for the client side, remembered per (mechanism, password, salt, count): a member opens
/// many connections to the same peers with the same key, and each server keeps its salt, so the
/// expensive derivation runs once per peer instead of once per connection.
fn cached_salted(mech: Mech, prepared: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
    type Key = (&'static str, String, Vec<u8>, u32);
    static CACHE: std::sync::Mutex<Vec<(Key, Vec<u8>)>> = std::sync::Mutex::new(Vec::new());
    let key: Key = (mech.name(), prepared.to_string(), salt.to_vec(), iterations);
    if let Ok(cache) = CACHE.lock() {
        if let Some((_, v)) = cache.iter().find(|(k, _)| *k == key) {
            return v.clone();
        }
    }
    let salted = mech.salted(prepared, salt, iterations);
    if let Ok(mut cache) = CACHE.lock() {
        // A handful of peers at most; a restarted peer brings a new salt, so keep it bounded.
        if cache.len() >= 32 {
            cache.remove(0);
        }
        cache.push((key, salted.clone()));
    }
    salted
}

/// Client side (internal authentication between members).
#[derive(Debug, Clone)]
pub struct ClientConversation {
    mech: Mech,
    bare: String,
    nonce: String,
    server_sig: Vec<u8>,
}

/// Starts a client conversation for `user`; returns the state and the client-first payload.
pub fn client_first(mech: Mech, user: &str) -> (ClientConversation, Vec<u8>) {
    let nonce = B64.encode(random_bytes(24));
    let bare = format!("n={},r={nonce}", encode_name(user));
    let payload = format!("n,,{bare}").into_bytes();
    let conv = ClientConversation {
        mech,
        bare,
        nonce,
        server_sig: Vec::new(),
    };
    (conv, payload)
}

impl ClientConversation {
    /// Computes the client-final message from the server-first one and the prepared password.
    pub fn client_final(&mut self, server_first: &[u8], prepared: &str) -> Result<Vec<u8>, String> {
        let text = std::str::from_utf8(server_first).map_err(|_| "SCRAM payload is not UTF-8")?;
        let nonce = attr(text, 'r').ok_or("server first message without nonce")?;
        if !nonce.starts_with(&self.nonce) {
            return Err("server nonce does not extend the client nonce".into());
        }
        let salt = attr(text, 's')
            .and_then(|s| B64.decode(s).ok())
            .ok_or("server first message without a valid salt")?;
        let iterations: u32 = attr(text, 'i')
            .and_then(|s| s.parse().ok())
            .filter(|i| *i >= 4096)
            .ok_or("server first message without a valid iteration count")?;
        let salted = cached_salted(self.mech, prepared, &salt, iterations);
        let client_key = self.mech.hmac(&salted, b"Client Key");
        let stored_key = self.mech.hash(&client_key);
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{text},{without_proof}", self.bare);
        let signature = self.mech.hmac(&stored_key, auth_message.as_bytes());
        let proof = xor(&client_key, &signature);
        let server_key = self.mech.hmac(&salted, b"Server Key");
        self.server_sig = self.mech.hmac(&server_key, auth_message.as_bytes());
        Ok(format!("{without_proof},p={}", B64.encode(proof)).into_bytes())
    }

    /// Checks the server's signature (`v=…`): the server knows the key too.
    pub fn verify_server_final(&self, payload: &[u8]) -> Result<(), String> {
        let text = std::str::from_utf8(payload).map_err(|_| "SCRAM payload is not UTF-8")?;
        let sig = attr(text, 'v')
            .and_then(|s| B64.decode(s).ok())
            .ok_or("server final message without a signature")?;
        if sig != self.server_sig {
            return Err("server signature does not verify".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7677_sha256_example_verifies() {
        // RFC 7677 section 3: user "user", password "pencil".
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").expect("test data"); // ok: test data
        let mech = Mech::Sha256;
        let salted = mech.salted("pencil", &salt, 4096);
        let client_key = mech.hmac(&salted, b"Client Key");
        let cred = Credential {
            iterations: 4096,
            salt,
            stored_key: mech.hash(&client_key),
            server_key: mech.hmac(&salted, b"Server Key"),
        };
        let first = parse_client_first(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO").expect("first"); // ok: test data
        let conv = ServerConversation {
            mech,
            cred,
            auth_prefix: format!(
                "{},r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
                first.bare
            ),
            nonce: "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".into(),
        };
        let fin = conv
            .client_final(b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
            .expect("proof verifies"); // ok: test data
        assert_eq!(
            fin,
            b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".to_vec()
        );
    }

    #[test]
    fn client_and_server_agree_and_wrong_password_fails() {
        for mech in MECHANISMS {
            let prepared = mech.prepare_password("bob", "secret").expect("ascii"); // ok: test data
            let cred = Credential::generate(mech, &prepared);
            let (mut client, first) = client_first(mech, "bob");
            let first = parse_client_first(&first).expect("first"); // ok: test data
            assert_eq!(first.user, "bob");
            let (server, sfirst) = server_first(mech, &cred, &first);
            let cfinal = client.client_final(&sfirst, &prepared).expect("final"); // ok: test data
            let sfinal = server.client_final(&cfinal).expect("verifies"); // ok: test data
            client.verify_server_final(&sfinal).expect("server sig"); // ok: test data

            let wrong = mech.prepare_password("bob", "wrong").expect("ascii"); // ok: test data
            let (mut client, first) = client_first(mech, "bob");
            let first = parse_client_first(&first).expect("first"); // ok: test data
            let (server, sfirst) = server_first(mech, &cred, &first);
            let cfinal = client.client_final(&sfirst, &wrong).expect("final"); // ok: test data
            assert!(server.client_final(&cfinal).is_err());
        }
    }

    #[test]
    fn credential_round_trips_through_bson_and_digest_matches_spec() {
        let cred = Credential::generate(Mech::Sha1, &mongo_digest("user", "pencil"));
        assert_eq!(Credential::from_document(&cred.to_document()), Some(cred));
        // The driver auth spec's SCRAM-SHA-1 test vector digest.
        assert_eq!(
            mongo_digest("user", "pencil"),
            "1c33006ec1ffd90f9cadcbcc0e118200"
        );
        assert!(saslprep_ascii("p\u{e9}").is_err());
        assert_eq!(decode_name("a=2Cb=3Dc").expect("valid"), "a,b=c"); // ok: test data
    }
}
