//! Extractors whose rejections use the API's error format: JSON bodies, paths, queries, the verified caller, the client's address.

use super::*;

/// A JSON body whose rejections use our error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError(json_rejection(rejection))),
        }
    }
}

pub(super) fn json_rejection(r: JsonRejection) -> AppError {
    let code = match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::Invalid,
        _ => ErrorCode::BadRequest,
    };
    AppError::new(code, r.body_text())
}

/// Path parameters with our error format.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(r) => Err(ApiError(AppError::new(
                ErrorCode::BadRequest,
                path_message(r),
            ))),
        }
    }
}

/// Query parameters with our error format.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(ApiError(AppError::new(
                ErrorCode::BadRequest,
                r.body_text(),
            ))),
        }
    }
}

pub(super) fn path_message(r: PathRejection) -> String {
    r.body_text()
}

/// The signed-in caller, from the bearer token or the session cookie.
pub struct Caller(pub UserInfo);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(crate::authz::Verified(user)) = parts.extensions.get() {
            return Ok(Caller(user.clone()));
        }
        let token = token_from_headers(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        Ok(Caller(state.services.authenticate(&token)?))
    }
}

/// The caller's address: the connection's peer (the server is meant to sit behind nothing, or
/// behind a proxy that keeps the connection per client).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientIp(ip))
    }
}
