//! Thin binary around [`tianguis_ocds::cli`], for tests and benchmarks that must not depend on
//! the root `tianguis` package building. Usage: `tianguis-ocds compile|validate|upgrade …`.

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "tianguis-ocds",
    about = "OCDS toolkit: compile, validate, upgrade"
)]
struct Cli {
    #[command(flatten)]
    ocds: tianguis_ocds::cli::OcdsArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = tianguis_ocds::cli::run(cli.ocds, &mut stdout.lock(), &mut stderr.lock());
    ExitCode::from(code)
}
