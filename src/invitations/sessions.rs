//! Buyer page sessions: a browser that opened an invitation link gets a session cookie, so the
//! token is not needed in later URLs and re-loading is not another use.

use sqlx::{AnyConnection, Row};

use crate::db::{Db, now};
use crate::error::AppError;
use crate::i18n::Language;
use crate::secret_token;

/// Sessions end this long after they were last seen.
const IDLE_TIMEOUT: chrono::Duration = chrono::Duration::hours(8);

/// A live buyer session.
#[derive(Debug, Clone)]
pub struct PortalSession {
    /// The invitation it was opened with.
    pub invitation_id: String,
    /// The language the buyer reads.
    pub language: Language,
    /// The token every form must echo.
    pub csrf_token: String,
}

/// A session just opened: the cookie value exists only here.
pub struct OpenedSession {
    /// The value of the session cookie.
    pub cookie: String,
    /// The session.
    pub session: PortalSession,
}

/// Opens a session for `invitation_id` inside the caller's transaction.
pub async fn open_in(
    conn: &mut AnyConnection,
    invitation_id: &str,
    language: Language,
) -> Result<OpenedSession, AppError> {
    let random = || {
        secret_token::generate("")
            .map_err(|e| AppError::Internal(anyhow::anyhow!("no secure random source: {e}")))
    };
    let cookie = random()?;
    let csrf = random()?;
    let at = now().millis();
    sqlx::query(
        "INSERT INTO portal_sessions (id_hash, invitation_id, language, csrf_token, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&cookie.hash)
    .bind(invitation_id)
    .bind(language.code())
    .bind(&csrf.plain)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(OpenedSession {
        cookie: cookie.plain,
        session: PortalSession {
            invitation_id: invitation_id.to_owned(),
            language,
            csrf_token: csrf.plain,
        },
    })
}

/// The live session a cookie names, if any.
pub async fn find(db: &Db, cookie: &str) -> Result<Option<PortalSession>, AppError> {
    let oldest = now().plus(-IDLE_TIMEOUT).millis();
    let row = sqlx::query(
        "SELECT invitation_id, language, csrf_token FROM portal_sessions WHERE id_hash = $1 AND last_seen_at > $2",
    )
    .bind(secret_token::hash(cookie))
    .bind(oldest)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let language: String = row.try_get("language")?;
    Ok(Some(PortalSession {
        invitation_id: row.try_get("invitation_id")?,
        language: Language::parse(&language).unwrap_or(Language::En),
        csrf_token: row.try_get("csrf_token")?,
    }))
}

/// Marks the session seen now and, if given, switches its language.
pub async fn touch(db: &Db, cookie: &str, language: Option<Language>) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE portal_sessions SET last_seen_at = $1, language = COALESCE($2, language) WHERE id_hash = $3")
        .bind(now().millis())
        .bind(language.map(Language::code))
        .bind(secret_token::hash(cookie))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
