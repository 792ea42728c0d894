//! What a buyer is.

use serde::{Deserialize, Serialize};

use super::country::Country;
use crate::db::Timestamp;
use crate::email::EmailAddress;
use crate::errors::Conflict;
use crate::kyc::vat::{OfflineVerdict, VatNumber};

/// Who runs the buyer's KYC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KycMode {
    /// The marketplace collects documents and checks VIES itself (mode A).
    MarketplaceLed,
    /// Identity verification with the provider and a signed profile (mode B).
    #[serde(rename = "NT24_LED")]
    Nt24Led,
}

impl KycMode {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            KycMode::MarketplaceLed => "MARKETPLACE_LED",
            KycMode::Nt24Led => "NT24_LED",
        }
    }

    /// The mode with this name.
    pub fn parse(text: &str) -> Option<KycMode> {
        match text {
            "MARKETPLACE_LED" => Some(KycMode::MarketplaceLed),
            "NT24_LED" => Some(KycMode::Nt24Led),
            _ => None,
        }
    }

    /// Modes only go up: A -> B, never back.
    pub fn may_become(self, next: KycMode) -> bool {
        self == next || (self == KycMode::MarketplaceLed && next == KycMode::Nt24Led)
    }
}

/// Whether a buyer may do business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BuyerStatus {
    /// Normal.
    Active,
    /// Blocked by staff or a seller system: no invitations, no uploads.
    Blocked,
}

impl BuyerStatus {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            BuyerStatus::Active => "ACTIVE",
            BuyerStatus::Blocked => "BLOCKED",
        }
    }

    /// The status with this name.
    pub fn parse(text: &str) -> Option<BuyerStatus> {
        match text {
            "ACTIVE" => Some(BuyerStatus::Active),
            "BLOCKED" => Some(BuyerStatus::Blocked),
            _ => None,
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub post_code: String,
    /// City.
    pub city: String,
    /// Country.
    pub country: Country,
}

/// A person to talk to at the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email address.
    pub email: EmailAddress,
    /// Phone number, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// What a seller system states about a buyer (everything but the key and the bookkeeping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerDetails {
    /// Who runs KYC.
    pub kyc_mode: KycMode,
    /// Registered company name.
    pub company_name: String,
    /// Registered address.
    pub address: Address,
    /// Contacts.
    pub contacts: Vec<Contact>,
}

/// Where a buyer stands for its invitation links: none of them works while it is blocked or
/// once its relationship ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Blocked (by staff or its seller).
    pub blocked: bool,
    /// The business relationship ended (erased buyers have ended too).
    pub ended: bool,
}

impl Standing {
    /// Where a buyer in `status` stands, its relationship `ended` or not and its personal data
    /// `erased` or not: an erasure under the inactivity rule leaves the end unset, and ends the
    /// relationship all the same.
    pub fn of(status: BuyerStatus, ended: bool, erased: bool) -> Standing {
        Standing {
            blocked: status == BuyerStatus::Blocked,
            ended: ended || erased,
        }
    }
}

/// A buyer as its own pages need it: who it is and where it stands. Read without the
/// address, contacts and VAT number those pages never show, on every view of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBuyer {
    /// `buy_...`.
    pub uuid: String,
    /// The company's name.
    pub company_name: String,
    /// Blocked or ended.
    pub standing: Standing,
}

/// A buyer: a trade partner in the buyer role, unique per seller and VAT number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Buyer {
    /// The buyer's id.
    pub uuid: String,
    /// The seller it belongs to.
    pub seller_id: String,
    /// Normalised VAT number.
    #[serde(serialize_with = "serialize_vat")]
    pub vat_number: VatNumber,
    /// The offline check of the VAT number (check digits), said at once; VIES decides later.
    pub vat_number_check: OfflineVerdict,
    /// Registered company name.
    pub company_name: String,
    /// Registered address.
    pub address: Address,
    /// Contacts.
    pub contacts: Vec<Contact>,
    /// Who runs KYC.
    pub kyc_mode: KycMode,
    /// Active or blocked.
    pub status: BuyerStatus,
    /// Why it is blocked.
    pub blocked_reason: Option<String>,
    /// 0 on creation, +1 per change.
    pub version: i64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When the business relationship ended (null while it goes on).
    pub ended_at: Option<Timestamp>,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// Why the buyer is on legal hold (null when it is not): its records are never erased.
    pub hold_reason: Option<String>,
    /// When its personal data was erased (null until then).
    pub erased_at: Option<Timestamp>,
}

fn serialize_vat<S: serde::Serializer>(vat: &VatNumber, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(vat.as_str())
}

impl Buyer {
    /// The details part, for comparing with what a caller sends.
    pub fn details(&self) -> BuyerDetails {
        BuyerDetails {
            kyc_mode: self.kyc_mode,
            company_name: self.company_name.clone(),
            address: self.address.clone(),
            contacts: self.contacts.clone(),
        }
    }

    /// Where the buyer stands for its links.
    pub fn standing(&self) -> Standing {
        Standing::of(
            self.status,
            self.ended_at.is_some(),
            self.erased_at.is_some(),
        )
    }

    /// Whether the buyer is blocked.
    pub fn is_blocked(&self) -> bool {
        self.status == BuyerStatus::Blocked
    }

    /// Whether the business relationship has ended (erased buyers have ended too).
    pub fn is_ended(&self) -> bool {
        self.standing().ended
    }

    /// Why nothing new (invitations, uploads, checks) may start for the buyer, if so.
    pub fn refusal(&self) -> Option<Conflict> {
        if self.erased_at.is_some() {
            Some(Conflict::BuyerErased)
        } else if self.is_ended() {
            Some(Conflict::BuyerEnded)
        } else if self.is_blocked() {
            Some(Conflict::BuyerBlocked)
        } else {
            None
        }
    }
}
