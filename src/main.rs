//! The `sweetspot` command: parse arguments, dispatch to one file per subcommand,
//! exit with its code.

mod cli;

// Records are built on the reader thread and freed on the writer's: mimalloc handles
// that cross-thread traffic far better than the system allocator (measured in
// docs/performance.md). Built without transparent huge pages (`no_thp`): with them
// memory is counted 2 MiB at a time, and a million-record run peaked at 36-47 MB
// instead of 18-24 MB, no faster.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    ExitCode::from(cli::run(args))
}
