//! Email: addresses (parsed once) and, later, sending.

mod address;

pub use address::EmailAddress;
