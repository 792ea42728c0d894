//! The integration tests: one binary, modules per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;
mod i18n;

mod access;
mod admin;
mod architecture;
mod auth_and_errors;
mod backup;
mod browser;
mod buyer_lists;
mod buyers;
mod check_config;
mod cli;
mod conditional_requests;
mod crash;
mod documents;
mod erasure;
mod failures;
mod fixtures;
mod hardening;
mod idempotency;
mod idenfy_stub;
mod invitation_renewal;
mod invitations;
mod jobs;
mod kyc_status;
mod openapi;
mod organisation_api;
mod partners;
mod pdf_corpus;
mod pdf_tricks;
mod portal;
mod portal_links;
mod profile;
mod query_parameters;
mod retention;
mod service;
mod storage_s3;
mod stubs;
mod upgrade;
mod verification;
mod vies;
mod webhook_crash;
mod webhook_targets;
mod webhooks;
