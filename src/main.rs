//! The `kyc-portal` command: parse the command line, load settings, run.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kyc_portal::audit::Actor;
use kyc_portal::db::Db;
use kyc_portal::error::AppError;
use kyc_portal::kyc::offline_check::check_offline;
use kyc_portal::staff::{self, Password, StaffRole};
use kyc_portal::{Application, RunOptions, Settings, api_tokens, telemetry};

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
}

fn main() -> ExitCode {
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
    telemetry::init_logging();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("kyc-portal: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("kyc-portal: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kyc-portal: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
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
        Command::CreateApiToken { name } => {
            let db = Db::connect(settings.database_url()).await?;
            db.migrate().await?;
            let issued = api_tokens::create(&db, &name)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", issued.token);
        }
        Command::CreateAdmin { email } => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let password = Password::parse(line.trim_end_matches(['\r', '\n']))
                .map_err(|e| anyhow::anyhow!("password {}", problem_text(&e)))?;
            let db = Db::connect(settings.database_url()).await?;
            db.migrate().await?;
            staff::create(&db, &Actor::System, &email, &password, StaffRole::Admin)
                .await
                .map_err(|e| anyhow::anyhow!("{}", problem_text(&e)))?;
            eprintln!("administrator {email} created");
        }
        // Answered in `main` before settings are loaded.
        Command::CheckVat { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// An error's message with its field problems, for the terminal.
fn problem_text(error: &AppError) -> String {
    match error {
        AppError::Validation(errors) => errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
