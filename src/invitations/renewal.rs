//! A buyer whose link expired or was used up asks for a new one from the page the link shows,
//! instead of being left at a dead end: staff hear of it by email (at the organisation's
//! support address), the seller's system by the `self_service_invitation.renewal_requested`
//! event, and staff answer with a new link for the same recipient.

use serde_json::json;
use sqlx::Row;

use super::model::{Invitation, InvitationStatus, InvitationView, NewInvitation};
use super::{Links, create, find};
use crate::access::SellerScope;
use crate::audit::Subject;
use crate::buyers;
use crate::db::{Db, Timestamp, now};
use crate::errors::{Conflict, Error};
use crate::events::EventType;
use crate::jobs;
use crate::organisation::settings as organisation;
use crate::write::WriteTx;

/// The job kind of the email that tells staff.
pub const RENEWAL_EMAIL_JOB: &str = "invitation.renewal_email";

/// How long a request stands before the same link may ask again (and notify again).
const ASK_AGAIN_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// Staff and the seller are told now.
    Now,
    /// It was asked for at `at` already, and is still waiting for staff.
    Already {
        /// When.
        at: Timestamp,
    },
}

/// Whether a link in `status` can be renewed: it ran out (by time or by uses), rather than
/// being withdrawn on purpose or still working.
fn renewable(status: InvitationStatus) -> bool {
    matches!(
        status,
        InvitationStatus::Expired | InvitationStatus::Exhausted
    )
}

fn not_renewable(status: InvitationStatus) -> Error {
    Error::Conflict(Conflict::InvitationNotRenewable {
        status: status.as_str().to_owned(),
    })
}

/// The buyer behind `invitation` asks for a new link.
pub async fn request(tx: &mut WriteTx, invitation: &Invitation) -> Result<Requested, Error> {
    let at = now();
    let status = invitation.status_at(at);
    if !renewable(status) {
        return Err(not_renewable(status));
    }
    buyers::ensure_active_in(tx, &invitation.buyer_id).await?;
    let lock = tx.for_update();
    let conn = tx.conn().await?;
    let sql = format!(
        "SELECT requested_at, renewed_by FROM invitation_renewals WHERE invitation_id = $1 {lock}"
    );
    let existing = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&invitation.id)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = existing {
        let requested_at = Timestamp::from_millis(row.try_get("requested_at")?);
        let renewed_by: Option<String> = row.try_get("renewed_by")?;
        if renewed_by.is_none() && requested_at.plus(ASK_AGAIN_AFTER) > at {
            return Ok(Requested::Already { at: requested_at });
        }
    }
    sqlx::query(
        "INSERT INTO invitation_renewals (invitation_id, requested_at, renewed_by) VALUES ($1, $2, NULL) \
         ON CONFLICT (invitation_id) DO UPDATE SET requested_at = excluded.requested_at, renewed_by = NULL",
    )
    .bind(&invitation.id)
    .bind(at.millis())
    .execute(&mut *conn)
    .await?;
    jobs::enqueue(
        &mut *conn,
        RENEWAL_EMAIL_JOB,
        &json!({ "invitationId": invitation.id }),
        None,
    )
    .await?;
    tx.record(
        Subject::Invitation {
            id: &invitation.id,
            buyer_id: &invitation.buyer_id,
        },
        "renewal_requested",
        None,
        Some(json!({ "renewalRequestedAt": at })),
    );
    tx.announce(
        EventType::InvitationRenewalRequested,
        &invitation.buyer_id,
        json!({
            "invitationId": invitation.id,
            "status": status.as_str(),
            "renewalRequestedAt": at,
        }),
    );
    Ok(Requested::Now)
}

/// The buyer's requests still waiting for staff: invitation id and when it was asked.
pub async fn waiting(db: &Db, buyer_id: &str) -> Result<Vec<(String, Timestamp)>, Error> {
    let rows = sqlx::query(
        "SELECT r.invitation_id, r.requested_at FROM invitation_renewals r \
         JOIN invitations i ON i.id = r.invitation_id \
         WHERE i.buyer_id = $1 AND r.renewed_by IS NULL ORDER BY r.requested_at",
    )
    .bind(buyer_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("invitation_id")?,
                Timestamp::from_millis(row.try_get("requested_at")?),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Error::from)
}

/// Staff answer: a new invitation for the same recipient, language and use limit, valid for
/// the organisation's default days, emailed at once (a print-only one stays print-only and is
/// printed or handed over again); the request is answered.
pub async fn renew(
    tx: &mut WriteTx,
    scope: &SellerScope,
    links: Links<'_>,
    id: &str,
) -> Result<InvitationView, Error> {
    let old = find(tx.db(), scope, id).await?;
    let status = old.status_at(now());
    if !renewable(status) {
        return Err(not_renewable(status));
    }
    let buyer = buyers::get_by_id(tx.db(), &old.buyer_id).await?;
    let settings = organisation::load(tx.db()).await?;
    let new = NewInvitation {
        recipient_email: old.recipient_email.clone(),
        expires_in_days: settings.default_invitation_expiry_days,
        language: old.language,
        max_uses: old.max_uses,
    };
    let renewed = create(tx, links, &buyer.seller_id, &buyer.uuid, new).await?;
    sqlx::query("UPDATE invitation_renewals SET renewed_by = $1 WHERE invitation_id = $2")
        .bind(&renewed.uuid)
        .bind(&old.id)
        .execute(tx.conn().await?)
        .await?;
    // The old link's history says which link answered it.
    tx.record(
        Subject::Invitation {
            id: &old.id,
            buyer_id: &old.buyer_id,
        },
        "renewed",
        None,
        Some(json!({ "renewedBy": renewed.uuid })),
    );
    Ok(renewed)
}
