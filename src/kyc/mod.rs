//! KYC: VAT numbers, VIES checks and the buyer's KYC status.

pub mod offline_check;
pub mod refresh_job;
pub mod requirements;
pub mod status;
pub mod vat;
pub mod vies;
