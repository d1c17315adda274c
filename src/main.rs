//! The `contracts` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    contracts::app::main()
}
