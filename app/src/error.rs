//! One error vocabulary for the server functions, the REST API and the pages: a stable code a
//! program can act on and a message a person can read. Internal causes are logged on the server
//! and never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No valid session: sign in (again).
    Unauthenticated,
    /// Signed in, but this is not yours or not for your role.
    Forbidden,
    NotFound,
    /// The request is well formed but breaks a rule (wrong answer shape, unknown item...).
    Invalid,
    /// The request is not readable (malformed JSON, wrong types).
    BadRequest,
    /// The attempt is closed: submitted or out of time.
    AttemptClosed,
    /// The thing exists already or changed meanwhile.
    Conflict,
    /// The attempt was opened by a newer sign-in (another device): this one may no longer
    /// save to it. Sign in again here to take it back.
    Superseded,
    PayloadTooLarge,
    /// A proctor paused the attempt: nothing is taken until it resumes (keep the answer and
    /// send it again then).
    Paused,
    /// The browser could not reach the server.
    Network,
    /// The server is too busy for this now (a sign-in storm): try again in a few seconds.
    Busy,
    /// Too many wrong passwords for this account or from this address: wait, then try again.
    Locked,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Invalid => "invalid",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::AttemptClosed => "attempt_closed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Superseded => "superseded",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Paused => "paused",
            ErrorCode::Network => "network",
            ErrorCode::Busy => "busy",
            ErrorCode::Locked => "locked",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status this code is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Invalid => 422,
            ErrorCode::BadRequest => 400,
            ErrorCode::AttemptClosed
            | ErrorCode::Conflict
            | ErrorCode::Superseded
            | ErrorCode::Paused => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Locked => 429,
            ErrorCode::Network | ErrorCode::Busy => 503,
            ErrorCode::Internal => 500,
        }
    }
}

/// The error every server function and API route returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "Please sign in: your session is missing or has expired.",
        )
    }
    pub fn forbidden() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            "This is not available to your account.",
        )
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} was not found."))
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "An internal error occurred; it has been logged.",
        )
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(m) => AppError::new(
                ErrorCode::Network,
                format!("The server could not be reached ({m})."),
            ),
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::new(
                ErrorCode::BadRequest,
                format!("The request could not be read: {m}"),
            ),
            other => AppError::new(ErrorCode::Internal, other.to_string()),
        }
    }
}
