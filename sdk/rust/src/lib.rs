//! # Arbiter guest SDK for Rust
//!
//! Write Arbiter game modules (RPCs, authoritative matches, hooks) in Rust
//! and run them on the server as WebAssembly. This crate implements the
//! guest side of the Arbiter WebAssembly ABI v1 (`sdk/ABI.md`) with no
//! dependencies, for `wasm32-unknown-unknown`:
//!
//! * [`module!`] declares the crate a module and names its registration
//!   function, which fills a [`Registry`] in `arbiter_init`;
//! * [`Match`] is an authoritative match whose state is a Rust value, with
//!   a [`Dispatcher`] to broadcast, kick and update the label; with
//!   [`ReloadPolicy::Migrate`] its state moves to a new version of the
//!   module on hot reload ([`Match::match_snapshot`], [`Match::match_restore`]);
//! * [`nk::call`] calls any nk function of the server; [`logger`] logs;
//! * [`Value`], [`encode`] and [`decode`] are the ABI's value model and
//!   encoding; [`json`] reads and writes the JSON games exchange.
//!
//! ```ignore
//! use arbiter::{Context, Error, Registry};
//!
//! fn echo(_ctx: &Context, payload: &str) -> Result<String, Error> {
//!     Ok(payload.to_string())
//! }
//!
//! fn init(r: &mut Registry) -> Result<(), Error> {
//!     r.rpc("echo", echo);
//!     Ok(())
//! }
//!
//! arbiter::module!(init);
//! ```

mod calls;
pub mod codec;
mod host;
pub mod json;
pub mod logger;
mod matches;
pub mod nk;
mod register;
mod types;
mod value;

#[cfg(target_arch = "wasm32")]
mod abi;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use codec::{decode, encode, CodecError, Encoder};
pub use matches::{Dispatcher, JoinAttempt, Match, Next, ReloadPolicy, Signal};
pub use register::Registry;
pub use types::{code, status, Context, Error, MatchmakerEntry, Message, Presence};
pub use value::{Map, Value, NIL};

/// The ABI version this SDK implements.
pub const ABI_VERSION: i32 = 1;

/// Declares the crate an Arbiter module: it exports `arbiter_init`, which
/// runs `$register` (a `fn(&mut Registry) -> Result<(), Error>`) in every
/// instance of the module and tells the server what it registered. Use it
/// once, in a `cdylib` crate.
#[macro_export]
macro_rules! module {
    ($register:expr) => {
        #[no_mangle]
        pub extern "C" fn arbiter_init(ptr: *const u8, len: u32) -> u64 {
            $crate::__private::init(ptr, len, $register)
        }
    };
}

#[doc(hidden)]
pub mod __private {
    use crate::{Error, Registry};

    #[cfg(target_arch = "wasm32")]
    pub fn init(ptr: *const u8, len: u32, register: fn(&mut Registry) -> Result<(), Error>) -> u64 {
        crate::abi::init(ptr, len, register)
    }

    /// Off wasm32 the export is never called by a host; tests use
    /// [`crate::testing::init`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn init(_ptr: *const u8, _len: u32, _register: fn(&mut Registry) -> Result<(), Error>) -> u64 {
        0
    }
}
