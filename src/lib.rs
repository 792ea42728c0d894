//! kyc-portal: a self-hosted buyer onboarding (KYC) portal for marketplaces.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod access;
pub mod admin;
pub mod api;
pub mod api_tokens;
pub mod audit;
pub mod buyers;
pub mod config;
pub mod db;
pub mod documents;
pub mod email;
pub mod erasure;
pub mod errors;
pub mod events;
pub mod export;
pub mod http;
pub mod i18n;
pub mod idempotency;
pub mod invitations;
pub mod jobs;
pub mod kyc;
pub mod ops;
pub mod organisation;
pub mod pagination;
pub mod partners;
pub mod portal;
pub mod previews;
pub mod rate_limit;
pub mod readiness;
pub mod reminders;
pub mod retention;
pub mod seal;
pub mod secret_token;
pub mod server_key;
pub mod staff;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod time_zone;
pub mod verification;
pub mod webhooks;
pub mod write;

pub use config::Settings;
pub use startup::{Application, RunOptions};
