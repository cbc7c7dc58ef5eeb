//! `backupchecks`: the whole product in one process on the embedded store
//! (`serve`), and the command-line tools around it.

mod cli;
mod parse_cmd;
mod serve;
mod supervise;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let code = rt.block_on(cli::run(cli));
    // A blocking task still busy (a hash, a parse) does not hold up the exit.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}
