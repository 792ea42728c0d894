//! Argon2id for staff passwords, as a bounded resource. Each hash costs 19 MiB and tens of
//! milliseconds of a core, so an unbounded number of sign-ins at once would take the server's
//! memory and the threads that answer everything else. Every hash runs on the blocking pool,
//! at most `slots` at once (about the number of cores); a check that finds no free slot within
//! `wait` is refused as "busy" (503 with `Retry-After`), and each sign-in attempt costs exactly
//! one Argon2 computation whether or not its address exists, so timing tells nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::errors::{Error, Unavailability};

/// A hash of a random password nobody knows, with the same parameters as real ones: what an
/// attempt for an unknown address is checked against, so it costs what a known one costs.
const NOBODYS_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$WycDpSt/lyJdY3pabiKngw$7/Ht1iWzZ0iWToUWy9Dw3teJ2Pt9WMGCnQczpfSFjag";

/// Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane).
fn argon2() -> Result<Argon2<'static>, Error> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| Error::Internal(anyhow::anyhow!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// How many password hashes may run at once, and how long a check waits for its turn.
#[derive(Debug, Clone, Copy)]
pub struct HashingLimits {
    /// Hashes at once.
    pub slots: usize,
    /// Longest wait for a slot before the check is refused as busy.
    pub wait: Duration,
}

impl Default for HashingLimits {
    /// One slot per core (at least two), and a wait long enough for a short queue of real
    /// people but short enough that requests do not pile up behind an attack.
    fn default() -> HashingLimits {
        HashingLimits {
            slots: std::thread::available_parallelism().map_or(2, |n| n.get().max(2)),
            wait: Duration::from_secs(2),
        }
    }
}

/// The bounded password hasher every instance shares between its requests.
#[derive(Clone)]
pub struct PasswordHashing {
    inner: Arc<Inner>,
}

struct Inner {
    slots: Semaphore,
    wait: Duration,
    computed: AtomicU64,
    busy: AtomicU64,
    running: AtomicUsize,
    peak: AtomicUsize,
}

impl PasswordHashing {
    /// A hasher with these limits.
    pub fn new(limits: HashingLimits) -> PasswordHashing {
        PasswordHashing {
            inner: Arc::new(Inner {
                slots: Semaphore::new(limits.slots.max(1)),
                wait: limits.wait,
                computed: AtomicU64::new(0),
                busy: AtomicU64::new(0),
                running: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
            }),
        }
    }

    /// Argon2 computations made so far (hashes and verifications).
    pub fn computed(&self) -> u64 {
        self.inner.computed.load(Ordering::Relaxed)
    }

    /// Checks refused because every slot stayed taken.
    pub fn refused_busy(&self) -> u64 {
        self.inner.busy.load(Ordering::Relaxed)
    }

    /// The most computations that ever ran at once.
    pub fn peak(&self) -> usize {
        self.inner.peak.load(Ordering::Relaxed)
    }

    /// The counters in Prometheus text.
    pub fn render_metrics(&self) -> String {
        format!(
            "# HELP kyc_portal_password_hashes_total Argon2 computations (sign-in checks and new passwords).\n\
             # TYPE kyc_portal_password_hashes_total counter\n\
             kyc_portal_password_hashes_total {}\n\
             # HELP kyc_portal_password_checks_busy_total Password checks refused because every hashing slot stayed taken.\n\
             # TYPE kyc_portal_password_checks_busy_total counter\n\
             kyc_portal_password_checks_busy_total {}\n",
            self.computed(),
            self.refused_busy()
        )
    }

    /// Runs one Argon2 computation in a slot on the blocking pool.
    async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(Argon2<'static>) -> Result<T, Error> + Send + 'static,
    {
        let inner = &self.inner;
        let permit = match tokio::time::timeout(inner.wait, inner.slots.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) | Err(_) => {
                inner.busy.fetch_add(1, Ordering::Relaxed);
                return Err(Error::Unavailable {
                    what: Unavailability::PasswordChecksBusy,
                    retry_after: 2,
                });
            }
        };
        let running = inner.running.fetch_add(1, Ordering::SeqCst) + 1;
        inner.peak.fetch_max(running, Ordering::SeqCst);
        inner.computed.fetch_add(1, Ordering::Relaxed);
        let hasher = argon2()?;
        let result = tokio::task::spawn_blocking(move || work(hasher)).await;
        inner.running.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        result.map_err(|e| Error::Internal(anyhow::anyhow!("password hashing: {e}")))?
    }

    /// A new hash of `password` (PHC string with its own salt).
    pub async fn hash(&self, password: &str) -> Result<String, Error> {
        let password = password.to_owned();
        self.run(move |argon2| {
            let salt = SaltString::generate(&mut OsRng);
            argon2
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))
        })
        .await
    }

    /// Whether `password` matches `stored`; with no stored hash (an unknown address) it is
    /// checked against a hash nobody's password matches, at the same cost.
    pub async fn verify(&self, stored: Option<String>, password: &str) -> Result<bool, Error> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| NOBODYS_HASH.to_owned());
        let password = password.to_owned();
        let matches = self
            .run(move |argon2| {
                let parsed = PasswordHash::new(&stored)
                    .map_err(|e| Error::Internal(anyhow::anyhow!("stored password hash: {e}")))?;
                Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hashing = PasswordHashing::new(HashingLimits::default());
        let hash = hashing.hash("correct horse battery").await.unwrap();
        assert!(
            hashing
                .verify(Some(hash.clone()), "correct horse battery")
                .await
                .unwrap()
        );
        assert!(
            !hashing
                .verify(Some(hash), "wrong horse battery")
                .await
                .unwrap()
        );
        assert_eq!(hashing.computed(), 3);
    }

    #[tokio::test]
    async fn an_unknown_address_costs_one_computation_and_never_matches() {
        let hashing = PasswordHashing::new(HashingLimits::default());
        assert!(!hashing.verify(None, "a password nobody has").await.unwrap());
        assert_eq!(hashing.computed(), 1);
    }

    #[tokio::test]
    async fn nobodys_hash_has_the_parameters_of_real_ones() {
        let parsed = PasswordHash::new(NOBODYS_HASH).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19 * 1024, 2, 1)
        );
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_than_the_slots_run_at_once_and_the_rest_are_refused_as_busy() {
        let hashing = PasswordHashing::new(HashingLimits {
            slots: 2,
            wait: Duration::ZERO,
        });
        let checks: Vec<_> = (0..8)
            .map(|_| {
                let hashing = hashing.clone();
                tokio::spawn(async move { hashing.verify(None, "guess").await })
            })
            .collect();
        let mut busy = 0;
        for check in checks {
            match check.await.unwrap() {
                Ok(matched) => assert!(!matched),
                Err(Error::Unavailable { retry_after, .. }) => {
                    assert!(retry_after > 0);
                    busy += 1;
                }
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert!(hashing.peak() <= 2, "peak {}", hashing.peak());
        assert!(
            busy > 0,
            "eight checks at once found two slots free every time"
        );
        assert_eq!(hashing.refused_busy(), busy);
    }
}
