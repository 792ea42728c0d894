//! A sign-in half done: the password was right and the second factor's code is still asked
//! for. The browser holds a random value in a cookie; only its hash is stored, and it is worth
//! nothing after a few minutes or once the code was given.

use super::{StaffUser, USER_COLUMNS, user_from_row};
use crate::db::{Db, now};
use crate::errors::Error;
use crate::secret_token;

/// How long the code may take to type.
pub const VALID_FOR: chrono::Duration = chrono::Duration::minutes(5);

/// Starts a challenge for `user`; returns the cookie value, which exists only here.
pub async fn start(db: &Db, user: &StaffUser) -> Result<String, Error> {
    let cookie = secret_token::generate("")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO staff_sign_in_challenges (id_hash, staff_user_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(&cookie.hash)
    .bind(&user.id)
    .bind(now().millis())
    .execute(&mut *tx)
    .await?;
    // Old challenges are of no use; clear them as we go.
    sqlx::query("DELETE FROM staff_sign_in_challenges WHERE created_at < $1")
        .bind(now().plus(-VALID_FOR).millis())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(cookie.plain)
}

/// The active user whose live challenge the cookie names.
pub async fn find(db: &Db, cookie: &str) -> Result<Option<StaffUser>, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM staff_sign_in_challenges c \
         JOIN staff_users u ON u.id = c.staff_user_id \
         WHERE c.id_hash = $1 AND c.created_at > $2 AND u.disabled_at IS NULL"
    )))
    .bind(secret_token::hash(cookie))
    .bind(now().plus(-VALID_FOR).millis())
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(user_from_row(&row)?))
}

/// Ends the challenge the cookie names (the code was given).
pub async fn end(db: &Db, cookie: &str) -> Result<(), Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM staff_sign_in_challenges WHERE id_hash = $1")
        .bind(secret_token::hash(cookie))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
