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
mod kyc_status;
mod partners;
mod service;
mod storage_s3;
mod stubs;
mod vies;
mod webhook_crash;
mod webhooks;
