//! End-to-end tests against the real `qabilet` binary. One test binary, a module per feature.
//! Every API test runs on SQLite and on PostgreSQL.

mod a11y;
mod account_browser;
mod api;
mod api_fuzz;
mod authz;
mod backup;
mod bank;
mod browser;
mod crawl;
mod fault;
mod forms;
mod integrity;
mod integrity_browser;
mod keys;
mod pages_browser;
mod pipeline;
mod pipeline_browser;
mod proctor;
mod psychometrics;
mod scale;
mod security;
mod standards;
