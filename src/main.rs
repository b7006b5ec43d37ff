//! The `sweetspot` command: parse arguments, dispatch to one file per subcommand,
//! exit with its code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    ExitCode::from(cli::run(args))
}
