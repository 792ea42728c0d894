//! The optional second factor: time-based one-time codes (RFC 6238: SHA-1, six digits, 30
//! seconds), as authenticator apps make them. A code is accepted one step early or late (clocks
//! drift), and never twice: the last accepted step is kept and only later ones pass. Secrets
//! are sealed under the server key; a database copied away reveals none.

use sqlx::Row;
use totp_rs::{Algorithm, TOTP};

use crate::audit::{Actor, Subject};
use crate::db::{Db, now};
use crate::errors::Error;
use crate::seal::Seal;
use crate::server_key::ServerKey;
use crate::write::WriteTx;

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of now.
const SKEW: u64 = 1;
/// 160 bits, the length RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// The seal for second-factor secrets.
pub fn seal(key: &ServerKey) -> Seal {
    Seal::new(key, "staff-totp-secret")
}

/// A code as typed: six digits (spaces the apps show in the middle are dropped).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl std::fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpCode(..)")
    }
}

impl TotpCode {
    /// None for anything that cannot be a code.
    pub fn parse(text: &str) -> Option<TotpCode> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(TotpCode(digits))
    }
}

/// What an authenticator app needs to enrol: the otpauth:// URI (also as a QR code) and the
/// secret in base32 for typing in.
pub struct Enrolment {
    /// `otpauth://totp/...`.
    pub uri: String,
    /// The secret, base32.
    pub secret_base32: String,
}

fn totp(secret: Vec<u8>, issuer: &str, account: &str) -> TOTP {
    // The URI's label is `issuer:account`; a colon inside either would break it.
    let issuer = issuer.replace(':', " ");
    let account = account.replace(':', " ");
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        secret,
        (!issuer.trim().is_empty()).then_some(issuer),
        account,
    )
}

/// The step a code made at `seconds` since the epoch belongs to.
fn step_at(seconds: u64) -> u64 {
    seconds / STEP_SECONDS
}

fn seconds_now() -> u64 {
    u64::try_from(now().millis() / 1000).unwrap_or(0)
}

/// The step within ±1 of now whose code is `code`, if any.
fn matching_step(secret: &[u8], code: &TotpCode) -> Option<u64> {
    let totp = totp(secret.to_vec(), "", "");
    let current = step_at(seconds_now());
    (current.saturating_sub(SKEW)..=current + SKEW).find(|step| {
        let made = totp.generate(step * STEP_SECONDS);
        crate::secret_token::same(&made, &code.0)
    })
}

fn open(seal: &Seal, stored: &str) -> Result<Vec<u8>, Error> {
    let sealed = hex::decode(stored)
        .map_err(|e| Error::Internal(anyhow::anyhow!("a stored TOTP secret: {e}")))?;
    seal.open(&sealed)
        .map_err(|e| Error::Internal(anyhow::anyhow!("a stored TOTP secret: {e}")))
}

fn sealed(seal: &Seal, secret: &[u8]) -> Result<String, Error> {
    seal.seal(secret)
        .map(hex::encode)
        .map_err(|e| Error::Internal(anyhow::anyhow!("sealing a TOTP secret: {e}")))
}

struct Secrets {
    confirmed: Option<String>,
    pending: Option<String>,
}

async fn secrets(db: &Db, user_id: &str) -> Result<Secrets, Error> {
    let row = sqlx::query("SELECT totp_secret, totp_pending_secret FROM staff_users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound("staff user"))?;
    Ok(Secrets {
        confirmed: row.try_get("totp_secret")?,
        pending: row.try_get("totp_pending_secret")?,
    })
}

/// The enrolment waiting for its first code, made now when there is none. `issuer` names the
/// portal in the app, `account` the staff member.
pub async fn enrolment(
    db: &Db,
    seal: &Seal,
    user_id: &str,
    issuer: &str,
    account: &str,
) -> Result<Enrolment, Error> {
    let secret = match secrets(db, user_id).await?.pending {
        Some(stored) => open(seal, &stored)?,
        None => {
            let mut secret = vec![0u8; SECRET_BYTES];
            getrandom::fill(&mut secret)
                .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?;
            let mut tx = db.begin_write().await?;
            sqlx::query("UPDATE staff_users SET totp_pending_secret = $2 WHERE id = $1")
                .bind(user_id)
                .bind(sealed(seal, &secret)?)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            secret
        }
    };
    let totp = totp(secret, issuer, account);
    Ok(Enrolment {
        uri: totp.get_url(),
        secret_base32: totp.get_secret_base32(),
    })
}

/// Counts `step` as used, unless it (or a later one) was used already: one statement, so two
/// sign-ins with the same code cannot both pass.
async fn claim_step(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    step: u64,
) -> Result<bool, Error> {
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let claimed = sqlx::query(
        "UPDATE staff_users SET totp_last_step = $2 \
         WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Confirms the waiting enrolment with a code from the app: from now on sign-in asks for
/// codes. False when the code does not match (or there is nothing to confirm).
pub async fn confirm(
    db: &Db,
    seal: &Seal,
    actor: &Actor,
    user_id: &str,
    code: &TotpCode,
) -> Result<bool, Error> {
    let Some(stored) = secrets(db, user_id).await?.pending else {
        return Ok(false);
    };
    let Some(step) = matching_step(&open(seal, &stored)?, code) else {
        return Ok(false);
    };
    let mut tx = WriteTx::new(db, actor.clone());
    if !claim_step(tx.conn().await?, user_id, step).await? {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE staff_users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL \
         WHERE id = $1 AND totp_pending_secret = $2",
    )
    .bind(user_id)
    .bind(&stored)
    .execute(tx.conn().await?)
    .await?;
    tx.record(Subject::StaffUser(user_id), "second_factor_on", None, None);
    tx.commit().await?;
    Ok(true)
}

/// Whether `code` is a current, unused code of the user's confirmed second factor; a match is
/// used up.
pub async fn verify(db: &Db, seal: &Seal, user_id: &str, code: &TotpCode) -> Result<bool, Error> {
    let Some(stored) = secrets(db, user_id).await?.confirmed else {
        return Ok(false);
    };
    let Some(step) = matching_step(&open(seal, &stored)?, code) else {
        return Ok(false);
    };
    let mut tx = db.begin_write().await?;
    let claimed = claim_step(&mut tx, user_id, step).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// Turns the second factor off, given a current code. False when the code does not match.
pub async fn disable(
    db: &Db,
    seal: &Seal,
    actor: &Actor,
    user_id: &str,
    code: &TotpCode,
) -> Result<bool, Error> {
    if !verify(db, seal, user_id, code).await? {
        return Ok(false);
    }
    let mut tx = WriteTx::new(db, actor.clone());
    sqlx::query(
        "UPDATE staff_users SET totp_secret = NULL, totp_pending_secret = NULL WHERE id = $1",
    )
    .bind(user_id)
    .execute(tx.conn().await?)
    .await?;
    tx.record(Subject::StaffUser(user_id), "second_factor_off", None, None);
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_test_vector_gives_its_code() {
        // RFC 6238, appendix B: SHA-1, T = 59 s, eight digits 94287082; six digits: 287082.
        let totp = totp(b"12345678901234567890".to_vec(), "", "");
        assert_eq!(totp.generate(59), "287082");
    }

    #[test]
    fn a_code_is_six_digits_and_may_be_typed_with_a_space() {
        assert!(TotpCode::parse("123 456").is_some());
        assert!(TotpCode::parse("12345").is_none());
        assert!(TotpCode::parse("12345a").is_none());
    }

    #[test]
    fn a_code_of_the_step_before_or_after_matches_and_one_further_does_not() {
        let secret = b"12345678901234567890";
        let totp = totp(secret.to_vec(), "", "");
        let current = step_at(seconds_now());
        for (offset, matches) in [(-1i64, true), (1, true), (0, true), (-3, false), (3, false)] {
            let step = current.saturating_add_signed(offset);
            let code = TotpCode::parse(&totp.generate(step * STEP_SECONDS)).unwrap();
            assert_eq!(matching_step(secret, &code).is_some(), matches, "{offset}");
        }
    }
}
