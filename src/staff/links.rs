//! Single-use links that let a staff member choose a password: an administrator's invitation
//! (72 hours) or a reset the member asked for (one hour). The token is derived from the server
//! key and a random nonce, so the database holds only its hash and the email job can still
//! write the link; it is shown nowhere else and never logged. Sending a link again draws a new
//! nonce, so the earlier email's link stops working.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Password, PasswordHashing, StaffRole, StaffUser, USER_COLUMNS, sessions};
use crate::audit::{Actor, Subject};
use crate::db::{Db, Timestamp, now};
use crate::email::EmailAddress;
use crate::errors::{Conflict, Error, Rule};
use crate::i18n::Language;
use crate::jobs;
use crate::secret_token;
use crate::server_key::ServerKey;
use crate::write::WriteTx;

/// How long an invitation's link works.
pub const INVITATION_VALID_FOR: chrono::Duration = chrono::Duration::hours(72);
/// How long a password reset link works.
pub const RESET_VALID_FOR: chrono::Duration = chrono::Duration::hours(1);
/// The job that emails a link.
pub const LINK_EMAIL_JOB: &str = "staff.link_email";

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LinkKind {
    /// An administrator invited someone new.
    Invitation,
    /// A staff member forgot their password.
    Reset,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Invitation => "INVITATION",
            LinkKind::Reset => "RESET",
        }
    }

    fn parse(text: &str) -> LinkKind {
        if text == "RESET" {
            LinkKind::Reset
        } else {
            LinkKind::Invitation
        }
    }
}

/// The secret part of a link; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountLinkToken(String);

impl std::fmt::Debug for AccountLinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountLinkToken(..)")
    }
}

impl AccountLinkToken {
    fn derive(key: &ServerKey, nonce: &str) -> AccountLinkToken {
        AccountLinkToken(URL_SAFE_NO_PAD.encode(key.derive("staff-account-link", nonce.as_bytes())))
    }

    /// A token as it comes in a URL; None for anything that cannot be one.
    pub fn parse(text: &str) -> Option<AccountLinkToken> {
        let plausible = text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| AccountLinkToken(text.to_owned()))
    }

    fn hash(&self) -> String {
        secret_token::hash(&self.0)
    }

    /// The link to the page where the password is chosen.
    pub fn link(&self, public_url: &str) -> String {
        format!("{public_url}/admin/password/{}", self.0)
    }
}

/// A link as stored (without its secret).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountLink {
    /// The link's id.
    pub id: String,
    /// What it is for.
    pub kind: LinkKind,
    /// Whom it was sent to.
    pub email: String,
    /// The role an invitation gives.
    pub role: StaffRole,
    /// The language of its email and page.
    pub language: Language,
    /// When it was (last) sent.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    #[serde(skip)]
    nonce: String,
    #[serde(skip)]
    used: bool,
    #[serde(skip)]
    revoked: bool,
}

impl AccountLink {
    /// Whether it still works now.
    pub fn is_usable(&self) -> bool {
        !self.used && !self.revoked && self.expires_at > now()
    }

    /// Whether its time is over.
    pub fn is_expired(&self) -> bool {
        self.expires_at <= now()
    }

    /// The link's token.
    pub fn token(&self, key: &ServerKey) -> AccountLinkToken {
        AccountLinkToken::derive(key, &self.nonce)
    }
}

const LINK_COLUMNS: &str =
    "id, kind, email, role, language, nonce, created_at, expires_at, used_at, revoked_at";

fn link_from_row(row: &AnyRow) -> Result<AccountLink, sqlx::Error> {
    let language: String = row.try_get("language")?;
    Ok(AccountLink {
        id: row.try_get("id")?,
        kind: LinkKind::parse(&row.try_get::<String, _>("kind")?),
        email: row.try_get("email")?,
        role: StaffRole::parse(&row.try_get::<String, _>("role")?),
        language: Language::parse(&language).unwrap_or(Language::En),
        nonce: row.try_get("nonce")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        expires_at: Timestamp::from_millis(row.try_get("expires_at")?),
        used: row.try_get::<Option<i64>, _>("used_at")?.is_some(),
        revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
    })
}

fn new_nonce() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Stores a new link and queues its email, inside `tx`.
async fn issue(
    tx: &mut WriteTx,
    key: &ServerKey,
    link: &AccountLink,
    staff_user_id: Option<&str>,
) -> Result<(), Error> {
    let token = link.token(key);
    sqlx::query(
        "INSERT INTO staff_account_links \
         (id, kind, email, role, staff_user_id, language, nonce, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&link.id)
    .bind(link.kind.as_str())
    .bind(&link.email)
    .bind(link.role.as_str())
    .bind(staff_user_id)
    .bind(link.language.code())
    .bind(&link.nonce)
    .bind(token.hash())
    .bind(link.created_at.millis())
    .bind(link.expires_at.millis())
    .execute(tx.conn().await?)
    .await?;
    jobs::enqueue(
        tx.conn().await?,
        LINK_EMAIL_JOB,
        &json!({ "linkId": link.id }),
        None,
    )
    .await?;
    Ok(())
}

/// Invites `email` as `role`: an email with a link to choose a password. 409 when a staff user
/// has the address; an earlier pending invitation of the address is replaced.
pub async fn invite(
    db: &Db,
    key: &ServerKey,
    actor: &Actor,
    email: &str,
    role: StaffRole,
    language: Language,
) -> Result<AccountLink, Error> {
    let email = EmailAddress::parse(email)
        .map_err(|_| Error::invalid("email", Rule::Email))?
        .as_str()
        .to_lowercase();
    let at = now();
    let link = AccountLink {
        id: uuid::Uuid::now_v7().to_string(),
        kind: LinkKind::Invitation,
        email,
        role,
        language,
        nonce: new_nonce()?,
        created_at: at,
        expires_at: at.plus(INVITATION_VALID_FOR),
        used: false,
        revoked: false,
    };
    let mut tx = WriteTx::new(db, actor.clone());
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM staff_users WHERE email = $1")
        .bind(&link.email)
        .fetch_optional(tx.conn().await?)
        .await?;
    if taken.is_some() {
        return Err(Error::Conflict(Conflict::EmailTaken));
    }
    sqlx::query(
        "UPDATE staff_account_links SET revoked_at = $2 \
         WHERE email = $1 AND kind = 'INVITATION' AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(&link.email)
    .bind(at.millis())
    .execute(tx.conn().await?)
    .await?;
    issue(&mut tx, key, &link, None).await?;
    tx.record(
        Subject::StaffAccountLink(&link.id),
        "invited",
        None,
        serde_json::to_value(&link).ok(),
    );
    tx.commit().await?;
    Ok(link)
}

/// Invitations not yet used nor revoked (expired ones too, to be sent again), newest first.
pub async fn pending_invitations(db: &Db) -> Result<Vec<AccountLink>, Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LINK_COLUMNS} FROM staff_account_links \
         WHERE kind = 'INVITATION' AND used_at IS NULL AND revoked_at IS NULL \
         ORDER BY created_at DESC"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(link_from_row).collect::<Result<_, _>>()?)
}

/// One link by id; 404 when unknown.
pub async fn get(db: &Db, id: &str) -> Result<AccountLink, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LINK_COLUMNS} FROM staff_account_links WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound("staff invitation"))?;
    Ok(link_from_row(&row)?)
}

async fn pending_invitation(tx: &mut WriteTx, id: &str) -> Result<AccountLink, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LINK_COLUMNS} FROM staff_account_links \
         WHERE id = $1 AND kind = 'INVITATION' AND used_at IS NULL AND revoked_at IS NULL"
    )))
    .bind(id)
    .fetch_optional(tx.conn().await?)
    .await?
    .ok_or(Error::NotFound("staff invitation"))?;
    Ok(link_from_row(&row)?)
}

/// Sends a pending invitation again, with a new link and a new expiry; the old link dies.
pub async fn resend(db: &Db, key: &ServerKey, actor: &Actor, id: &str) -> Result<(), Error> {
    let mut tx = WriteTx::new(db, actor.clone());
    let old = pending_invitation(&mut tx, id).await?;
    let at = now();
    sqlx::query("UPDATE staff_account_links SET revoked_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at.millis())
        .execute(tx.conn().await?)
        .await?;
    let link = AccountLink {
        id: uuid::Uuid::now_v7().to_string(),
        nonce: new_nonce()?,
        created_at: at,
        expires_at: at.plus(INVITATION_VALID_FOR),
        ..old
    };
    issue(&mut tx, key, &link, None).await?;
    tx.record(
        Subject::StaffAccountLink(&link.id),
        "invitation_resent",
        Some(json!({ "id": id })),
        serde_json::to_value(&link).ok(),
    );
    tx.commit().await
}

/// Withdraws a pending invitation: its link stops working.
pub async fn revoke(db: &Db, actor: &Actor, id: &str) -> Result<(), Error> {
    let mut tx = WriteTx::new(db, actor.clone());
    let link = pending_invitation(&mut tx, id).await?;
    sqlx::query("UPDATE staff_account_links SET revoked_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now().millis())
        .execute(tx.conn().await?)
        .await?;
    tx.record(
        Subject::StaffAccountLink(id),
        "invitation_revoked",
        serde_json::to_value(&link).ok(),
        None,
    );
    tx.commit().await
}

/// Emails a reset link to the active staff member with this address; does nothing (and says
/// nothing different) for any other address.
pub async fn request_reset(db: &Db, key: &ServerKey, email: &str) -> Result<(), Error> {
    let email = email.trim().to_lowercase();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM staff_users u WHERE u.email = $1 AND u.disabled_at IS NULL"
    )))
    .bind(&email)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(()) };
    let user = super::user_from_row(&row)?;
    let at = now();
    let link = AccountLink {
        id: uuid::Uuid::now_v7().to_string(),
        kind: LinkKind::Reset,
        email: user.email.clone(),
        role: user.role,
        language: user.language,
        nonce: new_nonce()?,
        created_at: at,
        expires_at: at.plus(RESET_VALID_FOR),
        used: false,
        revoked: false,
    };
    let mut tx = WriteTx::new(db, Actor::Staff(user.email.clone()));
    issue(&mut tx, key, &link, Some(&user.id)).await?;
    tx.record(
        Subject::StaffUser(&user.id),
        "password_reset_requested",
        None,
        None,
    );
    tx.commit().await
}

/// The link a token opens, while it still works.
pub async fn find_usable(db: &Db, token: &AccountLinkToken) -> Result<Option<AccountLink>, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LINK_COLUMNS} FROM staff_account_links WHERE token_hash = $1"
    )))
    .bind(token.hash())
    .fetch_optional(db.pool())
    .await?;
    let link = row.as_ref().map(link_from_row).transpose()?;
    Ok(link.filter(AccountLink::is_usable))
}

/// Uses a link: sets `password` (making the invited user, or changing the user's password
/// and ending all their sessions) and marks the link used, all at once. None when the link
/// does not work (anymore); 409 when an invited address became a staff user meanwhile.
pub async fn use_link(
    db: &Db,
    hashing: &PasswordHashing,
    token: &AccountLinkToken,
    password: &Password,
) -> Result<Option<StaffUser>, Error> {
    // The slow hash before the write lock is taken.
    let hash = hashing.hash(&password.0).await?;
    let Some(link) = find_usable(db, token).await? else {
        return Ok(None);
    };
    let at = now();
    let mut tx = WriteTx::new(db, Actor::Staff(link.email.clone()));
    // Marked used in one statement that also judges it, so two submissions cannot both pass.
    let claimed: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE staff_account_links SET used_at = $2 \
         WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
         RETURNING staff_user_id",
    )
    .bind(token.hash())
    .bind(at.millis())
    .fetch_optional(tx.conn().await?)
    .await?;
    let Some(staff_user_id) = claimed else {
        return Ok(None);
    };
    let user = match (link.kind, staff_user_id) {
        (LinkKind::Reset, Some(id)) => {
            let changed = sqlx::query(
                "UPDATE staff_users SET password_hash = $2 WHERE id = $1 AND disabled_at IS NULL",
            )
            .bind(&id)
            .bind(&hash)
            .execute(tx.conn().await?)
            .await?;
            if changed.rows_affected() == 0 {
                return Ok(None);
            }
            sessions::end_all_in(tx.conn().await?, &id).await?;
            tx.record(Subject::StaffUser(&id), "password_reset", None, None);
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS} FROM staff_users u WHERE u.id = $1"
            )))
            .bind(&id)
            .fetch_one(tx.conn().await?)
            .await?;
            super::user_from_row(&row)?
        }
        _ => {
            let user = StaffUser {
                id: uuid::Uuid::now_v7().to_string(),
                email: link.email.clone(),
                role: link.role,
                disabled: false,
                language: link.language,
                created_at: at,
                daily_digest: false,
                second_factor: false,
            };
            let inserted = sqlx::query(
                "INSERT INTO staff_users (id, email, password_hash, role, language, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING id",
            )
            .bind(&user.id)
            .bind(&user.email)
            .bind(&hash)
            .bind(user.role.as_str())
            .bind(user.language.code())
            .bind(at.millis())
            .fetch_optional(tx.conn().await?)
            .await?;
            if inserted.is_none() {
                return Err(Error::Conflict(Conflict::EmailTaken));
            }
            tx.record(
                Subject::StaffUser(&user.id),
                "created",
                None,
                serde_json::to_value(&user).ok(),
            );
            user
        }
    };
    tx.record(Subject::StaffAccountLink(&link.id), "used", None, None);
    tx.commit().await?;
    Ok(Some(user))
}
