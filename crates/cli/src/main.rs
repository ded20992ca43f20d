//! `together`: runs the server and the operator's tasks.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;
use together_app::clock::SystemClock;
use together_app::identity::NewUserInput;
use together_app::profiles::ProfileSource;
use together_app::{App, Settings};
use together_domain::calendar::Calendar;
use together_domain::profile::Profile;

#[derive(Parser)]
#[command(
    name = "together",
    version,
    about = "Together: working together to safeguard children"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Db {
    /// A SQLite file path, or a postgres:// URL.
    #[arg(long, default_value = "./together.db", env = "TOGETHER_DATABASE")]
    database: String,
}

#[derive(Args, Clone)]
struct Partnership {
    /// The partnership profile in force (national, set, northamptonshire, hips, liverpool).
    #[arg(long, default_value = "national", env = "TOGETHER_PARTNERSHIP")]
    partnership: String,
    /// Read profiles from this directory instead of the copies built in.
    #[arg(long, env = "TOGETHER_PROFILES")]
    profiles: Option<std::path::PathBuf>,
}

impl Partnership {
    fn load(&self) -> Result<Profile, String> {
        ProfileSource {
            dir: self.profiles.clone(),
        }
        .load(&self.partnership)
        .map_err(|e| e.to_string())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        partnership: Partnership,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the demo partnership, users and synthetic children (once per database).
        #[arg(long)]
        demo: bool,
        /// The address users reach Together at; https:// turns on HSTS.
        #[arg(long)]
        public_url: Option<String>,
        /// Serve `/metrics` to a Prometheus scraper that sends this bearer token. Without
        /// it `/metrics` is not served. Prefer the environment variable to the flag (a
        /// flag shows in the process list).
        #[arg(long, env = "TOGETHER_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// How old (seconds) the dashboards' figures may be when records have changed
        /// since: they are worked out from every record of the year, so a busy server
        /// works them out at most this often. 0: afresh after every change.
        #[arg(long, default_value_t = 60)]
        figures_max_age: u64,
        /// The address of a reverse proxy in front (repeat for several): from it, the
        /// last address in `X-Forwarded-For` is taken as the client's, for the sign-in
        /// throttle (by account and address). From anywhere else the header is ignored.
        #[arg(
            long = "trusted-proxy",
            env = "TOGETHER_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Working days and bank holidays in England and Wales.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// The statutory and local timescales.
    Timescale {
        #[command(subcommand)]
        command: TimescaleCommand,
    },
    /// Check the record's integrity.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Rebuild every projection (referrals, cases, every process: their rows, subjects,
    /// work and due dates) from the hash-chained logs, e.g. after a bank holiday is
    /// proclaimed. Appends nothing. Stop the servers first.
    Reproject {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        partnership: Partnership,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a child's record to a file in the documented JSON format
    /// `together-child-record/1` (docs/record-exchange.md), for a child who moved to a
    /// local authority on another deployment. Logged as the named user's access.
    ExportChild {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        partnership: Partnership,
        /// The children's social care user exporting it.
        #[arg(long = "as")]
        as_user: String,
        /// The child's record id.
        #[arg(long)]
        child: String,
        /// The file to write.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Generate a synthetic partnership: children who travel the real pathways, made by
    /// the application's own commands with the clock at each step's moment.
    Generate {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        partnership: Partnership,
        /// How many children become known.
        #[arg(long, default_value_t = 1000)]
        children: usize,
        /// Years of history, ending today.
        #[arg(long, default_value_t = 3)]
        years: u32,
        /// Random seed: the same seed gives the same partnership.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The last day of history (default today).
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
        /// Children's stories told side by side (the same seed gives the same children
        /// whatever the number).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: u16,
    },
    /// Print the timeliness and effectiveness figures for a collection year as CSV
    /// (small numbers suppressed), as a partnership manager sees them.
    Figures {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        partnership: Partnership,
        /// The collection year, e.g. 2025-26.
        #[arg(long)]
        year: String,
        /// The partnership manager or practice supervisor asking (default: the first
        /// active partnership manager).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Write the Children in Need census for a collection year (1 April to 31 March)
    /// in the DfE's XML layout. Children with a missing code are withheld and listed.
    Census {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        partnership: Partnership,
        /// The collection year, e.g. 2025-26.
        #[arg(long)]
        year: String,
        /// The partnership manager making the return (default: the first active one).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// The local authority's DfE code (default: the profile's).
        #[arg(long)]
        la: Option<String>,
        /// The file to write.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Read a child's record exported by another deployment: a new record here, with
    /// the sending record's history attached.
    ImportChild {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        partnership: Partnership,
        #[arg(long = "as")]
        as_user: String,
        file: std::path::PathBuf,
    },
    /// Issue API tokens for partner agencies' systems.
    ApiClient {
        #[command(subcommand)]
        command: ApiClientCommand,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// One line per bank holiday: YYYY-MM-DD name.
    Holidays {
        year: i32,
        /// Include proclamations an administrator added to this database.
        #[arg(long)]
        database: Option<String>,
    },
    /// The date N working days after DATE (day 0 is DATE if a working day, else the next).
    AddWorkingDays {
        date: String,
        n: u32,
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Subcommand)]
enum TimescaleCommand {
    /// Every rule in force with its citation.
    List {
        #[command(flatten)]
        partnership: Partnership,
        #[arg(long)]
        json: bool,
    },
    /// The due date (or date-time, for hour rules) of RULE started at --from.
    Due {
        rule: String,
        /// YYYY-MM-DD or YYYY-MM-DDTHH:MM
        #[arg(long)]
        from: String,
        #[command(flatten)]
        partnership: Partnership,
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every child's log and the administration log; exit non-zero naming the
    /// first entry that does not match.
    Verify {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; prints a temporary password once (changed at the first sign-in).
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// A role id, e.g. social-worker, system-administrator.
        #[arg(long)]
        role: String,
        /// The agency's id (see `together user agencies`).
        #[arg(long)]
        agency: String,
    },
    /// List agencies with their ids.
    Agencies {
        #[command(flatten)]
        db: Db,
    },
    /// Give a user a temporary password, printed once: it must be changed at the first
    /// sign-in; their sessions end; the administration log records it.
    ResetPassword {
        #[command(flatten)]
        db: Db,
        username: String,
    },
}

#[derive(Subcommand)]
enum ApiClientCommand {
    /// Issue a token for an agency's system; printed once.
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        name: String,
    },
    /// List agency systems' API clients: id, agency, name, whether active.
    List {
        #[command(flatten)]
        db: Db,
    },
    /// Revoke an API client's token: refused from its next request. Logged in the
    /// administration log.
    Revoke {
        #[command(flatten)]
        db: Db,
        /// The client's id (see `together api-client list`).
        id: String,
    },
}

/// Print a line to stdout; a closed pipe (`together ... | head`) ends the program quietly.
fn emit(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").is_err() {
        std::process::exit(0);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("together: {e}");
            ExitCode::from(2)
        }
    }
}

fn init_logging() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // The database clients log query parameters (names, dates of birth) at debug: never
    // let an operator's RUST_LOG=debug put personal data in the log.
    let filter = ["tokio_postgres=info", "postgres=info", "rusqlite=info"]
        .into_iter()
        .fold(filter, |f, d| {
            f.add_directive(d.parse().expect("valid directive"))
        });
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The named user, acting from the command line (their decisions are logged as theirs).
fn cli_caller(app: &App, username: &str) -> Result<together_app::Caller, String> {
    let u = app
        .store
        .user_by_username(username)
        .map_err(|e| e.to_string())?
        .filter(|u| u.active)
        .ok_or_else(|| format!("no active user {username}"))?;
    app.caller_for(&u, "cli").map_err(|e| e.to_string())
}

/// The named user, or the first active partnership manager.
fn manager_username(app: &App, as_user: Option<String>) -> Result<String, String> {
    match as_user {
        Some(u) => Ok(u),
        None => app
            .store
            .users()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|u| u.active && u.role == "partnership-manager")
            .map(|u| u.username)
            .ok_or_else(|| "no active partnership manager: give --as USERNAME".to_string()),
    }
}

fn open_app(db: &str, partnership: &Partnership) -> Result<App, String> {
    let profile = partnership.load()?;
    let store = together_store::open(db).map_err(|e| format!("cannot open the database: {e}"))?;
    App::new(store, profile, Arc::new(SystemClock), Settings::default()).map_err(|e| e.to_string())
}

fn calendar_with(database: &Option<String>, partnership: &Partnership) -> Result<Calendar, String> {
    match database {
        Some(db) => Ok(open_app(db, partnership)?.calendar()),
        None => Ok(partnership.load()?.calendar(Calendar::england_and_wales())),
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve {
            db,
            partnership,
            listen,
            demo,
            public_url,
            figures_max_age,
            metrics_token,
            trusted_proxies,
        } => {
            init_logging();
            let mut app = open_app(&db.database, &partnership)?;
            app.settings.figures_max_age = std::time::Duration::from_secs(figures_max_age);
            let app = Arc::new(app);
            if demo {
                match together_app::demo::seed(&app).map_err(|e| format!("demo data: {e}"))? {
                    Some(seed) => {
                        println!("Demo partnership loaded. These passwords are shown once; they differ on every install.");
                        for l in &seed.logins {
                            println!("demo login: role={} username={} password={}", l.role.id(), l.username, l.password);
                        }
                        println!("demo api token: agency=Demo Constabulary token={}", seed.api_token);
                    }
                    None => println!("Demo data is already in this database; its passwords were shown when it was created."),
                }
            }
            let https = public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"));
            let state = together_web::AppState {
                app,
                metrics: Arc::new(together_web::Metrics::default()),
                https,
                metrics_token: metrics_token.filter(|t| !t.trim().is_empty()),
                trusted_proxies,
            };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
                let addr = listener.local_addr().map_err(|e| e.to_string())?;
                println!("listening on http://{addr}");
                tracing::info!(%addr, backend = state.app.store.backend(), profile = %state.app.profile.version_tag(), "listening");
                together_web::serve(state, listener).await.map_err(|e| e.to_string())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { db } => {
            together_store::open(&db.database).map_err(|e| e.to_string())?;
            emit("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar { command } => {
            let default = Partnership {
                partnership: "national".into(),
                profiles: None,
            };
            match command {
                CalendarCommand::Holidays { year, database } => {
                    if !(1990..=2100).contains(&year) {
                        return Err(format!("year {year} is outside 1990 to 2100"));
                    }
                    for (d, name) in calendar_with(&database, &default)?.bank_holidays(year) {
                        emit(&format!("{} {name}", d.format("%Y-%m-%d")));
                    }
                }
                CalendarCommand::AddWorkingDays { date, n, database } => {
                    let d = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                        .map_err(|_| format!("{date} is not a real date (YYYY-MM-DD)"))?;
                    emit(&format!(
                        "{}",
                        calendar_with(&database, &default)?
                            .add_working_days(d, n)
                            .format("%Y-%m-%d")
                    ));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Timescale { command } => {
            match command {
                TimescaleCommand::List { partnership, json } => {
                    let p = partnership.load()?;
                    if json {
                        emit(
                            &serde_json::to_string_pretty(
                                &serde_json::json!({ "profile": p.version_tag(), "rules": p.rules }),
                            )
                            .map_err(|e| e.to_string())?,
                        );
                    } else {
                        for r in &p.rules {
                            emit(&format!(
                                "{:<34} {:<18} {:<6} from {:<30} {}{}",
                                r.id,
                                r.period().to_string(),
                                format!("{:?}", r.strength).to_lowercase(),
                                r.start_event,
                                r.citation,
                                match r.origin() {
                                    "national" => String::new(),
                                    o => format!(" [{o}]"),
                                }
                            ));
                        }
                    }
                }
                TimescaleCommand::Due {
                    rule,
                    from,
                    partnership,
                    database,
                } => {
                    let p = partnership.load()?;
                    let r = p.rule(&rule).ok_or_else(|| {
                        format!(
                            "no timescale \"{rule}\" in {}; see `together timescale list`",
                            p.version_tag()
                        )
                    })?;
                    let start = together_domain::timescale::parse_start(&from)?;
                    let cal = calendar_with(&database, &partnership)?;
                    emit(&format!("{}", r.due(start, &cal)));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => {
            let store = together_store::open(&db.database).map_err(|e| e.to_string())?;
            let children = match together_store::audit::verify_all(store.as_ref()) {
                Ok(r) => r,
                Err(e) => {
                    emit(&format!("FAILED: {e}"));
                    return Ok(ExitCode::from(1));
                }
            };
            match together_store::audit::verify_admin_log(store.as_ref()) {
                Ok(n) => {
                    emit(&format!(
                        "ok: {} logs, {} events verified; administration log: {n} entries verified",
                        children.logs, children.events
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    emit(&format!("FAILED: {e}"));
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Reproject { db, partnership } => {
            let app = open_app(&db.database, &partnership)?;
            let done = app.reproject_all().map_err(|e| e.to_string())?;
            emit(&format!(
                "rebuilt: {} referrals, {} cases, {} other processes",
                done.referrals, done.cases, done.processes
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            db,
            partnership,
            children,
            years,
            seed,
            until,
            jobs,
        } => {
            let profile = partnership.load()?;
            let store = together_store::open(&db.database)
                .map_err(|e| format!("cannot open the database: {e}"))?;
            let until = until.unwrap_or_else(|| {
                together_app::record::to_london(chrono::Utc::now()).date_naive()
            });
            let la_code = profile.la_code.clone().unwrap_or_else(|| "881".into());
            let opts = together_app::generate::Options {
                children,
                years,
                seed,
                until,
                la_code,
                jobs: jobs.into(),
            };
            let started = std::time::Instant::now();
            let report = together_app::generate::generate(store, profile, &opts, |n, r| {
                if n % 1000 == 0 {
                    eprintln!(
                        "{n} children, {} referrals, {:.0?}",
                        r.referrals,
                        started.elapsed()
                    );
                }
            })
            .map_err(|e| e.to_string())?;
            emit(&format!(
                "generated {} children over {} years to {until}: {} referrals ({} re-referrals), {} cases, {} assessments, {} child in need plans, {} section 47 enquiries, {} initial conferences, {} child protection plans in {:.1?}",
                report.children,
                years,
                report.referrals,
                report.re_referrals,
                report.cases,
                report.assessments,
                report.cin_plans,
                report.enquiries,
                report.conferences,
                report.cp_plans,
                started.elapsed()
            ));
            for r in report.refused.iter().take(20) {
                emit(&format!("refused: {r}"));
            }
            Ok(if report.refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Figures {
            db,
            partnership,
            year,
            as_user,
        } => {
            let year = together_returns::census::CollectionYear::parse(&year)?;
            let app = open_app(&db.database, &partnership)?;
            let caller = cli_caller(&app, &manager_username(&app, as_user)?)?;
            let f = app
                .figures(&caller, year, None)
                .map_err(|e| e.to_string())?;
            for t in &f.tables {
                emit(&format!("# {} ({})", t.title, year.label()));
                print!("{}", t.csv());
                emit("");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Census {
            db,
            partnership,
            year,
            as_user,
            la,
            output,
        } => {
            let year = together_returns::census::CollectionYear::parse(&year)?;
            let app = open_app(&db.database, &partnership)?;
            let caller = cli_caller(&app, &manager_username(&app, as_user)?)?;
            let (r, xml) = app
                .census_xml(&caller, year, la.as_deref())
                .map_err(|e| e.to_string())?;
            std::fs::write(&output, xml)
                .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
            let withheld = r.withheld();
            emit(&format!(
                "CIN census {}: {} children written to {} ({} withheld)",
                year.label(),
                r.children.len(),
                output.display(),
                withheld.len()
            ));
            for p in &r.problems {
                emit(&format!(
                    "{} {}: {} ({})",
                    if p.blocks { "withheld" } else { "query" },
                    together_returns::census::la_child_id(p.child),
                    p.message,
                    p.fix.href()
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ExportChild {
            db,
            partnership,
            as_user,
            child,
            output,
        } => {
            let app = open_app(&db.database, &partnership)?;
            let caller = cli_caller(&app, &as_user)?;
            let child = child
                .parse()
                .map_err(|_| "--child is not a record id".to_string())?;
            let record = app
                .export_child(&caller, child)
                .map_err(|e| e.to_string())?;
            let json = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
            std::fs::write(&output, json)
                .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
            emit(&format!(
                "exported {} entries to {}",
                record.entries.len(),
                output.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportChild {
            db,
            partnership,
            as_user,
            file,
        } => {
            let app = open_app(&db.database, &partnership)?;
            let caller = cli_caller(&app, &as_user)?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let record: together_app::exchange::ExportedRecord = serde_json::from_str(&text)
                .map_err(|e| {
                    format!(
                        "{}: not a together-child-record/1 file: {e}",
                        file.display()
                    )
                })?;
            let child = app
                .import_child(&caller, &record)
                .map_err(|e| e.to_string())?;
            emit(&format!("imported as record {child}"));
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command } => {
            let national = Partnership {
                partnership: "national".into(),
                profiles: None,
            };
            match command {
                UserCommand::Add {
                    db,
                    username,
                    name,
                    role,
                    agency,
                } => {
                    let app = open_app(&db.database, &national)?;
                    let input = NewUserInput {
                        username,
                        display_name: name,
                        role,
                        agency,
                        team: String::new(),
                    };
                    let (u, password) = app.create_user(None, &input).map_err(|e| e.to_string())?;
                    emit(&format!(
                        "user {} ({}) added; password (shown once): {password}",
                        u.username, u.role
                    ));
                }
                UserCommand::Agencies { db } => {
                    let app = open_app(&db.database, &national)?;
                    for a in app.store.agencies().map_err(|e| e.to_string())? {
                        emit(&format!("{} {:<22} {}", a.id, a.kind, a.name));
                    }
                }
                UserCommand::ResetPassword { db, username } => {
                    let app = open_app(&db.database, &national)?;
                    let u = app
                        .store
                        .user_by_username(&username)
                        .map_err(|e| e.to_string())?
                        .ok_or("no such user")?;
                    let password = app.reset_password(None, u.id).map_err(|e| e.to_string())?;
                    emit(&format!(
                        "temporary password for {} (shown once; it must be changed at the first sign-in): {password}",
                        u.username
                    ));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ApiClient {
            command: ApiClientCommand::Add { db, agency, name },
        } => {
            let app = open_app(
                &db.database,
                &Partnership {
                    partnership: "national".into(),
                    profiles: None,
                },
            )?;
            let agency = agency
                .parse()
                .map_err(|_| "agency must be an agency id (see `together user agencies`)")?;
            let (c, token) = app
                .create_api_client(None, agency, &name)
                .map_err(|e| e.to_string())?;
            emit(&format!(
                "api client {} added; token (shown once): {token}",
                c.name
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::ApiClient {
            command: ApiClientCommand::List { db },
        } => {
            let store = together_store::open(&db.database).map_err(|e| e.to_string())?;
            for c in store.api_clients().map_err(|e| e.to_string())? {
                emit(&format!(
                    "{}\t{}\t{}\t{}",
                    c.id,
                    c.agency,
                    c.name,
                    if c.active { "active" } else { "revoked" }
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ApiClient {
            command: ApiClientCommand::Revoke { db, id },
        } => {
            let app = open_app(
                &db.database,
                &Partnership {
                    partnership: "national".into(),
                    profiles: None,
                },
            )?;
            let id = id
                .parse()
                .map_err(|_| "give the client's id (see `together api-client list`)")?;
            let c = app.revoke_api_client(None, id).map_err(|e| e.to_string())?;
            emit(&format!("api client {} revoked", c.name));
            Ok(ExitCode::SUCCESS)
        }
    }
}
