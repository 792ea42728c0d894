//! Buyer page sessions: a browser that opened an invitation link gets a session cookie, so the
//! token is not needed in later URLs and re-loading is not another use.

use sqlx::{AnyConnection, Row};

use super::Invitation;
use crate::db::{Arg, Db, GATHERED_KEY, GatheredRead, Timestamp, now};
use crate::documents::Document;
use crate::documents::store as documents_store;
use crate::errors::Error;
use crate::i18n::Language;
use crate::secret_token;

/// Sessions end this long after they were last seen.
pub const IDLE_TIMEOUT: chrono::Duration = chrono::Duration::hours(8);

/// A live buyer session.
#[derive(Debug, Clone)]
pub struct PortalSession {
    /// The invitation it was opened with.
    pub invitation_id: String,
    /// The language the buyer reads.
    pub language: Language,
    /// The token every form must echo.
    pub csrf_token: String,
    /// When the session was last marked seen.
    pub last_seen_at: Timestamp,
}

impl PortalSession {
    /// Whether marking it seen now would change anything worth a write: at most once a
    /// minute, since the idle timeout is counted in hours and every write queues behind others.
    pub fn needs_touch(&self) -> bool {
        self.last_seen_at < now().plus(-chrono::Duration::minutes(1))
    }
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
) -> Result<OpenedSession, Error> {
    let random = || {
        secret_token::generate("")
            .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))
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
            last_seen_at: Timestamp::from_millis(at),
        },
    })
}

/// The live session a cookie names, if any.
pub async fn find(db: &Db, cookie: &str) -> Result<Option<PortalSession>, Error> {
    let oldest = now().plus(-IDLE_TIMEOUT).millis();
    let row = sqlx::query(
        "SELECT invitation_id, language, csrf_token, last_seen_at FROM portal_sessions \
         WHERE id_hash = $1 AND last_seen_at > $2",
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
        last_seen_at: Timestamp::from_millis(row.try_get("last_seen_at")?),
    }))
}

/// A live session with everything every view of the buyer's page reads.
pub struct LiveSession {
    /// The session.
    pub session: PortalSession,
    /// Its invitation.
    pub invitation: Invitation,
    /// The invitation's buyer, as its pages need it.
    pub buyer: crate::buyers::PageBuyer,
    /// The buyer's seller's name.
    pub seller_name: String,
}

/// The live session a cookie names with its invitation, buyer and seller name, in one round
/// trip: every view of the buyer's page needs them all, and each round trip costs more CPU
/// than reading the few extra columns.
pub async fn find_live(db: &Db, cookie: &str) -> Result<Option<LiveSession>, Error> {
    let hash = secret_token::hash(cookie);
    let rows = db
        .read_gathered(&FIND_LIVE, &hash, &live_since(), |_, row| {
            live_from_row(row)
        })
        .await?;
    Ok(rows.into_iter().next())
}

/// [`find_live`] with the buyer's active documents (as `documents::on_page` takes them), in
/// the same round trip: the buyer's page shows both, and on PostgreSQL a round trip costs
/// more CPU than reading the session's columns again with each document. The documents are
/// given as read, or the error of the first that could not be: a session refused anyway (an
/// expired link, a blocked buyer) shows its page whatever the documents hold.
pub async fn find_live_with_documents(
    db: &Db,
    cookie: &str,
) -> Result<Option<(LiveSession, Result<Vec<Document>, Error>)>, Error> {
    let hash = secret_token::hash(cookie);
    let rows = db
        .read_gathered(
            &FIND_LIVE_WITH_DOCUMENTS,
            &hash,
            &live_since(),
            // Every row repeats the session: it is read from the first.
            |index, row| {
                let live = if index == 0 {
                    Some(live_from_row(row)?)
                } else {
                    None
                };
                Ok((live, documents_store::from_joined_row(row, DOCUMENT)))
            },
        )
        .await?;
    let mut rows = rows.into_iter();
    let Some((Some(live), first)) = rows.next() else {
        return Ok(None);
    };
    let documents = std::iter::once(first)
        .chain(rows.map(|(_, document)| document))
        .filter_map(Result::transpose)
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::from);
    Ok(Some((live, documents)))
}

/// [`FIND_LIVE`] with a row for each of the buyer's active documents (one without any).
static FIND_LIVE_WITH_DOCUMENTS: std::sync::LazyLock<GatheredRead> =
    std::sync::LazyLock::new(|| {
        find_live_sql(Some(&documents_store::join_active("d", DOCUMENT, "b.id")))
    });

/// The prefix of the documents' columns where they are read along with a session's.
const DOCUMENT: &str = "document__";

/// What a live session is found by besides its cookie's hash: a sighting since the idle
/// timeout (`$2`).
fn live_since() -> [Arg<'static>; 1] {
    [Arg::Int(now().plus(-IDLE_TIMEOUT).millis())]
}

/// The session by its cookie's hash with its invitation, buyer and seller's name, if it was
/// seen since `$2`.
static FIND_LIVE: std::sync::LazyLock<GatheredRead> =
    std::sync::LazyLock::new(|| find_live_sql(None));

/// The read of a live session, with the buyer's active documents joined when given.
fn find_live_sql(documents: Option<&documents_store::JoinedActive>) -> GatheredRead {
    let (columns, join) = match documents {
        Some(d) => (format!(", {}", d.columns), format!(" {}", d.join)),
        None => Default::default(),
    };
    GatheredRead::new("s.id_hash", |by_hash| {
        format!(
            "SELECT s.id_hash AS {GATHERED_KEY}, {}, {}{columns}, p.name AS seller_name, \
             s.language AS session_language, s.csrf_token, s.last_seen_at \
             FROM portal_sessions s JOIN invitations i ON i.id = s.invitation_id \
             JOIN buyers b ON b.id = i.buyer_id JOIN partners p ON p.id = b.seller_id{join} \
             WHERE {by_hash} AND s.last_seen_at > $2",
            super::store::columns_of("i"),
            crate::buyers::store::page_columns("b", BUYER),
        )
    })
}

fn live_from_row(row: &impl crate::db::Columns) -> Result<LiveSession, sqlx::Error> {
    let invitation = super::store::from_row(row)?;
    let session = session_from_row(row, &invitation)?;
    Ok(LiveSession {
        session,
        buyer: crate::buyers::store::page_buyer_from_joined_row(row, BUYER)?,
        seller_name: row.try_get("seller_name")?,
        invitation,
    })
}

/// The prefix of the buyer's columns where they are read along with an invitation's.
const BUYER: &str = "buyer__";

fn session_from_row(
    row: &impl crate::db::Columns,
    invitation: &Invitation,
) -> Result<PortalSession, sqlx::Error> {
    let language: String = row.try_get("session_language")?;
    Ok(PortalSession {
        invitation_id: invitation.id.clone(),
        language: Language::parse(&language).unwrap_or(Language::En),
        csrf_token: row.try_get("csrf_token")?,
        last_seen_at: Timestamp::from_millis(row.try_get("last_seen_at")?),
    })
}

/// Marks the session seen now and, if given, switches its language.
pub async fn touch(db: &Db, cookie: &str, language: Option<Language>) -> Result<(), Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(ago: chrono::Duration) -> PortalSession {
        PortalSession {
            invitation_id: "inv_1".into(),
            language: Language::De,
            csrf_token: "t".into(),
            last_seen_at: now().plus(-ago),
        }
    }

    #[test]
    fn a_session_is_marked_seen_at_most_once_a_minute() {
        assert!(!seen(chrono::Duration::seconds(5)).needs_touch());
        assert!(seen(chrono::Duration::seconds(61)).needs_touch());
    }
}
