//! The migrations are embedded at compile time (`sqlx::migrate!`), so a new one must rebuild
//! the relay even when no Rust source changed.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
