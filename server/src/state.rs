//! What every request handler holds: the site's options and the services (the use cases). The
//! REST handlers call the services; the pages' server functions reach the same object through
//! the port the UI crate defines ([`AppState::backend`]).

use crate::services::Services;
use app::backend::SharedBackend;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Arc<Services>,
}

impl AppState {
    /// The services as the pages' port.
    pub fn backend(&self) -> SharedBackend {
        self.services.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
