//! The integration tests: one binary, modules per area.

mod helpers;

mod auth_and_errors;
mod buyers;
mod cli;
mod crash;
mod documents;
mod fixtures;
mod idempotency;
mod jobs;
mod partners;
mod service;
mod stubs;
mod storage_s3;
mod vies;
