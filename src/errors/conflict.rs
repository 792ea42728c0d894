//! Why a request that was understood cannot be done now: conflicts with the current state,
//! refusals, and services that are unavailable; each with its English sentence for the API
//! and a message id for the pages (`locales/*/rules.ftl`).

use serde_json::Value;

/// The request contradicts the current state.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// The buyer is blocked.
    BuyerBlocked,
    /// A buyer with this VAT number exists with other details (`current`).
    BuyerExists {
        /// The buyer as it is.
        current: Value,
    },
    /// The caller's version is not the current one.
    StaleVersion {
        /// The version the caller based its change on.
        sent: i64,
        /// The current version.
        current_version: i64,
        /// The resource as it is.
        current: Value,
    },
    /// The resource changed while this request ran; reading it again helps.
    ChangedMeanwhile,
    /// A staff user with this address exists.
    EmailTaken,
    /// Staff cannot change their own role or disable themselves.
    CannotChangeYourself,
    /// The invitation is not active (its status, as the API spells it).
    InvitationNotActive {
        /// `EXPIRED`, `REVOKED` or `EXHAUSTED`.
        status: String,
    },
    /// The invitation cannot be renewed: it still works, or was withdrawn (its status).
    InvitationNotRenewable {
        /// `ACTIVE` or `REVOKED`.
        status: String,
    },
    /// The invitation is print-only: it has no recipient to email.
    InvitationPrintOnly,
    /// Identity verification is for NT24_LED buyers.
    NotNt24Led,
    /// The buyer's verification waits for staff (`current`).
    VerificationInReview {
        /// The verification as it is.
        current: Value,
    },
    /// The buyer is verified already (`current`).
    AlreadyVerified {
        /// The verification as it is.
        current: Value,
    },
    /// No verification of the buyer waits for review.
    NothingToReview,
    /// The verification was decided while this request ran.
    DecidedMeanwhile,
    /// A KYC profile is issued only for verified buyers.
    NotVerified,
    /// A request with this Idempotency-Key is still running.
    KeyInFlight,
    /// A retry with this Idempotency-Key took over while this request ran.
    KeyTakenOver,
    /// The business relationship with the buyer has ended.
    BuyerEnded,
    /// The buyer has not ended; only an ended relationship can be reopened or erased.
    BuyerNotEnded,
    /// The buyer is on legal hold; its records may not be erased.
    BuyerOnHold,
    /// The buyer's personal data has been erased.
    BuyerErased,
}

impl Conflict {
    /// The English sentence the API answers with.
    pub fn english(&self) -> String {
        match self {
            Conflict::BuyerBlocked => "the buyer is blocked".into(),
            Conflict::BuyerExists { .. } => {
                "a buyer with this VAT number exists with other details; use PATCH to change it"
                    .into()
            }
            Conflict::StaleVersion {
                sent,
                current_version,
                ..
            } => format!(
                "you sent version {sent}, but the current version is {current_version}; the current resource is attached"
            ),
            Conflict::ChangedMeanwhile => "the resource changed meanwhile; read it again".into(),
            Conflict::EmailTaken => "a staff user with this email exists".into(),
            Conflict::CannotChangeYourself => "you cannot change your own account here".into(),
            Conflict::InvitationNotActive { status } => {
                format!("the invitation is {status}; create a new one")
            }
            Conflict::InvitationNotRenewable { status } => {
                format!("the invitation is {status}; only an expired or used-up link can be renewed")
            }
            Conflict::InvitationPrintOnly => {
                "the invitation is print-only and has no recipientEmail; there is no email to send"
                    .into()
            }
            Conflict::NotNt24Led => {
                "identity verification is for NT24_LED buyers; this buyer's KYC is MARKETPLACE_LED"
                    .into()
            }
            Conflict::VerificationInReview { .. } => {
                "the buyer's verification waits for a staff review".into()
            }
            Conflict::AlreadyVerified { .. } => "the buyer is verified already".into(),
            Conflict::NothingToReview => "no verification of this buyer waits for review".into(),
            Conflict::DecidedMeanwhile => "the verification was decided meanwhile".into(),
            Conflict::NotVerified => "a KYC profile is issued only for a verified buyer".into(),
            Conflict::KeyInFlight => {
                "a request with this Idempotency-Key is still being processed; retry later".into()
            }
            Conflict::KeyTakenOver => {
                "a retry with this Idempotency-Key took over while this request ran; nothing was changed"
                    .into()
            }
            Conflict::BuyerEnded => {
                "the business relationship with the buyer has ended; reopen it first".into()
            }
            Conflict::BuyerNotEnded => "the business relationship with the buyer has not ended".into(),
            Conflict::BuyerOnHold => {
                "the buyer is on legal hold; its records may not be erased".into()
            }
            Conflict::BuyerErased => "the buyer's personal data has been erased".into(),
        }
    }

    /// The message a page shows.
    pub fn message_id(&self) -> &'static str {
        match self {
            Conflict::BuyerBlocked => "conflict-buyer-blocked",
            Conflict::BuyerExists { .. } => "conflict-buyer-exists",
            Conflict::StaleVersion { .. } | Conflict::ChangedMeanwhile => "conflict-changed",
            Conflict::EmailTaken => "conflict-email-taken",
            Conflict::CannotChangeYourself => "conflict-yourself",
            Conflict::InvitationNotActive { .. } => "conflict-invitation-not-active",
            Conflict::InvitationNotRenewable { .. } => "conflict-invitation-not-renewable",
            Conflict::InvitationPrintOnly => "conflict-invitation-print-only",
            Conflict::NotNt24Led => "conflict-not-nt24-led",
            Conflict::VerificationInReview { .. } => "conflict-verification-in-review",
            Conflict::AlreadyVerified { .. } => "conflict-already-verified",
            Conflict::NothingToReview | Conflict::DecidedMeanwhile => "conflict-nothing-to-review",
            Conflict::NotVerified => "conflict-not-verified",
            Conflict::KeyInFlight | Conflict::KeyTakenOver => "conflict-key-in-flight",
            Conflict::BuyerEnded => "conflict-buyer-ended",
            Conflict::BuyerNotEnded => "conflict-buyer-not-ended",
            Conflict::BuyerOnHold => "conflict-buyer-on-hold",
            Conflict::BuyerErased => "conflict-buyer-erased",
        }
    }

    /// The resource as it is now, when the conflict carries it.
    pub fn current(&self) -> Option<&Value> {
        match self {
            Conflict::BuyerExists { current }
            | Conflict::StaleVersion { current, .. }
            | Conflict::VerificationInReview { current }
            | Conflict::AlreadyVerified { current } => Some(current),
            _ => None,
        }
    }

    /// One sample of every kind of conflict, for checking that each has its messages.
    pub fn samples() -> Vec<Conflict> {
        vec![
            Conflict::BuyerBlocked,
            Conflict::BuyerExists {
                current: Value::Null,
            },
            Conflict::StaleVersion {
                sent: 0,
                current_version: 1,
                current: Value::Null,
            },
            Conflict::ChangedMeanwhile,
            Conflict::EmailTaken,
            Conflict::CannotChangeYourself,
            Conflict::InvitationNotActive {
                status: "EXPIRED".into(),
            },
            Conflict::InvitationNotRenewable {
                status: "REVOKED".into(),
            },
            Conflict::InvitationPrintOnly,
            Conflict::NotNt24Led,
            Conflict::VerificationInReview {
                current: Value::Null,
            },
            Conflict::AlreadyVerified {
                current: Value::Null,
            },
            Conflict::NothingToReview,
            Conflict::DecidedMeanwhile,
            Conflict::NotVerified,
            Conflict::KeyInFlight,
            Conflict::KeyTakenOver,
            Conflict::BuyerEnded,
            Conflict::BuyerNotEnded,
            Conflict::BuyerOnHold,
            Conflict::BuyerErased,
        ]
    }
}

/// What a caller may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// The organisation does not allow MARKETPLACE_LED KYC.
    MarketplaceLedNotAllowed,
    /// A read-only API token tried to change something.
    ReadOnlyToken,
    /// A seller's API token tried to create a seller.
    SellerTokenCreatesSeller,
    /// A seller's API token tried to change the organisation's settings.
    SellerTokenChangesOrganisation,
    /// Only administrators may do this.
    AdminsOnly,
    /// A form without the session's CSRF token.
    StaleForm,
}

impl Forbidden {
    /// The English sentence the API answers with.
    pub fn english(self) -> &'static str {
        match self {
            Forbidden::MarketplaceLedNotAllowed => {
                "this organisation does not allow MARKETPLACE_LED KYC; use NT24_LED"
            }
            Forbidden::ReadOnlyToken => "this API token may only read",
            Forbidden::SellerTokenCreatesSeller => "a seller's API token cannot create sellers",
            Forbidden::SellerTokenChangesOrganisation => {
                "a seller's API token cannot change the organisation's settings"
            }
            Forbidden::AdminsOnly => "only administrators may do this",
            Forbidden::StaleForm => "the form has expired; reload the page and try again",
        }
    }

    /// The message a page shows.
    pub fn message_id(self) -> &'static str {
        match self {
            Forbidden::MarketplaceLedNotAllowed => "forbidden-marketplace-led",
            Forbidden::ReadOnlyToken
            | Forbidden::SellerTokenCreatesSeller
            | Forbidden::SellerTokenChangesOrganisation => "forbidden-token",
            Forbidden::AdminsOnly => "forbidden-admins-only",
            Forbidden::StaleForm => "forbidden-stale-form",
        }
    }

    /// Every kind, for checking that each has its messages.
    pub const ALL: [Forbidden; 6] = [
        Forbidden::MarketplaceLedNotAllowed,
        Forbidden::ReadOnlyToken,
        Forbidden::SellerTokenCreatesSeller,
        Forbidden::SellerTokenChangesOrganisation,
        Forbidden::AdminsOnly,
        Forbidden::StaleForm,
    ];
}

/// Something a request needs that is not there now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailability {
    /// The identity verification provider is not set up.
    ProviderNotConfigured,
    /// The identity verification provider did not open a session.
    ProviderFailed,
    /// Every password-hashing slot stayed taken.
    PasswordChecksBusy,
    /// The database cannot be reached, is restarting, or has no free connection in time.
    Database,
    /// The document store cannot be reached or refuses requests.
    Store,
}

/// What a service the portal depends on answered that the portal cannot use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upstream {
    /// The identity provider handed out a session reference it had handed out before.
    RepeatedSessionReference,
}

impl Upstream {
    /// The English sentence the API answers with.
    pub fn english(self) -> &'static str {
        match self {
            Upstream::RepeatedSessionReference => {
                "the identity verification provider answered with a session reference it had \
                 already given for another session; nothing was started, try again later"
            }
        }
    }

    /// The message a page shows.
    pub fn message_id(self) -> &'static str {
        match self {
            Upstream::RepeatedSessionReference => "unavailable-provider",
        }
    }
}

impl Unavailability {
    /// The English sentence the API answers with.
    pub fn english(self) -> &'static str {
        match self {
            Unavailability::ProviderNotConfigured => {
                "identity verification is not configured (API key and secret)"
            }
            Unavailability::ProviderFailed => {
                "the identity verification provider did not open a session; try again later"
            }
            Unavailability::PasswordChecksBusy => {
                "too many sign-ins at once; try again in a moment"
            }
            Unavailability::Database => {
                "the database is temporarily unavailable; nothing was changed, try again shortly"
            }
            Unavailability::Store => {
                "the document store is temporarily unavailable; nothing was kept, try again shortly"
            }
        }
    }

    /// The message a page shows.
    pub fn message_id(self) -> &'static str {
        match self {
            Unavailability::ProviderNotConfigured => "unavailable-provider-not-configured",
            Unavailability::ProviderFailed => "unavailable-provider",
            Unavailability::PasswordChecksBusy => "unavailable-busy",
            Unavailability::Database => "unavailable-database",
            Unavailability::Store => "unavailable-store",
        }
    }

    /// The short name of what is unavailable, as the logs and `/metrics` (`cause`) name it.
    pub fn cause(self) -> &'static str {
        match self {
            Unavailability::ProviderNotConfigured => "provider_not_configured",
            Unavailability::ProviderFailed => "provider",
            Unavailability::PasswordChecksBusy => "password_checks",
            Unavailability::Database => "database",
            Unavailability::Store => "store",
        }
    }

    /// Every kind, for checking that each has its messages.
    pub const ALL: [Unavailability; 5] = [
        Unavailability::ProviderNotConfigured,
        Unavailability::ProviderFailed,
        Unavailability::PasswordChecksBusy,
        Unavailability::Database,
        Unavailability::Store,
    ];
}
