//! Sessions: signing in and registering, the token's check on every request, signing out,
//! refreshing.

use super::*;

impl Services {
    /// Whether session cookies carry `Secure` (the site is served over HTTPS).
    pub fn secure_cookies(&self) -> bool {
        self.settings.secure_cookies
    }

    #[tracing::instrument(name = "sign in", skip(self, password))]
    pub(crate) async fn login(
        &self,
        email: &str,
        password: &str,
        ip: &str,
    ) -> Result<LoginResponse, AppError> {
        let result: Result<LoginResponse, AppError> = async {
            let wrong = || AppError::new(ErrorCode::Unauthenticated, "Wrong email or password.");
            let email = email.trim().to_lowercase();
            if email.is_empty() || password.is_empty() || password.len() > 1024 {
                return Err(wrong());
            }
            // Temporary lockout: too many wrong passwords for the account or from the address
            // within the window (counted across instances, in the database).
            let now = self.now();
            let window = self.settings.lockout_ms;
            let (by_email, by_ip) = self
                .store
                .auth_failures(&email, ip, now - window)
                .await?;
            if by_email >= MAX_FAILURES_PER_ACCOUNT || by_ip >= MAX_FAILURES_PER_ADDRESS {
                self.store.log_auth(now, &email, ip, "locked").await?;
                tracing::warn!(email = %email, ip, by_email, by_ip, "sign-in locked");
                return Err(AppError::new(
                    ErrorCode::Locked,
                    format!(
                        "Too many wrong passwords: signing in is paused for {} minutes. Try again later or ask the programme staff.",
                        (window / 60_000).max(1)
                    ),
                ));
            }
            let user = self.store.user_by_email(&email).await?;
            let hash = user
                .as_ref()
                .map(|u| u.password_hash.clone())
                .unwrap_or_else(|| DUMMY_HASH.to_string());
            let password = password.to_string();
            let ok = self.hashing.verify(hash, password).await?;
            let user = match user {
                Some(u) if ok => u,
                _ => {
                    self.store.log_auth(now, &email, ip, "wrong_password").await?;
                    return Err(wrong());
                }
            };
            self.store.log_auth(now, &email, ip, "signed_in").await?;
            let info = UserInfo {
                role: Role::parse(&user.role)
                    .ok_or_else(|| internal(format!("bad role {}", user.role)))?,
                id: user.id,
                email: user.email,
                full_name: user.full_name,
                session: uuid::Uuid::new_v4().to_string(),
            };
            let (token, exp_s) = self.tokens.issue(&info, self.now() / 1000)?;
            let preferences = self.preferences_of(&info.id).await?;
            Ok(LoginResponse {
                token,
                expires_ms: exp_s * 1000,
                user: info,
                preferences,
            })
        }
        .await;
        if result.is_ok() {
            self.metrics
                .logins
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        result
    }

    pub(crate) async fn register(
        &self,
        input: RegisterRequest,
        ip: &str,
    ) -> Result<LoginResponse, AppError> {
        let email = text::email_address(&input.email).ok_or_else(|| {
            AppError::invalid(format!("{:?} is not an e-mail address.", input.email))
        })?;
        let name = text::clean(&input.full_name);
        if name.split(' ').count() < 2 || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "Give your surname and name (at most 200 letters).",
            ));
        }
        let iin = question_bank::iin::parse(&input.iin)
            .map_err(|e| AppError::invalid(format!("IIN: {e}.")))?;
        auth::check_password_policy(&input.password).map_err(AppError::invalid)?;
        let now = self.now();
        if self
            .store
            .auth_events_from(ip, "registered", now - 3_600_000)
            .await?
            >= MAX_REGISTRATIONS_PER_ADDRESS_HOUR
        {
            return Err(AppError::new(
                ErrorCode::Locked,
                "Too many accounts were created from this address in the last hour; try later.",
            ));
        }
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "An account with this e-mail exists: sign in instead.",
            ));
        }
        if self.store.iin_taken(&iin.digits).await? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "An account with this IIN exists: sign in with it, or ask the programme staff.",
            ));
        }
        let hash = self.hashing.hash(input.password.clone()).await?;
        let user = crate::store::UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            email: email.clone(),
            password_hash: hash,
            role: Role::Applicant.as_str().into(),
            full_name: name,
            created_at: now,
        };
        match self.store.insert_registered(&user, &iin.digits).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "An account with this e-mail or IIN exists: sign in instead.",
                ));
            }
            r => r?,
        }
        self.store.log_auth(now, &email, ip, "registered").await?;
        tracing::info!(email = %email, "an applicant registered");
        self.login(&email, &input.password, ip).await
    }

    pub(crate) fn authenticate(&self, token: &str) -> Result<UserInfo, AppError> {
        let user = self.tokens.verify(token)?;
        let revoked = self
            .revoked
            .read()
            .map(|r| r.contains(&user.session))
            .unwrap_or(true);
        if revoked && !user.session.is_empty() {
            return Err(AppError::unauthenticated());
        }
        Ok(user)
    }

    pub(crate) async fn logout(&self, user: &UserInfo) -> Result<(), AppError> {
        if user.session.is_empty() {
            return Ok(());
        }
        let now = self.now();
        self.store
            .revoke_session(&user.session, now + self.tokens.ttl_ms(), now)
            .await?;
        if let Ok(mut r) = self.revoked.write() {
            r.insert(user.session.clone());
        }
        tracing::info!(user = %user.email, "signed out");
        Ok(())
    }

    pub(crate) async fn refresh(&self, token: &str) -> Result<LoginResponse, AppError> {
        // Signed out or not valid: refused like any other use of the token.
        self.authenticate(token)?;
        let (token, exp_s, user) = self.tokens.refresh(token, self.now() / 1000)?;
        let preferences = self.preferences_of(&user.id).await?;
        Ok(LoginResponse {
            token,
            expires_ms: exp_s * 1000,
            user,
            preferences,
        })
    }
}
