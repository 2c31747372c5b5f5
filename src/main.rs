use std::process::ExitCode;

fn main() -> ExitCode {
    credscan::app::main()
}
