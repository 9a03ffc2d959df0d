//! An example module of RPCs.
//!
//! Build: `cargo build --release --target wasm32-unknown-unknown -p rpc`
//! (in `sdk/rust`) makes `target/wasm32-unknown-unknown/release/rpc_rust.wasm`.

use arbiter::{code, json, logger, nk, Context, Error, Registry, Value};

/// Answers the payload unchanged.
fn echo(_ctx: &Context, payload: &str) -> Result<String, Error> {
    Ok(payload.to_string())
}

/// Who is calling, from the context.
fn whoami(ctx: &Context, _payload: &str) -> Result<String, Error> {
    Ok(format!("{}@{}", ctx.user_id, ctx.node))
}

/// The SHA-256 of the payload, computed by the server (any nk function is
/// reachable by name).
fn sha256(_ctx: &Context, payload: &str) -> Result<String, Error> {
    let res = nk::call("sha256_hash", &[Value::from(payload)])?;
    logger::info("sha256 called");
    Ok(res.first().and_then(Value::as_str).unwrap_or("").to_string())
}

/// Parses the payload as JSON and writes it back: sorted keys, no spaces.
fn json_normalize(_ctx: &Context, payload: &str) -> Result<String, Error> {
    Ok(json::to_string(&json::parse(payload.as_bytes())?))
}

/// Fails with a status code the client sees.
fn fail(_ctx: &Context, payload: &str) -> Result<String, Error> {
    Err(Error::new(format!("not allowed: {}", payload), code::PERMISSION_DENIED))
}

fn init(r: &mut Registry) -> Result<(), Error> {
    r.rpc("echo", echo)
        .rpc("whoami", whoami)
        .rpc("sha256", sha256)
        .rpc("json_normalize", json_normalize)
        .rpc("fail", fail);
    Ok(())
}

arbiter::module!(init);
