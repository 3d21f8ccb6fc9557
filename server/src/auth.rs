//! Passwords (argon2id) and session tokens (JWT, HS256 pinned, expiry, issuer and audience
//! checked). The signing secret is read from a file, created with mode 0600 on first start.

use anyhow::Context;
use app::error::AppError;
use app::model::{Role, UserInfo};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const ISSUER: &str = "qabilet";
pub const AUDIENCE: &str = "qabilet-web";

/// What a session token says. Stateless: any app server with the secret can check it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The sign-in session: a new random id at every login. The attempt remembers which
    /// session holds it (one active device per attempt).
    #[serde(default)]
    pub sid: String,
    /// When the person signed in (seconds): a refreshed token keeps it, and refreshing stops
    /// once the session is older than its maximum age.
    #[serde(default)]
    pub auth_time: i64,
}

pub struct Tokens {
    encoding: EncodingKey,
    /// The current key's id, put in every new token's header.
    kid: String,
    /// Every accepted key by id: the current one first, then previous ones still accepted
    /// until the tokens they signed expire.
    decoding: Vec<(String, DecodingKey)>,
    validation: Validation,
    ttl_s: i64,
    /// A session is refreshed until this long after sign-in; then the person signs in again.
    max_age_s: i64,
}

/// A key's id: the first 8 hex digits of its SHA-256 (names the key, reveals nothing of it).
pub fn key_id(secret: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(secret)
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Tokens {
    pub fn new(secret: &[u8], ttl_s: i64) -> Self {
        Self::with_keys(&[secret.to_vec()], ttl_s)
    }

    /// Signs with the first key; accepts tokens of any of them (rotation: put the new key
    /// first and keep the old one after it until its tokens have expired).
    pub fn with_keys(keys: &[Vec<u8>], ttl_s: i64) -> Self {
        let current: &[u8] = keys.first().map(Vec::as_slice).unwrap_or(&[]);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 5;
        validation.validate_exp = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(current),
            kid: key_id(current),
            decoding: keys
                .iter()
                .map(|k| (key_id(k), DecodingKey::from_secret(k)))
                .collect(),
            validation,
            ttl_s,
            max_age_s: 12 * 3600,
        }
    }

    /// Sets how long after sign-in a session may still be refreshed.
    pub fn with_max_age(mut self, max_age_s: i64) -> Self {
        self.max_age_s = max_age_s.max(self.ttl_s);
        self
    }

    /// Signs a token for `user`, valid from `now_s` for the configured time. Returns the token
    /// and its expiry (seconds since the epoch).
    pub fn issue(&self, user: &UserInfo, now_s: i64) -> Result<(String, i64), AppError> {
        self.sign(user, now_s, now_s)
    }

    /// A new token for the same session (same `sid` and sign-in time), valid from `now_s` for
    /// the configured time but not past the session's maximum age. `token` must be valid (the
    /// caller also checks it was not signed out).
    pub fn refresh(&self, token: &str, now_s: i64) -> Result<(String, i64, UserInfo), AppError> {
        let claims = self.claims(token)?;
        if claims.exp <= now_s {
            return Err(AppError::unauthenticated());
        }
        let auth_time = if claims.auth_time > 0 {
            claims.auth_time
        } else {
            claims.iat
        };
        if now_s - auth_time >= self.max_age_s {
            return Err(AppError::new(
                app::error::ErrorCode::Unauthenticated,
                "Your session has reached its maximum length; please sign in again.",
            ));
        }
        let user = user_of(claims);
        let (token, exp) = self.sign(&user, now_s, auth_time)?;
        Ok((token, exp, user))
    }

    fn sign(&self, user: &UserInfo, now_s: i64, auth_time: i64) -> Result<(String, i64), AppError> {
        let exp = (now_s + self.ttl_s).min(auth_time + self.max_age_s);
        let claims = Claims {
            sub: user.id.clone(),
            email: user.email.clone(),
            name: user.full_name.clone(),
            role: user.role,
            iat: now_s,
            exp,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sid: user.session.clone(),
            auth_time,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        let token = encode(&header, &claims, &self.encoding).map_err(|e| {
            tracing::error!(error = %e, "signing a session token failed");
            AppError::internal()
        })?;
        Ok((token, exp))
    }

    /// How long a token is valid, in milliseconds.
    pub fn ttl_ms(&self) -> i64 {
        self.ttl_s * 1000
    }

    pub fn verify(&self, token: &str) -> Result<UserInfo, AppError> {
        self.claims(token).map(user_of)
    }

    fn claims(&self, token: &str) -> Result<Claims, AppError> {
        // The key named by the token's `kid` (a token without one is checked against the
        // current key: tokens signed before keys had ids). An unknown id is refused.
        let header = jsonwebtoken::decode_header(token).map_err(|_| AppError::unauthenticated())?;
        let key = match &header.kid {
            Some(kid) => self.decoding.iter().find(|(id, _)| id == kid),
            None => self.decoding.first(),
        }
        .map(|(_, k)| k)
        .ok_or_else(AppError::unauthenticated)?;
        let data = decode::<Claims>(token, key, &self.validation).map_err(|e| {
            tracing::debug!(error = %e, "refused a session token");
            AppError::unauthenticated()
        })?;
        Ok(data.claims)
    }
}

fn user_of(c: Claims) -> UserInfo {
    UserInfo {
        id: c.sub,
        email: c.email,
        full_name: c.name,
        role: c.role,
        session: c.sid,
    }
}

/// An argon2id hash (PHC string) of `password`, with a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))
}

/// Whether `password` matches the stored `hash`. A malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The rules a new password must meet.
pub fn check_password_policy(password: &str) -> Result<(), String> {
    if password.chars().count() < 10 {
        return Err("The password must have at least 10 characters.".into());
    }
    if password.len() > 256 {
        return Err("The password must have at most 256 bytes.".into());
    }
    Ok(())
}

/// The signing keys from the environment variable `QABILET_JWT_KEYS` (keys separated by
/// commas or line breaks, the first signs; each at least 32 bytes), when it is set; else from
/// the file (see [`load_or_create_secret`]).
pub fn load_keys(env_value: Option<String>, path: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    match env_value.filter(|v| !v.trim().is_empty()) {
        Some(v) => {
            let keys: Vec<Vec<u8>> = v
                .split([',', '\n'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(|k| k.as_bytes().to_vec())
                .collect();
            for (n, k) in keys.iter().enumerate() {
                anyhow::ensure!(
                    k.len() >= 32,
                    "key {} in QABILET_JWT_KEYS is shorter than 32 bytes",
                    n + 1
                );
            }
            Ok(keys)
        }
        None => load_or_create_secret(path),
    }
}

/// Reads the signing keys from `path`, one per line (hex or any text of at least 32 bytes; the
/// first signs, the others are still accepted), or creates the file with one random key (32
/// bytes, hex, mode 0600).
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the JWT secret file {}", path.display()))?;
        let keys: Vec<Vec<u8>> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.as_bytes().to_vec())
            .collect();
        anyhow::ensure!(
            !keys.is_empty(),
            "the JWT secret file {} is empty",
            path.display()
        );
        for (n, k) in keys.iter().enumerate() {
            anyhow::ensure!(
                k.len() >= 32,
                "key {} in the JWT secret file {} is shorter than 32 bytes",
                n + 1,
                path.display()
            );
        }
        return Ok(keys);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, &hex)
        .with_context(|| format!("writing the JWT secret file {}", path.display()))?;
    tracing::info!(path = %path.display(), "created a new JWT signing secret");
    Ok(vec![hex.into_bytes()])
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Work for a password thread: a check or a hash, which answers on its own channel.
type PasswordJob = Box<dyn FnOnce() + Send>;

/// Password checks and hashes run on a few dedicated threads. That bounds the CPU sign-ins can
/// take (the rest is left for saves), and it bounds memory too: argon2 takes 19 MiB per run,
/// and the allocator keeps an arena per thread that ever ran one, so runs spread over tokio's
/// many blocking threads left hundreds of MB resident after a sign-in storm.
pub struct Verifier {
    tx: std::sync::Mutex<std::sync::mpsc::Sender<PasswordJob>>,
    /// Jobs waiting or running now.
    queued: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Beyond this many waiting jobs, callers are told to come back shortly (each waiting
    /// sign-in holds a connection and its buffers).
    limit: usize,
}

impl Verifier {
    pub fn new(threads: usize) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<PasswordJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else {
                            return;
                        };
                        job();
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        Self {
            tx: std::sync::Mutex::new(tx),
            queued: std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            limit: 200 * threads.max(1),
        }
    }

    /// Runs `work` on a password thread; `Busy` when too many jobs wait already (about 3 s of
    /// work per thread).
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        use std::sync::atomic::Ordering;
        if self.queued.fetch_add(1, Ordering::SeqCst) >= self.limit {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::new(
                app::error::ErrorCode::Busy,
                "Many people are signing in at this moment: try again in a few seconds.",
            ));
        }
        struct Done(std::sync::Arc<std::sync::atomic::AtomicUsize>);
        impl Drop for Done {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let _done = Done(self.queued.clone());
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.tx
            .lock()
            .map_err(|_| AppError::internal())?
            .send(Box::new(move || {
                let _ = reply.send(work());
            }))
            .map_err(|_| AppError::internal())?;
        answer.await.map_err(|_| AppError::internal())
    }

    /// Whether `password` matches `hash`.
    pub async fn verify(&self, hash: String, password: String) -> Result<bool, AppError> {
        self.run(move || verify_password(&hash, &password)).await
    }

    /// An argon2id hash of `password` (a new or changed password).
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_password(&password))
            .await?
            .map_err(|e| {
                tracing::error!(error = %e, "hashing a password failed");
                AppError::internal()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserInfo {
        UserInfo {
            id: "u1".into(),
            email: "a@b.kz".into(),
            full_name: "A".into(),
            role: Role::Applicant,
            session: "s1".into(),
        }
    }

    #[test]
    fn a_token_round_trips_and_a_foreign_one_is_refused() {
        let t = Tokens::new(&[7u8; 32], 3600);
        let now = 1_800_000_000;
        let (token, exp) = t.issue(&user(), now).expect("token");
        assert_eq!(exp, now + 3600);
        // The real clock is before `now`, so the token is valid.
        let back = t.verify(&token).expect("valid");
        assert_eq!((back.id.as_str(), back.session.as_str()), ("u1", "s1"));
        let other = Tokens::new(&[8u8; 32], 3600);
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn keys_rotate_by_id_and_a_removed_key_is_refused() {
        let (a, b) = (vec![1u8; 32], vec![2u8; 32]);
        let now = crate::clock::system_now_ms() / 1000;
        let old = Tokens::with_keys(std::slice::from_ref(&a), 3600);
        let (token_a, _) = old.issue(&user(), now).expect("token");
        let header = jsonwebtoken::decode_header(&token_a).expect("header");
        assert_eq!(header.kid.as_deref(), Some(key_id(&a).as_str()));
        // B is the new key; A is still accepted until its tokens expire.
        let rotating = Tokens::with_keys(&[b.clone(), a.clone()], 3600);
        assert!(rotating.verify(&token_a).is_ok());
        let (token_b, _) = rotating.issue(&user(), now).expect("token");
        assert_eq!(
            jsonwebtoken::decode_header(&token_b)
                .expect("header")
                .kid
                .as_deref(),
            Some(key_id(&b).as_str())
        );
        // A removed: its tokens are refused; B's still work.
        let after = Tokens::with_keys(std::slice::from_ref(&b), 3600);
        assert!(after.verify(&token_a).is_err());
        assert!(after.verify(&token_b).is_ok());
        // A token naming a key nobody has is refused, even if signed with a known one.
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("deadbeef".into());
        let claims = Claims {
            sub: "u1".into(),
            email: "a@b.kz".into(),
            name: "A".into(),
            role: Role::Admin,
            iat: now,
            exp: now + 600,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sid: "x".into(),
            auth_time: now,
        };
        let forged = encode(&h, &claims, &EncodingKey::from_secret(&b)).expect("encode");
        assert!(after.verify(&forged).is_err());
    }

    #[test]
    fn refreshing_keeps_the_session_until_its_maximum_age() {
        let t = Tokens::new(&[7u8; 32], 600).with_max_age(1800);
        let now = 1_900_000_000;
        let (first, exp) = t.issue(&user(), now).expect("token");
        assert_eq!(exp, now + 600);
        let before = t.verify(&first).expect("valid");
        // Ten minutes on (still valid within the leeway window, refreshed before expiry).
        let (second, exp2, who) = t.refresh(&first, now + 590).expect("refreshed");
        assert_eq!(exp2, now + 590 + 600);
        assert_eq!(who.session, before.session, "the same session");
        // Up to the maximum age and no further.
        let (third, exp3, _) = t.refresh(&second, now + 1100).expect("refreshed");
        assert_eq!(exp3, now + 1700);
        let (fourth, exp4, _) = t.refresh(&third, now + 1650).expect("refreshed");
        assert_eq!(exp4, now + 1800, "capped at sign-in + maximum age");
        assert!(
            t.refresh(&fourth, now + 1800).is_err(),
            "too old to refresh"
        );
        // An expired or forged token cannot be refreshed.
        assert!(t.refresh(&first, now + 700).is_err());
        let other = Tokens::new(&[8u8; 32], 600);
        assert!(other.refresh(&first, now + 10).is_err());
    }

    #[test]
    fn keys_come_from_the_environment_before_the_file() {
        let dir = std::env::temp_dir().join(format!("qabilet-keys-{}", std::process::id()));
        let file = dir.join("secret");
        let a = "a".repeat(32);
        let b = "b".repeat(40);
        let keys = load_keys(Some(format!("{a}, {b}")), &file).expect("keys");
        assert_eq!(keys, [a.as_bytes().to_vec(), b.as_bytes().to_vec()]);
        assert!(!file.exists(), "the file is not touched");
        assert!(load_keys(Some("short".into()), &file).is_err());
        // Unset or empty: the file (created with one key).
        let from_file = load_keys(Some("  ".into()), &file).expect("file");
        assert_eq!(from_file.len(), 1);
        assert!(file.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let t = Tokens::new(&[7u8; 32], 60);
        let (token, _) = t.issue(&user(), 1_000_000).expect("token");
        assert!(t.verify(&token).is_err());
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "wrong"));
        assert!(!verify_password("not a hash", "x"));
    }
}
