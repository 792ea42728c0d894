//! Pieces the HTTP areas (`api`, `portal`, `admin`) share.

pub mod assets;
pub mod client;
pub mod download;
pub mod error;
pub mod messages;
pub mod observe;
pub mod page;
pub mod problem_types;
pub mod retry_after;
pub mod schemas;
pub mod unavailable;
pub mod upload_form;
