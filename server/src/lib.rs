//! Qabilet's server: configuration, CLI, HTTP router, auth, storage and services.

pub mod analysis;
pub mod api;
pub mod auth;
pub mod authz;
pub mod bank;
pub mod blueprints;
pub mod certificate;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod http;
pub mod identity;
pub mod integrity;
#[cfg(test)]
mod layering;
pub mod live;
pub mod messages;
pub mod metrics;
pub mod pipeline;
pub mod proctor;
pub mod services;
pub mod standards;
pub mod state;
pub mod store;
