//! The `kyc-portal` command: parse the command line, load settings, run.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kyc_portal::access::{SellerScope, TokenAccess};
use kyc_portal::api_tokens::NewToken;
use kyc_portal::audit::Actor;
use kyc_portal::db::{Db, Timestamp};
use kyc_portal::errors::Error;
use kyc_portal::kyc::offline_check::check_offline;
use kyc_portal::staff::{self, Password, StaffRole};
use kyc_portal::verification::signing::{self, ProfileSigner, PublicKey};
use kyc_portal::{Application, RunOptions, Settings, api_tokens, ops, reminders, telemetry};

/// Self-hosted buyer onboarding (KYC) portal.
#[derive(Parser)]
#[command(name = "kyc-portal", version)]
struct Cli {
    /// TOML file with settings (environment variables override it).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the portal and run the background jobs.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Make an API token for a seller system; prints the token alone.
    CreateApiToken {
        /// A name that says who uses the token.
        #[arg(long)]
        name: String,
        /// Bind the token to this seller: it sees and changes only that seller's resources.
        /// Without it, the token reaches every seller of the organisation.
        #[arg(long, value_name = "SELLER_ID")]
        seller: Option<String>,
        /// The token may only read (GET); every change is refused with 403.
        #[arg(long)]
        read_only: bool,
    },
    /// Make an administrator for the staff pages; the password is one line on stdin.
    CreateAdmin {
        /// The administrator's sign-in address.
        #[arg(long)]
        email: String,
    },
    /// Check a VAT number offline (format and check digits); exit 0 valid, 1 invalid.
    CheckVat {
        /// The number with its country prefix, e.g. DE136695976.
        number: String,
    },
    /// Check a KYC profile PDF against its signature offline; exit 0 valid, 1 invalid.
    VerifyProfile {
        /// The profile PDF.
        file: PathBuf,
        /// Its signature (`profile.sig`: base64, or the 64 raw bytes).
        signature: PathBuf,
        /// The portal's public key (PEM, or base64 of the raw key, as `GET /v1/signing-key`
        /// publishes it). Without it, the public half of this installation's signing key.
        #[arg(long, value_name = "PUBKEY")]
        key: Option<PathBuf>,
    },
    /// Back up the database, key files and documents into a new or empty folder while the
    /// portal serves; exit 1 if the live data has a blob that does not match its row.
    Backup {
        /// The folder for the backup (made when missing; must be empty).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Restore a backup into an empty data folder (and database), then verify what was
    /// restored; exit 1 on any mismatch.
    Restore {
        /// The backup's folder.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// Check a backup: every blob against the manifest, every document row against the blobs;
    /// exit 0 good, 1 on any mismatch.
    VerifyBackup {
        /// The backup's folder.
        dir: PathBuf,
    },
    /// The scheduled work (reminders, statuses that lapse with time).
    Reminders {
        #[command(subcommand)]
        action: RemindersCommand,
    },
    /// Print the effective settings and check the database, the document store, the SMTP
    /// server, the public URL and the key files; exit 0 only when every check passes.
    CheckConfig,
    /// Personal-data retention: erase buyers whose retention period has run out.
    Retention {
        #[command(subcommand)]
        action: RetentionCommand,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Run the erasure round once, now, and print each buyer it erased.
    Run {
        /// Run as if it were this time (RFC 3339), e.g. to see what a later run erases.
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
    },
}

#[derive(Subcommand)]
enum RemindersCommand {
    /// Run one scheduled round and exit: refresh the KYC statuses that lapsed and queue the
    /// reminders due (a serving instance's worker sends them). The round the portal runs
    /// every ten minutes, here at once.
    Run {
        /// Run the round as of this instant (RFC 3339, e.g. 2026-05-01T08:00:00Z) instead of
        /// now, to see what the schedule does on a given day.
        #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
        at: Option<Timestamp>,
    },
}

fn parse_instant(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(text)
        .ok_or_else(|| format!("{text:?} is not an RFC 3339 time like 2026-05-01T08:00:00Z"))
}

fn main() -> ExitCode {
    // Everything this process creates (the SQLite files, stored documents, the mail outbox
    // with its live links, key files) is for its own user alone, whatever umask it inherits.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    // Needs no settings, no database and no runtime.
    if let Command::CheckVat { number } = &cli.command {
        return match check_offline(number) {
            Ok(valid) => {
                println!("valid: {valid} ({})", valid.country_name());
                ExitCode::SUCCESS
            }
            Err(reason) => {
                println!("invalid: {reason}");
                ExitCode::from(1)
            }
        };
    }
    // Held until main returns: the last log lines are written then. The server gathers them
    // (one write for many requests); commands that run once write each as it comes.
    let logs = telemetry::init_logging(matches!(cli.command, Command::Serve));
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            logs.now();
            eprintln!("kyc-portal: {e}");
            return ExitCode::from(2);
        }
    };
    // Needs no database and no runtime either; only a key.
    if let Command::VerifyProfile {
        file,
        signature,
        key,
    } = &cli.command
    {
        return verify_profile(&settings, file, signature, key.as_deref());
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            logs.now();
            eprintln!("kyc-portal: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings, cli.config.as_deref())) {
        Ok(code) => code,
        Err(e) => {
            // What was logged before the failure comes before it.
            logs.now();
            eprintln!("kyc-portal: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    command: Command,
    settings: Settings,
    config: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            let app = Application::build(settings.clone(), RunOptions::default()).await?;
            tracing::info!(port = app.port(), public_url = %settings.public_url, "kyc-portal listening");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = Db::connect(settings.database_url()).await?;
            db.migrate().await?;
            eprintln!("database is up to date");
        }
        Command::CreateApiToken {
            name,
            seller,
            read_only,
        } => {
            let db = Db::connect(settings.database_url()).await?;
            db.migrate().await?;
            let new = NewToken {
                name: &name,
                scope: seller.map_or(SellerScope::Organisation, SellerScope::Seller),
                access: if read_only {
                    TokenAccess::ReadOnly
                } else {
                    TokenAccess::ReadWrite
                },
            };
            let issued = api_tokens::create_by(&db, &Actor::System, new)
                .await
                .map_err(|e| anyhow::anyhow!("{}", problem_text(&e)))?;
            println!("{}", issued.token);
        }
        Command::CreateAdmin { email } => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let password = Password::parse(line.trim_end_matches(['\r', '\n']))
                .map_err(|e| anyhow::anyhow!("{}", problem_text(&e)))?;
            let db = Db::connect(settings.database_url()).await?;
            db.migrate().await?;
            let hashing = staff::PasswordHashing::new(staff::HashingLimits::default());
            staff::create(
                &db,
                &hashing,
                &Actor::System,
                &email,
                &password,
                StaffRole::Admin,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", problem_text(&e)))?;
            eprintln!("administrator {email} created");
        }
        Command::Backup { to } => {
            let problems = ops::backup::run(&settings, &to).await?;
            if !problems.is_empty() {
                for problem in &problems {
                    eprintln!("MISMATCH: {problem}");
                }
                eprintln!(
                    "kyc-portal: the backup in {} is complete, but the live data above does not \
                     match its rows",
                    to.display()
                );
                return Ok(ExitCode::from(1));
            }
        }
        Command::Restore { from } => {
            let report = ops::restore::run(&settings, &from).await?;
            report.print();
            if !report.is_good() {
                eprintln!("kyc-portal: the restored data does not match the backup");
                return Ok(ExitCode::from(1));
            }
            println!("the restored data matches the backup; start the portal with `serve`");
        }
        Command::VerifyBackup { dir } => {
            let report = ops::verify::run(&dir).await?;
            report.print();
            if !report.is_good() {
                eprintln!(
                    "kyc-portal: the backup in {} does not match its manifest",
                    dir.display()
                );
                return Ok(ExitCode::from(1));
            }
            println!("the backup in {} is good", dir.display());
        }
        Command::Reminders {
            action: RemindersCommand::Run { at },
        } => {
            let db = Db::connect(settings.database_url()).await?;
            db.migrate().await?;
            let at = at.unwrap_or_else(kyc_portal::db::now);
            let round = reminders::run_round(&db, at)
                .await
                .map_err(|e| anyhow::anyhow!("{}", problem_text(&e)))?;
            println!(
                "round as of {}: {} KYC statuses lapsed, {} invitation reminders, {} document reminders and {} staff digests queued",
                at.rfc3339(),
                round.statuses_changed,
                round.invitation_reminders,
                round.document_reminders,
                round.digests
            );
        }
        Command::CheckConfig => {
            if !ops::check_config::run(&settings, config).await {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Retention {
            action: RetentionCommand::Run { at },
        } => {
            let at = match at.as_deref() {
                None => kyc_portal::db::now(),
                Some(text) => kyc_portal::db::Timestamp::parse_rfc3339(text)
                    .ok_or_else(|| anyhow::anyhow!("--at must be a time written RFC 3339"))?,
            };
            let erased = ops::retention::run(&settings, at).await?;
            ops::retention::print(&erased);
        }
        // Answered in `main` without a runtime.
        Command::CheckVat { .. } | Command::VerifyProfile { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `verify-profile`: 0 when the signature is the key's signature of the file's exact bytes,
/// 1 when it is not, 2 when the inputs cannot be read.
fn verify_profile(
    settings: &Settings,
    file: &Path,
    signature: &Path,
    key: Option<&Path>,
) -> ExitCode {
    let checked = (|| -> anyhow::Result<bool> {
        let pdf = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let signature =
            std::fs::read(signature).with_context(|| format!("reading {}", signature.display()))?;
        let signature = signing::parse_signature(&signature)
            .context("the signature is neither base64 of 64 bytes nor 64 raw bytes")?;
        let key = match key {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                PublicKey::parse(&text).map_err(anyhow::Error::msg)?
            }
            None => ProfileSigner::load(settings)?
                .context(
                    "this installation has no signing key yet; give the public key with --key",
                )?
                .public_key(),
        };
        Ok(key.verifies(&pdf, &signature))
    })();
    match checked {
        Ok(true) => {
            println!("valid: the signature matches {}", file.display());
            ExitCode::SUCCESS
        }
        Ok(false) => {
            println!("invalid: the signature does not match {}", file.display());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("kyc-portal: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// An error's message with its field problems, for the terminal.
fn problem_text(error: &Error) -> String {
    match error {
        Error::Invalid(errors) => errors
            .iter()
            .map(|e| format!("{} {}", e.field, e.rule.english()))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
