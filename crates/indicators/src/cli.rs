//! The `indicators` command: arguments and a testable entry point (readers and writers in,
//! exit code out), embedded by the platform binary as `tianguis indicators`.
//!
//! ```text
//! indicators [--settings FILE] [--format json|cardinal] [--csv] [--map] [--no-meta]
//!            [--lang es|en] [--reference-prices FILE.csv] [--market-csv FILE] FILE|-
//! ```
//!
//! Exit codes: 0 done (malformed lines are reported on standard error and in the report, and do
//! not stop the run), 1 the input could not be read, 2 bad settings, reference prices or
//! arguments. Errors are printed as `error[CODE]: message`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::explain::Lang;
use crate::input::BlockReader;
use crate::prices::ReferencePrices;
use crate::settings::Settings;
use crate::{Error, Options, analyze, cardinal, report};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Tianguis's report: flags with explanations, applicability, market indicators.
    #[default]
    Json,
    /// The OCP red-flag calculator's (Cardinal 0.0.8) exact JSON shape.
    Cardinal,
}

/// Arguments of the `indicators` command.
#[derive(Debug, Clone, clap::Args)]
pub struct IndicatorsArgs {
    /// OCDS compiled releases, one per line (gzip detected automatically), or `-` for standard
    /// input.
    pub file: PathBuf,
    /// Settings file (the red-flag calculator's INI format, plus Tianguis's sections). Without
    /// it, `--format json` enables every indicator with defaults and `--format cardinal`
    /// enables none, as the reference.
    #[arg(long, short)]
    pub settings: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Print the flags as CSV instead of JSON (`--format json` only).
    #[arg(long)]
    pub csv: bool,
    /// Include the reference's `Maps` (processes to organisations).
    #[arg(long)]
    pub map: bool,
    /// Omit the reference's `Meta` (quartiles and fences) in `--format cardinal`.
    #[arg(long)]
    pub no_meta: bool,
    /// Language of names and explanations.
    #[arg(long, value_enum, default_value_t = Lang::Es)]
    pub lang: Lang,
    /// Reference unit prices (CSV with `classification_id,unit_price[,currency][,description]`).
    #[arg(long)]
    pub reference_prices: Option<PathBuf>,
    /// Also write the market indicator rows as CSV to this file.
    #[arg(long)]
    pub market_csv: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

fn fail(stderr: &mut dyn Write, error: &Error) -> ExitCode {
    let _ = writeln!(stderr, "error[{}]: {error}", error.code());
    match error {
        Error::Input(_) => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

/// Runs the command. `stdin` is read when the file is `-`.
pub fn run(
    args: &IndicatorsArgs,
    stdin: Box<dyn Read + Send>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let settings = match &args.settings {
        Some(path) => match Settings::from_file(path) {
            Ok(s) => s,
            Err(e) => return fail(stderr, &e.into()),
        },
        None if args.format == Format::Json => Settings::all_indicators(),
        None => Settings::default(),
    };
    let reference_prices = match &args.reference_prices {
        Some(path) => match ReferencePrices::from_file(path) {
            Ok(r) => Some(r),
            Err(e) => return fail(stderr, &e.into()),
        },
        None => None,
    };
    let reader = if args.file.as_os_str() == "-" {
        BlockReader::new(stdin, "-")
    } else {
        BlockReader::open(&args.file)
    };
    let reader = match reader {
        Ok(r) => r,
        Err(e) => return fail(stderr, &e.into()),
    };
    let options = Options {
        full_report: args.format == Format::Json,
        map: args.map,
        threads: args.threads,
        reference_prices,
    };
    let bar = (!args.no_progress && std::io::stderr().is_terminal()).then(|| {
        let length = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
        let bar = if length > 0 && !reader.is_gzip() {
            indicatif::ProgressBar::new(length)
        } else {
            indicatif::ProgressBar::new_spinner()
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let tick = |bytes: u64| {
        if let Some(bar) = &bar {
            bar.inc(bytes);
        }
    };
    let analysis = analyze(reader, &settings, &options, Some(&tick));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut analysis = match analysis {
        Ok(a) => a,
        Err(e) => return fail(stderr, &e),
    };
    const SHOWN: usize = 20;
    for (line, code, message) in analysis.outcome.issues.iter().take(SHOWN) {
        let _ = writeln!(stderr, "warning[{code}]: line {line}: {message}");
    }
    if analysis.outcome.issues.len() > SHOWN {
        let _ = writeln!(
            stderr,
            "warning: {} more malformed lines (listed in the report)",
            analysis.outcome.issues.len() - SHOWN
        );
    }
    let written = match args.format {
        Format::Cardinal => cardinal::write(&analysis.outcome, args.no_meta, args.map, stdout),
        Format::Json => {
            let explainer = crate::explain::Explainer::new(args.lang);
            let market = analysis.market.take();
            let head =
                report::build_head(&analysis.settings, &analysis.outcome, market, &explainer);
            if let (Some(path), Some(market)) = (&args.market_csv, &head.market) {
                let written = std::fs::File::create(path)
                    .map(std::io::BufWriter::new)
                    .and_then(|mut file| {
                        report::write_market_csv(market, &mut file)?;
                        file.flush()
                    });
                if let Err(source) = written {
                    let error = Error::Input(crate::InputError::Io {
                        path: path.display().to_string(),
                        source,
                    });
                    return fail(stderr, &error);
                }
            }
            if args.csv {
                let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *stdout);
                report::write_flags_csv(&head, &analysis.outcome, &explainer, &mut buffered)
                    .and_then(|()| buffered.flush())
            } else {
                let maps = args
                    .map
                    .then(|| cardinal::to_value(&analysis.outcome, true, true)["Maps"].take());
                report::write_json(&head, &analysis.outcome, &explainer, maps, stdout)
            }
        }
    };
    // Freeing hundreds of thousands of small allocations one by one takes longer than the
    // process's exit, which returns the memory at once.
    std::mem::forget(analysis);
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(stderr, "error[output.io]: {e}");
            ExitCode::from(1)
        }
    }
}
