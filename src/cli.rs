//! The `tianguis` command line.

use crate::config::{Config, DEFAULT_DB};
use crate::domain::role::Role;
use crate::domain::time::parse_zone;
use crate::server;
use crate::service::audit::{self, Verification};
use crate::service::{Actor, demo, users};
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;

/// Tianguis: fair and equitable public procurement and supply.
#[derive(Debug, Parser)]
#[command(name = "tianguis", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Database selection shared by the commands that use one.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database: `sqlite://PATH` (default, created when missing) or `postgres://…`.
    #[arg(long, env = "TIANGUIS_DB", default_value = DEFAULT_DB)]
    pub db: String,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web platform.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Seed the demo institution and its simulated year (idempotent) and exit.
    Demo(DemoArgs),
    /// Fill a database with synthetic published tenders for load tests and benchmarks (never on
    /// a production database: the tenders are fictitious). Needs the demo institution.
    LoadData(LoadDataArgs),
    /// Audit-log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Account tools.
    #[command(subcommand)]
    Users(UsersCommand),
    /// OCDS toolkit: compile, validate, upgrade (no server needed), and import into the
    /// platform's database.
    Ocds(OcdsArgs),
    /// Red flags and market indicators on OCDS compiled releases (no server needed).
    Indicators(tianguis_indicators::cli::IndicatorsArgs),
    /// Load generators that print the figures of docs/benchmarks.md.
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
}

/// `ocds` arguments: the toolkit's commands plus `import`, which needs the database.
#[derive(Debug, Args)]
pub struct OcdsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: OcdsCommand,
}

/// `ocds` subcommands.
#[derive(Debug, Subcommand)]
pub enum OcdsCommand {
    /// The toolkit (no database).
    #[command(flatten)]
    Toolkit(tianguis_ocds::cli::OcdsCommand),
    /// Load other publishers' OCDS data (release or record packages, records, releases,
    /// compiled releases, JSON lines, gzip; 1.0 upgraded) as read-only external processes.
    /// Re-importing the same data changes nothing; a malformed unit is skipped whole and
    /// reported. Exit 1 when something was skipped.
    Import(ImportArgs),
}

/// `ocds import` options.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Files to import (`-` or none: standard input).
    pub files: Vec<String>,
}

/// `demo` options.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Tenders of the simulated year (seeded only on a database without tenders; 0: none).
    #[arg(long, default_value_t = crate::service::demo_year::DEMO_TENDERS)]
    pub tenders: usize,
}

/// `load-data` options.
#[derive(Debug, Clone, Args)]
pub struct LoadDataArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// How many tenders to add.
    #[arg(long, default_value_t = 100_000)]
    pub tenders: usize,
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "TIANGUIS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Seed the demo institution (buyer, ~250 suppliers, a user per role, catalogue) and, on
    /// an empty database, a simulated year of tenders.
    #[arg(long)]
    pub demo: bool,
    /// With `--demo`: how many tenders the simulated year has (0: none).
    #[arg(long, default_value_t = crate::service::demo_year::DEMO_TENDERS)]
    pub demo_tenders: usize,
    /// Time zone in which times are shown (IANA name).
    #[arg(long, env = "TIANGUIS_TIMEZONE", default_value = "America/Guatemala")]
    pub timezone: String,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "TIANGUIS_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Mark cookies Secure (when served over HTTPS).
    #[arg(long, env = "TIANGUIS_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Maximum database connections.
    #[arg(long, env = "TIANGUIS_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,
    /// Procurement rulebook: `gt` (Guatemala, default), `un` (UN-style) or a TOML file.
    #[arg(long, env = "TIANGUIS_RULEBOOK", default_value = "gt")]
    pub rulebook: String,
    /// This node's id when several nodes share a PostgreSQL database (default: from --bind).
    #[arg(long, env = "TIANGUIS_NODE_ID")]
    pub node_id: Option<String>,
    /// URL other nodes use to forward auction bids to this node (default: http://BIND).
    #[arg(long, env = "TIANGUIS_NODE_URL")]
    pub node_url: Option<String>,
    /// Seconds between the end of the evaluation and the start of its reverse auction, unless
    /// the buyer reschedules it.
    #[arg(long, env = "TIANGUIS_AUCTION_NOTICE", default_value_t = crate::service::auctions::DEFAULT_NOTICE_SECONDS)]
    pub auction_notice: i64,
    /// Prefix of new OCDS ocids (registered with the Open Contracting Partnership).
    #[arg(long, env = "TIANGUIS_OCID_PREFIX")]
    pub ocid_prefix: Option<String>,
    /// Public base URL of this installation, used in OCDS links (e.g. https://compras.example).
    #[arg(long, env = "TIANGUIS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Let webhooks target loopback and private network addresses (closed networks only).
    #[arg(long, env = "TIANGUIS_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; exit 1 naming the first broken event.
    Verify(DbArgs),
}

/// `users` subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account (e.g. the first administrator of a new installation). The password is
    /// read from the environment variable TIANGUIS_PASSWORD or, if unset, from standard input.
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Name shown to others.
        #[arg(long)]
        display_name: String,
        /// Role (repeat for several): administrator, buyer, evaluator, warehouse, analyst, observer.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Contact e-mail.
        #[arg(long)]
        email: Option<String>,
    },
}

fn config_for(db: &DbArgs) -> Config {
    Config {
        db_url: db.db.clone(),
        ..Config::default()
    }
}

/// `tianguis ocds import`: streams the files into the database with a progress counter on a
/// terminal, then prints the summary (and every skipped unit with its location) to stdout.
async fn import_ocds(args: ImportArgs) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let database = server::open_database(&config_for(&args.db)).await?;
    let inputs: Vec<tianguis_ocds::read::Input> = if args.files.is_empty() {
        vec![tianguis_ocds::read::Input::Stdin]
    } else {
        args.files
            .iter()
            .map(|f| tianguis_ocds::read::Input::from_arg(f))
            .collect()
    };
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{elapsed_precise} {pos} items ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let report = crate::service::imports::import(
        &database,
        inputs,
        tianguis_ocds::read::ReadOptions::default(),
        |n| bar.set_position(n),
    )
    .await?;
    bar.finish_and_clear();
    database.close().await;
    let seconds = started.elapsed().as_secs_f64();
    for s in &report.skipped {
        println!("skipped {}: {} [{}]", s.location, s.message, s.code);
    }
    for c in &report.conflicts {
        println!(
            "conflict {}: release {} of {} differs from the stored one, which is kept",
            c.location, c.release_id, c.ocid
        );
    }
    println!(
        "imported {} items in {seconds:.1} s: {} new releases, {} already present, {} in conflict, {} processes created or changed, {} upgraded from 1.0, {} units skipped",
        report.items,
        report.releases_new,
        report.releases_present,
        report.conflicts.len(),
        report.processes_changed,
        report.upgraded,
        report.skipped.len()
    );
    Ok(
        if report.skipped.is_empty() && report.conflicts.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> ExitCode {
    match execute(cli.command).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn execute(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        // The toolkits are synchronous and stream their own output; run them off the runtime.
        Command::Ocds(OcdsArgs {
            command: OcdsCommand::Import(args),
        }) => import_ocds(args).await,
        Command::Ocds(OcdsArgs {
            command: OcdsCommand::Toolkit(command),
        }) => Ok(tokio::task::spawn_blocking(move || {
            let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
            let args = tianguis_ocds::cli::OcdsArgs { command };
            let code = tianguis_ocds::cli::run(args, &mut stdout.lock(), &mut stderr.lock());
            ExitCode::from(code)
        })
        .await?),
        Command::Indicators(args) => Ok(tokio::task::spawn_blocking(move || {
            let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
            tianguis_indicators::cli::run(
                &args,
                Box::new(std::io::stdin()),
                &mut stdout.lock(),
                &mut stderr.lock(),
            )
        })
        .await?),
        Command::Serve(args) => {
            let timezone = parse_zone(&args.timezone)
                .ok_or_else(|| anyhow::anyhow!("unknown time zone {:?}", args.timezone))?;
            let config = Config {
                bind: args.bind,
                db_url: args.db.db,
                timezone,
                body_limit: args.body_limit,
                secure_cookies: args.secure_cookies,
                db_max_connections: args.db_max_connections,
                demo: args.demo,
                demo_tenders: args.demo_tenders,
                rulebook: args.rulebook,
                node_id: args.node_id,
                node_url: args.node_url,
                auction_notice_seconds: args.auction_notice,
                ocid_prefix: args.ocid_prefix,
                public_url: args.public_url,
                webhook_allow_private: args.webhook_allow_private,
                ..Config::default()
            };
            server::run(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(command) => {
            crate::bench::run(command).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate(db) => {
            let database = server::open_database(&config_for(&db)).await?;
            database.close().await;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            let config = config_for(&args.db);
            let database = server::open_database(&config).await?;
            let report = demo::seed(&database).await?;
            let rulebook = server::load_rulebook(&config.rulebook)?;
            let year = crate::service::demo_year::seed(
                &database,
                &rulebook,
                config.timezone,
                args.tenders,
            )
            .await?;
            database.close().await;
            println!(
                "demo seeded: {} buyers, {} suppliers, {} users, {} catalogue items created",
                report.buyers, report.suppliers, report.users, report.catalogue_items
            );
            println!(
                "demo year: {} plan lines, {} tenders, {} bids, {} auctions, {} awards, {} complaints, {} contracts ({} steps refused)",
                year.plan_lines,
                year.tenders,
                year.bids,
                year.auctions,
                year.awards,
                year.complaints,
                year.contracts,
                year.refused_steps
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::LoadData(args) => {
            let database = server::open_database(&config_for(&args.db)).await?;
            demo::seed(&database).await?;
            let bar = indicatif::ProgressBar::new(args.tenders as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} tenders ({per_sec})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let started = std::time::Instant::now();
            let written = crate::service::load_data::generate(&database, args.tenders, |n| {
                bar.set_position(n as u64)
            })
            .await?;
            bar.finish_and_clear();
            database.close().await;
            println!(
                "{written} synthetic tenders written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify(db)) => {
            let database = server::open_database(&config_for(&db)).await?;
            let result = audit::verify(&database).await?;
            database.close().await;
            match result {
                Verification::Intact { events, head_hash } => {
                    println!("audit log intact: {events} events, head {head_hash}");
                    Ok(ExitCode::SUCCESS)
                }
                Verification::Broken(broken) => {
                    println!("audit log BROKEN at event {}: {broken}", broken.seq());
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Users(UsersCommand::Create {
            db,
            username,
            display_name,
            roles,
            email,
        }) => {
            let password = match std::env::var("TIANGUIS_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut p = String::new();
                    std::io::stdin().read_to_string(&mut p)?;
                    p.trim_end_matches(['\n', '\r']).to_string()
                }
            };
            let database = server::open_database(&config_for(&db)).await?;
            let form = users::UserForm {
                username,
                display_name,
                email,
                roles,
                supplier_id: None,
            };
            let result = users::create(&database, &Actor::System("cli"), &form, &password).await;
            database.close().await;
            match result {
                Ok(user) => {
                    let roles: Vec<&str> = user.roles.iter().map(|r: &Role| r.code()).collect();
                    println!(
                        "created user {} ({}) with roles {}",
                        user.username,
                        user.id,
                        roles.join(", ")
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(crate::service::ServiceError::Validation(fields)) => {
                    for f in fields {
                        eprintln!("invalid {}: {}", f.field, f.code.as_str());
                    }
                    Ok(ExitCode::from(1))
                }
                Err(other) => Err(other.into()),
            }
        }
    }
}
