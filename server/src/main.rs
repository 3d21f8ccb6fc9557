//! The `qabilet` binary. Everything but argument parsing lives in the library.

fn main() -> std::process::ExitCode {
    qabilet::cli::main()
}
