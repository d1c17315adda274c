//! Links the `contracts` binary as a position-dependent executable: with no
//! load-time relocations to apply (the ISO currency and time zone tables are
//! full of pointers), it starts in about a third of the time.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
