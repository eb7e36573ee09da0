//! Thin binary around [`tianguis_indicators::cli`], for tests and benchmarks without the
//! platform binary (which embeds the same CLI as `tianguis indicators`).

use clap::Parser;

/// Red flags and market indicators over OCDS compiled releases.
#[derive(Parser)]
#[command(name = "tianguis-indicators", version)]
struct Cli {
    #[command(flatten)]
    args: tianguis_indicators::cli::IndicatorsArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let stdin = Box::new(std::io::stdin());
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut stderr = std::io::stderr();
    tianguis_indicators::cli::run(&cli.args, stdin, &mut stdout, &mut stderr)
}
