//! Errors on the wire: the stable code, its HTTP status and a message.

use super::*;

/// An error on the wire: the stable code, the HTTP status that goes with it, and a message.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let busy = self.0.code == ErrorCode::Busy;
        let mut response = (status, Json(self.0)).into_response();
        if busy {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

pub(super) type ApiResult<T> = Result<T, ApiError>;
