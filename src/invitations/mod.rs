//! Self-service invitations: a secret link for a buyer, emailed or printed as a QR code, valid
//! until it expires, counting its uses.

mod email_job;
pub mod model;
pub mod qr;
mod rejection_email;
pub mod renewal;
mod renewal_email;
pub mod sessions;
mod store;
mod token;
pub mod upload_quota;

pub use email_job::{EMAIL_JOB, InvitationEmailJob};
pub use model::{
    EmailStatus, Invitation, InvitationStatus, InvitationView, NewInvitation, RawInvitation,
    Unavailable,
};
pub use rejection_email::RejectionEmailJob;
pub use renewal::RENEWAL_EMAIL_JOB;
pub use renewal_email::RenewalEmailJob;
pub use token::LinkToken;

use serde_json::json;

use crate::access::SellerScope;
use crate::audit::Subject;
use crate::buyers::{self, BuyerStatus};
use crate::db::{Db, Timestamp, now};
use crate::errors::{Conflict, Error};
use crate::events::EventType;
use crate::jobs;
use crate::pagination::{Cursor, Page};
use crate::server_key::ServerKey;
use crate::write::WriteTx;

/// What turns an invitation into its link.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    /// The server key the tokens derive from.
    pub key: &'a ServerKey,
    /// The portal's public base URL.
    pub public_url: &'a str,
}

impl Links<'_> {
    /// The invitation's public link.
    pub fn of(&self, invitation: &Invitation) -> String {
        LinkToken::derive(self.key, &invitation.token_nonce).link(self.public_url)
    }

    /// The invitation as the API shows it; `buyer_unavailable` tells why an active link
    /// still answers 410.
    fn view(
        &self,
        invitation: &Invitation,
        buyer_unavailable: Option<Unavailable>,
    ) -> InvitationView {
        let unavailable = link_unavailable(invitation, true).or(buyer_unavailable);
        invitation.view(now(), self.of(invitation), unavailable)
    }
}

/// An invitation as the history and the export keep it: everything but its link, which is a
/// secret.
fn without_link(view: &InvitationView) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(view).ok()?;
    value.as_object_mut()?.remove("publicLinkUrl");
    Some(value)
}

fn record(tx: &mut WriteTx, action: &str, before: Option<&InvitationView>, after: &InvitationView) {
    tx.record(
        Subject::Invitation {
            id: &after.uuid,
            buyer_id: &after.buyer_id,
        },
        action,
        before.and_then(without_link),
        without_link(after),
    );
}

/// Creates an invitation for an active buyer and queues its email; a print-only invitation
/// (no recipient) gets none.
pub async fn create(
    tx: &mut WriteTx,
    links: Links<'_>,
    seller_id: &str,
    buyer_id: &str,
    new: NewInvitation,
) -> Result<InvitationView, Error> {
    let (invitation, view) = insert(tx, links, seller_id, buyer_id, new).await?;
    if invitation.is_print_only() {
        return Ok(view);
    }
    jobs::enqueue(
        tx.conn().await?,
        EMAIL_JOB,
        &json!({ "invitationId": invitation.id }),
        None,
    )
    .await?;
    Ok(view)
}

/// Creates an invitation for an active buyer whose link goes out in a reminder (a document
/// about to lapse) rather than in the invitation email; the reminder marks it sent.
pub async fn create_for_reminder(
    tx: &mut WriteTx,
    links: Links<'_>,
    seller_id: &str,
    buyer_id: &str,
    new: NewInvitation,
) -> Result<Invitation, Error> {
    Ok(insert(tx, links, seller_id, buyer_id, new).await?.0)
}

async fn insert(
    tx: &mut WriteTx,
    links: Links<'_>,
    seller_id: &str,
    buyer_id: &str,
    new: NewInvitation,
) -> Result<(Invitation, InvitationView), Error> {
    buyers::get(tx.db(), seller_id, buyer_id).await?;
    let nonce = token::new_nonce()
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?;
    let created_at = now();
    let email_status = new.recipient_email.as_ref().map(|_| EmailStatus::Queued);
    let invitation = Invitation {
        id: format!("inv_{}", uuid::Uuid::now_v7().simple()),
        buyer_id: buyer_id.to_owned(),
        recipient_email: new.recipient_email,
        language: new.language,
        token_nonce: nonce,
        created_at,
        expires_at: created_at.plus(chrono::Duration::days(new.expires_in_days)),
        usage_count: 0,
        max_uses: new.max_uses,
        last_used_at: None,
        revoked_at: None,
        email_status,
        email_error: None,
        reminders_sent: 0,
        last_reminder_at: None,
    };
    let token_hash = LinkToken::derive(links.key, &invitation.token_nonce).hash();
    buyers::ensure_active_in(tx, buyer_id).await?;
    store::insert(tx.conn().await?, &invitation, &token_hash).await?;
    let view = links.view(&invitation, None);
    record(tx, "created", None, &view);
    Ok((invitation, view))
}

/// The buyer's newest emailed link that works at `at`, if any (a reminder sends it again
/// rather than making another; a print-only link has no one to send it to).
pub async fn open_for(db: &Db, buyer_id: &str, at: Timestamp) -> Result<Option<Invitation>, Error> {
    Ok(store::open_for(db.pool(), buyer_id, at).await?)
}

/// What a reminder that carried an invitation's link means for the invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminded {
    /// A reminder of the link itself: counted in `remindersSent`.
    Counted,
    /// The link went along with a reminder about something else (a document).
    Carried,
    /// The link was made for that reminder, which was its first email.
    FirstEmail,
}

/// Inside a write transaction: notes a reminder sent at `at` with the invitation's link
/// (and records it in the invitation's history).
pub async fn reminded(
    tx: &mut WriteTx,
    invitation: &Invitation,
    reminder: &str,
    how: Reminded,
    at: Timestamp,
) -> Result<(), Error> {
    match how {
        Reminded::Counted => store::count_reminder(tx.conn().await?, &invitation.id, at).await?,
        Reminded::FirstEmail => {
            store::set_email_status(
                tx.conn().await?,
                &invitation.id,
                EmailStatus::Sent,
                None,
                at,
            )
            .await?
        }
        Reminded::Carried => {}
    }
    let counted = i64::from(how == Reminded::Counted);
    tx.record(
        Subject::Invitation {
            id: &invitation.id,
            buyer_id: &invitation.buyer_id,
        },
        "reminder_sent",
        None,
        Some(json!({
            "reminder": reminder,
            "recipientEmail": invitation.recipient_email.as_ref().map(|e| e.as_str()),
            "remindersSent": invitation.reminders_sent + counted,
        })),
    );
    Ok(())
}

/// One invitation as stored, when it is within `scope`.
pub async fn find(db: &Db, scope: &SellerScope, id: &str) -> Result<Invitation, Error> {
    let invitation = store::find(db.pool(), id)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    buyers::ensure_in_scope(db, scope, &invitation.buyer_id, "invitation").await?;
    Ok(invitation)
}

/// One invitation.
pub async fn get(
    db: &Db,
    scope: &SellerScope,
    links: Links<'_>,
    id: &str,
) -> Result<InvitationView, Error> {
    let invitation = find(db, scope, id).await?;
    let buyer = buyers::get_by_id(db, &invitation.buyer_id).await?;
    Ok(links.view(&invitation, buyer_unavailable(buyer.standing())))
}

/// The public link of an invitation (for its QR code).
pub async fn link(
    db: &Db,
    scope: &SellerScope,
    links: Links<'_>,
    id: &str,
) -> Result<String, Error> {
    Ok(links.of(&find(db, scope, id).await?))
}

/// A buyer's invitations, newest first.
pub async fn list(
    db: &Db,
    links: Links<'_>,
    seller_id: &str,
    buyer_id: &str,
    page: &Page,
) -> Result<(Vec<InvitationView>, Option<Cursor>), Error> {
    let buyer = buyers::get(db, seller_id, buyer_id).await?;
    let invitations = store::list(db.pool(), buyer_id, page).await?;
    let (invitations, next) =
        page.split(invitations, |i| Cursor::new(i.created_at.millis(), &i.id));
    let views = invitations
        .iter()
        .map(|i| links.view(i, buyer_unavailable(buyer.standing())))
        .collect();
    Ok((views, next))
}

/// Every invitation of a buyer, oldest first, as the history keeps them: without their
/// links, which are secrets.
pub async fn all_without_links(db: &Db, buyer_id: &str) -> Result<Vec<serde_json::Value>, Error> {
    let at = now();
    store::all_of(db.pool(), buyer_id)
        .await?
        .iter()
        .map(|i| {
            without_link(&i.view(at, String::new(), None))
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("an invitation did not serialise")))
        })
        .collect()
}

/// Revokes an invitation; revoking twice changes nothing.
pub async fn revoke(
    tx: &mut WriteTx,
    scope: &SellerScope,
    links: Links<'_>,
    id: &str,
) -> Result<InvitationView, Error> {
    // An invitation never changes buyer, nor a buyer seller: checked once, before the write.
    let found = find(tx.db(), scope, id).await?;
    let blocked = buyer_unavailable(
        buyers::get_by_id(tx.db(), &found.buyer_id)
            .await?
            .standing(),
    );
    let current = store::find(tx.conn().await?, id)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    if current.revoked_at.is_some() {
        return Ok(links.view(&current, blocked));
    }
    let at = now();
    if !store::revoke(tx.conn().await?, id, at).await? {
        // Revoked by a concurrent request meanwhile: report what is stored, record nothing.
        let now_current = store::find(tx.conn().await?, id)
            .await?
            .ok_or(Error::NotFound("invitation"))?;
        return Ok(links.view(&now_current, blocked));
    }
    let revoked = Invitation {
        revoked_at: Some(at),
        ..current.clone()
    };
    record(
        tx,
        "revoked",
        Some(&links.view(&current, blocked)),
        &links.view(&revoked, blocked),
    );
    Ok(links.view(&revoked, blocked))
}

/// Sends the email again (the same link); only for an active invitation of an active buyer
/// that has a recipient.
pub async fn resend(
    tx: &mut WriteTx,
    scope: &SellerScope,
    links: Links<'_>,
    id: &str,
) -> Result<InvitationView, Error> {
    find(tx.db(), scope, id).await?;
    let current = store::find(tx.conn().await?, id)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    let status = current.status_at(now());
    if status != InvitationStatus::Active {
        return Err(Error::Conflict(Conflict::InvitationNotActive {
            status: serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }));
    }
    if current.is_print_only() {
        return Err(Error::Conflict(Conflict::InvitationPrintOnly));
    }
    buyers::ensure_active_in(tx, &current.buyer_id).await?;
    store::set_email_status(tx.conn().await?, id, EmailStatus::Queued, None, now()).await?;
    let queued = Invitation {
        email_status: Some(EmailStatus::Queued),
        email_error: None,
        ..current.clone()
    };
    record(
        tx,
        "resent",
        Some(&links.view(&current, None)),
        &links.view(&queued, None),
    );
    jobs::enqueue(
        tx.conn().await?,
        EMAIL_JOB,
        &json!({ "invitationId": id }),
        None,
    )
    .await?;
    Ok(links.view(&queued, None))
}

/// The invitation a link token belongs to; None for an unknown token. Looked up by the token's
/// hash, so the comparison never depends on the secret's bytes.
pub async fn find_by_token(db: &Db, token: &str) -> Result<Option<Invitation>, Error> {
    let Some(token) = LinkToken::parse(token) else {
        return Ok(None);
    };
    Ok(store::find_by_token_hash(db.pool(), &token.hash()).await?)
}

/// Why `invitation` cannot be opened now, if it cannot. A blocked buyer comes first: a new
/// link would not help, so the page must not offer one.
pub async fn unavailable(db: &Db, invitation: &Invitation) -> Result<Option<Unavailable>, Error> {
    let buyer = buyers::get_by_id(db, &invitation.buyer_id).await?;
    if let Some(reason) = buyer_unavailable(buyer.standing()) {
        return Ok(Some(reason));
    }
    Ok(link_unavailable(invitation, true))
}

/// Why no link of `buyer` works, whatever the link: an ended relationship or a block.
pub fn buyer_unavailable(buyer: buyers::Standing) -> Option<Unavailable> {
    if buyer.ended {
        Some(Unavailable::BuyerEnded)
    } else if buyer.blocked {
        Some(Unavailable::BuyerBlocked)
    } else {
        None
    }
}

/// Why a session opened with `invitation` cannot go on, if it cannot: like [`unavailable`],
/// but a link used up (by this session's own use, among others) does not end the sessions it
/// opened.
pub fn session_unavailable(
    invitation: &Invitation,
    buyer: buyers::Standing,
) -> Option<Unavailable> {
    if let Some(reason) = buyer_unavailable(buyer) {
        return Some(reason);
    }
    link_unavailable(invitation, false)
}

/// Why the link itself (not its buyer) cannot be used now.
fn link_unavailable(invitation: &Invitation, count_exhaustion: bool) -> Option<Unavailable> {
    let at = now();
    match invitation.status_at(at) {
        InvitationStatus::Revoked => Some(Unavailable::Revoked),
        InvitationStatus::Exhausted if count_exhaustion => Some(Unavailable::Exhausted),
        InvitationStatus::Exhausted => {
            (at >= invitation.expires_at).then_some(Unavailable::Expired)
        }
        InvitationStatus::Expired => Some(Unavailable::Expired),
        InvitationStatus::Active => None,
    }
}

/// Counts one use of the link (a buyer opened it in a new browser session): atomically, never
/// past `maxUses`, and with the `self_service_invitation.used` event in the same transaction.
/// An unavailable link changes nothing (the caller drops the transaction).
pub async fn record_use(
    tx: &mut WriteTx,
    id: &str,
) -> Result<Result<Invitation, Unavailable>, Error> {
    count_use_in(tx, id).await
}

/// A buyer opens the link in a new browser session: counts the use and opens the session in
/// one transaction, so a use is never spent without the session it paid for.
pub async fn open_link(
    tx: &mut WriteTx,
    id: &str,
) -> Result<Result<sessions::OpenedSession, Unavailable>, Error> {
    let invitation = match count_use_in(tx, id).await? {
        Ok(invitation) => invitation,
        Err(reason) => return Ok(Err(reason)),
    };
    let opened = sessions::open_in(tx.conn().await?, &invitation.id, invitation.language).await?;
    Ok(Ok(opened))
}

async fn count_use_in(
    tx: &mut WriteTx,
    id: &str,
) -> Result<Result<Invitation, Unavailable>, Error> {
    let at = now();
    let current = store::find(tx.conn().await?, id)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    match buyers::lock_status_in(tx, &current.buyer_id).await? {
        Some((BuyerStatus::Active, false)) => {}
        Some((_, true)) => return Ok(Err(Unavailable::BuyerEnded)),
        _ => return Ok(Err(Unavailable::BuyerBlocked)),
    }
    if !store::count_use(tx.conn().await?, id, at).await? {
        let now_current = store::find(tx.conn().await?, id).await?.unwrap_or(current);
        let reason = match now_current.status_at(at) {
            InvitationStatus::Revoked => Unavailable::Revoked,
            InvitationStatus::Expired => Unavailable::Expired,
            _ => Unavailable::Exhausted,
        };
        return Ok(Err(reason));
    }
    // Read back inside the transaction: other uses may have counted since `current` was read.
    let used = store::find(tx.conn().await?, id)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    tx.announce(
        EventType::InvitationUsed,
        &used.buyer_id,
        json!({
            "invitationId": used.id,
            "usageCount": used.usage_count,
            "maxUses": used.max_uses,
        }),
    );
    Ok(Ok(used))
}
