//! What a self-service invitation is.

use serde::{Deserialize, Serialize};

use crate::db::Timestamp;
use crate::email::EmailAddress;
use crate::errors::{Error, FieldProblem, Rule};
use crate::i18n::Language;
use crate::organisation::settings::{EXPIRY_DAYS, OrganisationSettings};

/// Where an invitation stands; always computed at read time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvitationStatus {
    /// The link works.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked by staff or a seller system.
    Revoked,
    /// Used as often as allowed.
    Exhausted,
}

/// Why a link cannot be used (the API's `unavailableReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Unavailable {
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
    /// Used up.
    Exhausted,
    /// The buyer is blocked.
    BuyerBlocked,
    /// The business relationship with the buyer has ended.
    BuyerEnded,
}

impl Unavailable {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Unavailable::Expired => "EXPIRED",
            Unavailable::Revoked => "REVOKED",
            Unavailable::Exhausted => "EXHAUSTED",
            Unavailable::BuyerBlocked => "BUYER_BLOCKED",
            Unavailable::BuyerEnded => "BUYER_ENDED",
        }
    }

    /// The reason with this name.
    pub fn parse(text: &str) -> Option<Unavailable> {
        [
            Unavailable::Expired,
            Unavailable::Revoked,
            Unavailable::Exhausted,
            Unavailable::BuyerBlocked,
            Unavailable::BuyerEnded,
        ]
        .into_iter()
        .find(|u| u.as_str() == text)
    }
}

impl InvitationStatus {
    /// The status as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Active => "ACTIVE",
            InvitationStatus::Expired => "EXPIRED",
            InvitationStatus::Revoked => "REVOKED",
            InvitationStatus::Exhausted => "EXHAUSTED",
        }
    }
}

/// Where the invitation's email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmailStatus {
    /// Waiting to be sent (or to be tried again).
    Queued,
    /// Handed to the mail server.
    Sent,
    /// Given up after the last attempt; `emailError` says why.
    Failed,
    /// Not sent: the link could no longer be used when its turn came;
    /// `emailSkippedReason` says why.
    Skipped,
}

impl EmailStatus {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Queued => "QUEUED",
            EmailStatus::Sent => "SENT",
            EmailStatus::Failed => "FAILED",
            EmailStatus::Skipped => "SKIPPED",
        }
    }

    /// The status with this name.
    pub fn parse(text: &str) -> Option<EmailStatus> {
        match text {
            "QUEUED" => Some(EmailStatus::Queued),
            "SENT" => Some(EmailStatus::Sent),
            "FAILED" => Some(EmailStatus::Failed),
            "SKIPPED" => Some(EmailStatus::Skipped),
            _ => None,
        }
    }
}

/// A stored invitation.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// `inv_` and a unique id.
    pub id: String,
    /// The buyer it invites.
    pub buyer_id: String,
    /// Who gets the email; none for a print-only invitation (printed or handed over), and
    /// none once its buyer was erased.
    pub recipient_email: Option<EmailAddress>,
    /// The language of the email and the pages.
    pub language: Language,
    /// Input of the link token's derivation (not a secret on its own).
    pub token_nonce: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// How often the link was used.
    pub usage_count: i64,
    /// How often it may be used; unlimited when absent.
    pub max_uses: Option<i64>,
    /// When it was last used.
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// Where its email stands; none for a print-only invitation.
    pub email_status: Option<EmailStatus>,
    /// Why its email failed.
    pub email_error: Option<String>,
    /// How many reminders were sent for it.
    pub reminders_sent: i64,
    /// When the last one was sent.
    pub last_reminder_at: Option<Timestamp>,
}

impl Invitation {
    /// Whether its link is only printed or handed over: no email goes to anyone for it. Told
    /// by its email's status, since an erased buyer's emailed invitation has no address either.
    pub fn is_print_only(&self) -> bool {
        self.email_status.is_none()
    }

    /// The status at `now`: revoked wins over exhausted, which wins over expired.
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.max_uses.is_some_and(|max| self.usage_count >= max) {
            InvitationStatus::Exhausted
        } else if now >= self.expires_at {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Active
        }
    }

    /// The invitation as the API shows it; `unavailable` says why its link cannot be used.
    pub fn view(
        &self,
        now: Timestamp,
        public_link_url: String,
        unavailable: Option<Unavailable>,
    ) -> InvitationView {
        let skipped = self.email_status == Some(EmailStatus::Skipped);
        InvitationView {
            uuid: self.id.clone(),
            kind: "KYC",
            buyer_id: self.buyer_id.clone(),
            recipient_email: self.recipient_email.as_ref().map(|e| e.as_str().to_owned()),
            language: self.language,
            status: self.status_at(now),
            unavailable_reason: unavailable,
            public_link_url,
            created_at: self.created_at,
            expires_at: self.expires_at,
            usage_count: self.usage_count,
            max_uses: self.max_uses,
            last_used_at: self.last_used_at,
            email_status: self.email_status,
            // The reason a skipped email was not sent is stored where a failure's error is.
            email_error: self.email_error.clone().filter(|_| !skipped),
            email_skipped_reason: self
                .email_error
                .as_deref()
                .filter(|_| skipped)
                .and_then(Unavailable::parse),
            reminders_sent: self.reminders_sent,
            last_reminder_at: self.last_reminder_at,
        }
    }
}

/// The invitation resource.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    /// `inv_...`.
    pub uuid: String,
    /// Always `KYC`.
    pub kind: &'static str,
    /// The buyer.
    pub buyer_id: String,
    /// Who gets the email; null for a print-only invitation.
    pub recipient_email: Option<String>,
    /// `de` or `en`.
    pub language: Language,
    /// Computed now.
    pub status: InvitationStatus,
    /// Why the link answers 410 now (also while `status` is ACTIVE, when the buyer is
    /// blocked); null while it works.
    pub unavailable_reason: Option<Unavailable>,
    /// The link for the buyer.
    pub public_link_url: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// How often it was used.
    pub usage_count: i64,
    /// How often it may be used.
    pub max_uses: Option<i64>,
    /// When it was last used.
    pub last_used_at: Option<Timestamp>,
    /// Where its email stands; null for a print-only invitation (no email is sent).
    pub email_status: Option<EmailStatus>,
    /// Why its email failed.
    pub email_error: Option<String>,
    /// Why its email was not sent (SKIPPED only).
    pub email_skipped_reason: Option<Unavailable>,
    /// How many reminders the buyer was sent about this link (not used yet, about to
    /// expire).
    pub reminders_sent: i64,
    /// When the last reminder was sent.
    pub last_reminder_at: Option<Timestamp>,
}

impl InvitationView {
    /// Whether its link is only printed or handed over; see [`Invitation::is_print_only`].
    pub fn is_print_only(&self) -> bool {
        self.email_status.is_none()
    }
}

/// An invitation request as sent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawInvitation {
    /// Who gets the email; absent or null for a print-only invitation, whose link is printed
    /// (the QR code) or handed over, and for which no email is sent.
    #[schema(value_type = Option<String>, required = false, nullable = true, format = Email, max_length = 254)]
    pub recipient_email: Option<String>,
    /// 1 to 90; the organisation's default when absent.
    #[schema(nullable = false, minimum = 1, maximum = 90)]
    pub expires_in_days: Option<i64>,
    /// `de` or `en`; the organisation's default when absent.
    #[schema(nullable = false, pattern = "^(de|en)$")]
    pub language: Option<String>,
    /// 1 to 1,000,000; unlimited when absent.
    #[schema(nullable = false, minimum = 1, maximum = 1_000_000)]
    pub max_uses: Option<i64>,
}

/// A checked invitation request.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// Who gets the email; none for a print-only invitation.
    pub recipient_email: Option<EmailAddress>,
    /// Days until the link expires.
    pub expires_in_days: i64,
    /// Language.
    pub language: Language,
    /// Use limit.
    pub max_uses: Option<i64>,
}

impl RawInvitation {
    /// Checks every field; the organisation's defaults fill a missing language and expiry.
    pub fn parse(self, defaults: &OrganisationSettings) -> Result<NewInvitation, Error> {
        let default_language = defaults.default_language;
        let mut errors = Vec::new();
        // Absent means print-only; a present but broken address is an error, never taken
        // as "no email" (a typo must not silently keep the buyer from getting the link).
        let email = match self.recipient_email.as_deref().map(EmailAddress::parse) {
            None => Some(None),
            Some(Err(_)) => {
                errors.push(FieldProblem::new("recipientEmail", Rule::Email));
                None
            }
            Some(Ok(email)) => Some(Some(email)),
        };
        let days = self
            .expires_in_days
            .unwrap_or(defaults.default_invitation_expiry_days);
        if !EXPIRY_DAYS.contains(&days) {
            errors.push(FieldProblem::new(
                "expiresInDays",
                Rule::Between { min: 1, max: 90 },
            ));
        }
        let language = match self.language.as_deref() {
            None => Some(default_language),
            Some(code) => {
                let language = Language::parse(code);
                if language.is_none() {
                    errors.push(FieldProblem::new(
                        "language",
                        Rule::OneOf {
                            allowed: vec!["de".into(), "en".into()],
                        },
                    ));
                }
                language
            }
        };
        if self.max_uses.is_some_and(|m| !(1..=1_000_000).contains(&m)) {
            errors.push(FieldProblem::new(
                "maxUses",
                Rule::Between {
                    min: 1,
                    max: 1_000_000,
                },
            ));
        }
        match (email, language) {
            (Some(recipient_email), Some(language)) if errors.is_empty() => Ok(NewInvitation {
                recipient_email,
                expires_in_days: days,
                language,
                max_uses: self.max_uses,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}
