//! Staff page sessions, stored in the database so that any instance serves them. The cookie
//! holds a random value; only its hash is stored. A session ends after 30 idle minutes, after
//! 12 hours in any case, at logout, and when its user is disabled.

use sqlx::Row;

use super::{StaffUser, USER_COLUMNS, user_from_row};
use crate::db::{Db, Timestamp, now};
use crate::errors::Error;
use crate::secret_token;

/// Sessions end this long after they were last seen.
pub const IDLE_TIMEOUT: chrono::Duration = chrono::Duration::minutes(30);
/// Sessions end this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: chrono::Duration = chrono::Duration::hours(12);

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// Who.
    pub user: StaffUser,
    /// The token every form must echo.
    pub csrf_token: String,
    /// When the session was last marked seen.
    pub last_seen_at: Timestamp,
}

impl StaffSession {
    /// Marking it seen is worth a write at most once a minute.
    pub fn needs_touch(&self) -> bool {
        self.last_seen_at < now().plus(-chrono::Duration::minutes(1))
    }
}

fn random() -> Result<secret_token::NewToken, Error> {
    secret_token::generate("")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))
}

/// Starts a session for `user` (always a new id, so a cookie planted before sign-in is
/// worthless after it) and returns the cookie value, which exists only here.
pub async fn start(db: &Db, user: &StaffUser) -> Result<String, Error> {
    let cookie = random()?;
    let csrf = random()?;
    let at = now().millis();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO staff_sessions (id_hash, staff_user_id, csrf_token, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(&cookie.hash)
    .bind(&user.id)
    .bind(&csrf.plain)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    // Ended sessions are of no use; clear them as we go.
    sqlx::query("DELETE FROM staff_sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(now().plus(-IDLE_TIMEOUT).millis())
        .bind(now().plus(-ABSOLUTE_TIMEOUT).millis())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(cookie.plain)
}

/// The live session a cookie names, with its active user, if any.
pub async fn find(db: &Db, cookie: &str) -> Result<Option<StaffSession>, Error> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, s.csrf_token, s.last_seen_at FROM staff_sessions s \
         JOIN staff_users u ON u.id = s.staff_user_id \
         WHERE s.id_hash = $1 AND s.last_seen_at > $2 AND s.created_at > $3 AND u.disabled_at IS NULL"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(secret_token::hash(cookie))
        .bind(now().plus(-IDLE_TIMEOUT).millis())
        .bind(now().plus(-ABSOLUTE_TIMEOUT).millis())
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(StaffSession {
        user: user_from_row(&row)?,
        csrf_token: row.try_get("csrf_token")?,
        last_seen_at: Timestamp::from_millis(row.try_get("last_seen_at")?),
    }))
}

/// Marks the session seen now.
pub async fn touch(db: &Db, cookie: &str) -> Result<(), Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now().millis())
        .bind(secret_token::hash(cookie))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the session a cookie names (logout).
pub async fn end(db: &Db, cookie: &str) -> Result<(), Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1")
        .bind(secret_token::hash(cookie))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a user, inside the caller's transaction (disabling a user).
pub async fn end_all_in(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<(), Error> {
    sqlx::query("DELETE FROM staff_sessions WHERE staff_user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use crate::staff::StaffRole;

    fn seen(ago: chrono::Duration) -> StaffSession {
        StaffSession {
            user: StaffUser {
                id: "u".into(),
                email: "a@example.com".into(),
                role: StaffRole::Staff,
                disabled: false,
                language: Language::En,
                created_at: now(),
                daily_digest: false,
                second_factor: false,
            },
            csrf_token: "t".into(),
            last_seen_at: now().plus(-ago),
        }
    }

    #[test]
    fn a_staff_session_is_marked_seen_at_most_once_a_minute() {
        assert!(!seen(chrono::Duration::seconds(5)).needs_touch());
        assert!(seen(chrono::Duration::seconds(61)).needs_touch());
    }
}
