//! Marketplace staff: who may sign in to the staff pages, with argon2id password hashes at
//! OWASP's recommended parameters.

pub mod challenges;
pub mod link_email;
pub mod links;
mod passwords;
pub mod sessions;
pub mod totp;

pub use passwords::{HashingLimits, PasswordHashing};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, Subject};
use crate::db::{Db, Timestamp, now};
use crate::email::EmailAddress;
use crate::errors::{Conflict, Error, Rule};
use crate::i18n::Language;
use crate::write::WriteTx;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StaffRole {
    /// Everything, including staff users, settings and API tokens.
    Admin,
    /// Onboarding work: buyers, documents, invitations, checks.
    Staff,
}

impl StaffRole {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "ADMIN",
            StaffRole::Staff => "STAFF",
        }
    }

    /// The role of a storage name; anything unknown is the lesser role.
    pub fn parse(text: &str) -> StaffRole {
        if text == "ADMIN" {
            StaffRole::Admin
        } else {
            StaffRole::Staff
        }
    }
}

/// A staff member.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffUser {
    /// The user's id.
    pub id: String,
    /// Sign-in address (lower case).
    pub email: String,
    /// Role.
    pub role: StaffRole,
    /// Disabled users cannot sign in.
    pub disabled: bool,
    /// The language the staff pages speak to this user.
    pub language: Language,
    /// When the user was made.
    pub created_at: Timestamp,
    /// Whether the user gets the daily digest email.
    pub daily_digest: bool,
    /// Whether sign-in asks for a code of the user's authenticator app too.
    pub second_factor: bool,
}

/// A password that meets the rules; never printed.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl Password {
    /// At least twelve characters.
    pub fn parse(text: &str) -> Result<Password, Error> {
        if text.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                Rule::TooShort {
                    min: MIN_PASSWORD_CHARS,
                },
            ));
        }
        Ok(Password(text.to_owned()))
    }
}

/// Makes a staff user; 409 when the address is taken.
pub async fn create(
    db: &Db,
    hashing: &PasswordHashing,
    actor: &Actor,
    email: &str,
    password: &Password,
    role: StaffRole,
) -> Result<StaffUser, Error> {
    let email = EmailAddress::parse(email)
        .map_err(|_| Error::invalid("email", Rule::Email))?
        .as_str()
        .to_lowercase();
    let hash = hashing.hash(&password.0).await?;
    let user = StaffUser {
        id: uuid::Uuid::now_v7().to_string(),
        email,
        role,
        disabled: false,
        language: Language::En,
        created_at: now(),
        daily_digest: false,
        second_factor: false,
    };
    let mut tx = WriteTx::new(db, actor.clone());
    let inserted = sqlx::query(
        "INSERT INTO staff_users (id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&hash)
    .bind(role.as_str())
    .bind(user.created_at.millis())
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
    tx.commit().await?;
    Ok(user)
}

/// The active user with this email and password, if they match. Every attempt costs exactly
/// one Argon2 verification, for unknown addresses too, so timing does not tell which
/// addresses exist.
pub async fn authenticate(
    db: &Db,
    hashing: &PasswordHashing,
    email: &str,
    password: &str,
) -> Result<Option<StaffUser>, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS}, u.password_hash FROM staff_users u WHERE u.email = $1"
    )))
    .bind(email.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?;
    let stored = match &row {
        Some(row) => Some(row.try_get::<String, _>("password_hash")?),
        None => None,
    };
    let matches = hashing.verify(stored, password).await?;
    let Some(row) = row.filter(|_| matches) else {
        return Ok(None);
    };
    let user = user_from_row(&row)?;
    Ok((!user.disabled).then_some(user))
}

/// The columns [`user_from_row`] reads, of `staff_users u`.
pub(crate) const USER_COLUMNS: &str = "u.id, u.email, u.role, u.disabled_at, u.language, u.created_at, u.daily_digest, \
     CAST(CASE WHEN u.totp_secret IS NULL THEN 0 ELSE 1 END AS BIGINT) AS second_factor";

pub(crate) fn user_from_row(row: &AnyRow) -> Result<StaffUser, sqlx::Error> {
    let disabled: Option<i64> = row.try_get("disabled_at")?;
    let language: String = row.try_get("language")?;
    Ok(StaffUser {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: StaffRole::parse(&row.try_get::<String, _>("role")?),
        disabled: disabled.is_some(),
        language: Language::parse(&language).unwrap_or(Language::En),
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        daily_digest: row.try_get::<i64, _>("daily_digest")? != 0,
        second_factor: row.try_get::<i64, _>("second_factor")? != 0,
    })
}

/// Every staff user, by email.
pub async fn list(db: &Db) -> Result<Vec<StaffUser>, Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM staff_users u ORDER BY u.email"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
}

/// One staff user; 404 when unknown.
pub async fn get(db: &Db, id: &str) -> Result<StaffUser, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM staff_users u WHERE u.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound("staff user"))?;
    Ok(user_from_row(&row)?)
}

/// Remembers the language a user reads the staff pages in.
pub async fn set_language(db: &Db, id: &str, language: Language) -> Result<(), Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE staff_users SET language = $1 WHERE id = $2")
        .bind(language.code())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns the user's daily digest email on or off (each user for themselves).
pub async fn set_daily_digest(db: &Db, id: &str, on: bool) -> Result<(), Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE staff_users SET daily_digest = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What an administrator changes about another staff user.
#[derive(Debug, Clone, Copy)]
pub enum UserChange {
    /// Gives the user this role.
    Role(StaffRole),
    /// Disables the user and ends all their sessions at once.
    Disable,
    /// Lets the user sign in again.
    Enable,
    /// Turns the user's second factor off (a lost phone); they may enrol again.
    ClearSecondFactor,
}

/// Changes a staff user, with an audit entry. Nobody changes their own role or disables
/// themselves, so an organisation cannot lock out its last administrator by accident.
pub async fn change(
    db: &Db,
    actor: &Actor,
    by: &StaffUser,
    id: &str,
    change: UserChange,
) -> Result<StaffUser, Error> {
    if by.id == id {
        return Err(Error::Conflict(Conflict::CannotChangeYourself));
    }
    let before = get(db, id).await?;
    let mut tx = WriteTx::new(db, actor.clone());
    let (action, sql) = match change {
        UserChange::Role(_) => (
            "role_changed",
            "UPDATE staff_users SET role = $2 WHERE id = $1",
        ),
        UserChange::Disable => (
            "disabled",
            "UPDATE staff_users SET disabled_at = COALESCE(disabled_at, $2) WHERE id = $1",
        ),
        UserChange::Enable => (
            "enabled",
            "UPDATE staff_users SET disabled_at = NULL WHERE id = $1",
        ),
        UserChange::ClearSecondFactor => (
            "second_factor_cleared",
            "UPDATE staff_users SET totp_secret = NULL, totp_pending_secret = NULL WHERE id = $1",
        ),
    };
    let query = sqlx::query(sql).bind(id);
    let query = match change {
        UserChange::Role(role) => query.bind(role.as_str()),
        UserChange::Disable => query.bind(now().millis()),
        UserChange::Enable | UserChange::ClearSecondFactor => query,
    };
    query.execute(tx.conn().await?).await?;
    if matches!(change, UserChange::Disable) {
        sessions::end_all_in(tx.conn().await?, id).await?;
    }
    let mut after = before.clone();
    match change {
        UserChange::Role(role) => after.role = role,
        UserChange::Disable => after.disabled = true,
        UserChange::Enable => after.disabled = false,
        UserChange::ClearSecondFactor => after.second_factor = false,
    }
    tx.record(
        Subject::StaffUser(id),
        action,
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    );
    tx.commit().await?;
    Ok(after)
}
