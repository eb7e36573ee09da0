//! The `ocds` command line: `compile`, `validate`, `upgrade`.
//!
//! Why a library module: the `tianguis` binary embeds these commands as `tianguis ocds …`
//! (issue 5, "Toolkit"), and tests drive them without spawning processes. [`run`] takes the
//! output writers and returns the exit code; `-` (or no file) means standard input.
//!
//! Exit codes: 0 = everything was read and is valid; 1 = some input was skipped or is invalid
//! (the rest was processed and written); 2 = the command could not run (I/O error on output,
//! unusable option).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::compile::{CompileOptions, compile_to};
use crate::merge::Mode;
use crate::read::{Input, ReadOptions};
use crate::upgrade::upgrade_10_11;
use crate::validate::{Validator, validate};

/// `ocds` arguments.
#[derive(Debug, Args)]
pub struct OcdsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: OcdsCommand,
}

/// The toolkit's subcommands.
#[derive(Debug, Subcommand)]
pub enum OcdsCommand {
    /// Merge releases into one compiled (or versioned) release per ocid, as JSON lines sorted
    /// by ocid. Reads release packages, record packages, records, releases, JSON lines, arrays,
    /// gzip; upgrades OCDS 1.0 first.
    Compile(CompileArgs),
    /// Check releases, records and packages against the OCDS 1.1.5 schema patched with the bid,
    /// lots and medicines extensions, and against its codelists.
    Validate(ValidateArgs),
    /// Upgrade OCDS 1.0 packages, records and releases to 1.1 (one JSON value per output line).
    Upgrade(UpgradeArgs),
}

/// `ocds compile` arguments.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Input files (`-` for standard input; none means standard input).
    pub files: Vec<String>,
    /// Print versioned releases instead of compiled releases.
    #[arg(long)]
    pub versioned: bool,
    /// MiB of release text held in memory before sorted runs are spilled to disk.
    #[arg(long, default_value_t = 512, value_name = "MIB")]
    pub memory_budget: usize,
    /// Directory for spilled runs (default: the system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub spill_dir: Option<PathBuf>,
    /// Budget in bytes instead of MiB (for tests of the spilling path).
    #[arg(long, hide = true)]
    pub memory_budget_bytes: Option<usize>,
}

/// `ocds validate` arguments.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Input files (`-` for standard input; none means standard input).
    pub files: Vec<String>,
    /// Do not print open-codelist warnings (they are still counted).
    #[arg(long)]
    pub no_warnings: bool,
}

/// `ocds upgrade` arguments.
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Input files (`-` for standard input; none means standard input).
    pub files: Vec<String>,
}

fn inputs(files: &[String]) -> Vec<Input> {
    if files.is_empty() {
        vec![Input::Stdin]
    } else {
        files.iter().map(|f| Input::from_arg(f)).collect()
    }
}

/// Run one `ocds` command, writing results to `stdout` and reports to `stderr`; returns the
/// process exit code (see module docs).
pub fn run(args: OcdsArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    match args.command {
        OcdsCommand::Compile(args) => run_compile(args, stdout, stderr),
        OcdsCommand::Validate(args) => run_validate(args, stdout, stderr),
        OcdsCommand::Upgrade(args) => run_upgrade(args, stdout, stderr),
    }
}

/// Tells glibc's allocator to keep the memory a compile frees for the next batch. By default
/// it hands the free top of a heap back to the kernel once 128 KiB are free and serves blocks
/// from 128 KiB upwards with fresh mappings; a compile frees each batch's outputs (megabytes)
/// and takes as much again for the next batch, so the kernel zeroed and faulted the same pages
/// in again for every batch. Measured on the 200 MB benchmark input (7 alternated runs): page
/// faults 13,500 → 11,400 and the median wall time 9 % lower; peak memory +4 MiB. Process-wide,
/// so only the `compile` command (its own process) calls it; elsewhere it does nothing.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes allocator parameters, which glibc reads under its own
    // locks; the values are within the documented ranges (the mmap threshold's maximum is
    // 32 MiB on 64-bit targets).
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

fn progress_bar(what: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {pos} {msg} ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(what);
    bar
}

fn run_compile(args: CompileArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    keep_freed_memory();
    let options = CompileOptions {
        mode: if args.versioned {
            Mode::Versioned
        } else {
            Mode::Compiled
        },
        memory_budget: args
            .memory_budget_bytes
            .unwrap_or(args.memory_budget.saturating_mul(1 << 20)),
        read: ReadOptions::default(),
        spill_dir: args.spill_dir,
        ..CompileOptions::default()
    };
    let bar = progress_bar("releases read");
    let mut problems = 0u64;
    let result = compile_to(
        inputs(&args.files),
        &options,
        stdout,
        &mut |problem| {
            problems += 1;
            bar.suspend(|| {
                let _ = writeln!(stderr, "{problem}");
            });
        },
        &mut |n| bar.set_position(n),
    );
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            let _ = writeln!(
                stderr,
                "ocds compile: {} releases → {} {} releases in {:.2}s (reading {:.2}s); {} read problems, {} merge problems{}",
                summary.releases,
                summary.written,
                if args.versioned {
                    "versioned"
                } else {
                    "compiled"
                },
                summary.total_seconds,
                summary.read_seconds,
                summary.read_errors,
                summary.merge_errors,
                if summary.spilled_runs > 0 {
                    format!("; {} sorted runs spilled to disk", summary.spilled_runs)
                } else {
                    String::new()
                }
            );
            u8::from(problems > 0)
        }
        Err(e) => {
            let _ = writeln!(stderr, "ocds compile: {e} [ocds.io]");
            2
        }
    }
}

fn run_validate(args: ValidateArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let validator = match Validator::new() {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(stderr, "ocds validate: {e} [{}]", e.code());
            return 2;
        }
    };
    let bar = progress_bar("items checked");
    let mut io_failed = false;
    let mut seen = 0u64;
    let summary = validate(
        inputs(&args.files),
        ReadOptions::default(),
        &validator,
        &mut |finding| {
            seen += 1;
            if seen.is_multiple_of(1024) {
                bar.set_position(seen);
            }
            if args.no_warnings && finding.severity == crate::validate::Severity::Warning {
                return;
            }
            bar.suspend(|| {
                if writeln!(stdout, "{finding}").is_err() {
                    io_failed = true;
                }
            });
        },
    );
    bar.finish_and_clear();
    let by_code: Vec<String> = summary
        .by_code
        .iter()
        .map(|(c, n)| format!("{c}: {n}"))
        .collect();
    let _ = writeln!(
        stderr,
        "ocds validate: {} items checked, {} errors, {} warnings{}",
        summary.items,
        summary.errors,
        summary.warnings,
        if by_code.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_code.join(", "))
        }
    );
    if io_failed {
        2
    } else {
        u8::from(summary.errors > 0)
    }
}

fn run_upgrade(args: UpgradeArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    // Each top-level value (document, line, concatenated value) is upgraded whole and written
    // as one line, like `ocdskit upgrade 1.0:1.1`; memory is one top-level value.
    let mut status = 0u8;
    for input in inputs(&args.files) {
        let name = match &input {
            Input::Path(p) => p.display().to_string(),
            _ => "-".to_owned(),
        };
        let source = match crate::read::open_decompressed(&input) {
            Ok(source) => source,
            Err(e) => {
                let _ = writeln!(stderr, "{name}: cannot read: {e} [ocds.read.io]");
                status = 1;
                continue;
            }
        };
        let stream = serde_json::Deserializer::from_reader(source).into_iter::<serde_json::Value>();
        for value in stream {
            match value {
                Ok(mut value) => {
                    upgrade_10_11(&mut value);
                    if serde_json::to_writer(&mut *stdout, &value).is_err()
                        || writeln!(stdout).is_err()
                    {
                        return 2;
                    }
                }
                Err(e) => {
                    let _ = writeln!(
                        stderr,
                        "{name}:{}: invalid JSON: {e}; the rest of the file is skipped [ocds.invalid_json]",
                        e.line()
                    );
                    status = 1;
                    break;
                }
            }
        }
    }
    status
}
