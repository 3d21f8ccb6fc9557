//! Accounts: passwords, accounts staff create, preferences, revoked sessions.

use super::*;

impl Services {
    /// The caller changes their password (the current one checked; the new one meets the
    /// policy). Audited.
    pub async fn change_password(
        &self,
        user: &UserInfo,
        input: PasswordChange,
        ip: &str,
    ) -> Result<(), AppError> {
        let row = self
            .store
            .user_by_id(&user.id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if !self
            .hashing
            .verify(row.password_hash.clone(), input.current.clone())
            .await?
        {
            self.store
                .log_auth(self.now(), &row.email, ip, "wrong_password")
                .await?;
            return Err(AppError::new(
                ErrorCode::Invalid,
                "The current password is not right.",
            ));
        }
        auth::check_password_policy(&input.new).map_err(AppError::invalid)?;
        let hash = self.hashing.hash(input.new.clone()).await?;
        self.store.set_password_hash(&row.id, &hash).await?;
        self.store
            .log_auth(self.now(), &row.email, ip, "password_changed")
            .await?;
        Ok(())
    }

    /// An administrator creates an account with a temporary password (shown once). Audited.
    pub async fn create_account(
        &self,
        user: &UserInfo,
        input: NewAccount,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        if user.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        let email = text::email_address(&input.email).ok_or_else(|| {
            AppError::invalid(format!("{:?} is not an e-mail address.", input.email))
        })?;
        let name = text::clean(&input.full_name);
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "Give the person's full name (at most 200 letters).",
            ));
        }
        let temporary = temporary_password();
        let hash = self.hashing.hash(temporary.clone()).await?;
        let now = self.now();
        let row = crate::store::UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            email: email.clone(),
            password_hash: hash,
            role: input.role.as_str().into(),
            full_name: name,
            created_at: now,
        };
        match self.store.insert_user(&row).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "An account with this e-mail exists.",
                ));
            }
            r => r?,
        }
        self.store
            .log_auth(now, &email, ip, "account_created")
            .await?;
        tracing::info!(account = %email, role = input.role.as_str(), by = %user.email, "account created");
        Ok(PasswordReset {
            email,
            temporary_password: temporary,
        })
    }

    /// The account's stored preferences (defaults for anything unreadable).
    pub async fn preferences_of(&self, user_id: &str) -> Result<Preferences, AppError> {
        Ok(self
            .store
            .user_preferences(user_id)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Staff set a temporary password for an account (shown once). Audited.
    pub async fn reset_password(
        &self,
        user: &UserInfo,
        email: &str,
        ip: &str,
    ) -> Result<PasswordReset, AppError> {
        if user.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        let email = email.trim().to_lowercase();
        let row = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or_else(|| AppError::not_found("The account"))?;
        let temporary = temporary_password();
        let hash = self.hashing.hash(temporary.clone()).await?;
        self.store.set_password_hash(&row.id, &hash).await?;
        self.store
            .log_auth(self.now(), &row.email, ip, "password_reset")
            .await?;
        tracing::info!(account = %row.email, by = %user.email, "password reset by staff");
        Ok(PasswordReset {
            email: row.email,
            temporary_password: temporary,
        })
    }

    /// Reloads the signed-out sessions (those signed out on other instances too).
    pub async fn refresh_revoked(&self) -> Result<(), AppError> {
        let sids = self.store.revoked_sessions(self.now()).await?;
        // Added to, never replaced: a sign-out made here between the read and this write must
        // not be forgotten. (Expired sessions are refused by their expiry anyway.)
        if let Ok(mut r) = self.revoked.write() {
            r.extend(sids);
        }
        Ok(())
    }
    pub(crate) async fn save_preferences(
        &self,
        user: &UserInfo,
        preferences: Preferences,
    ) -> Result<Preferences, AppError> {
        if let Some(problem) = preferences.problem() {
            return Err(AppError::invalid(problem));
        }
        let json = serde_json::to_string(&preferences).map_err(internal)?;
        self.store.set_user_preferences(&user.id, &json).await?;
        Ok(preferences)
    }
}
