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
pub mod identity;
pub mod integrity;
pub mod live;
pub mod messages;
pub mod metrics;
pub mod pipeline;
pub mod proctor;
pub mod service;
pub mod standards;
pub mod store;
pub mod web;
