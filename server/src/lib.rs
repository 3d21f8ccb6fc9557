//! Qabilet's server: configuration, CLI, HTTP router, auth, storage and services.

pub mod api;
pub mod auth;
pub mod authz;
pub mod certificate;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod http;
#[cfg(test)]
mod layering;
pub mod live;
pub mod metrics;
pub mod services;
pub mod state;
pub mod store;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
