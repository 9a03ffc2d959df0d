//! The exports the host calls (ABI.md §5), on wasm32. `arbiter_init` is
//! made by the [`module!`](crate::module) macro in the module's own crate,
//! since it runs the module's registration function.

use crate::calls::{self, Reply};
use crate::register::Registry;
use crate::types::Error;
use std::cell::RefCell;

thread_local! {
    /// The buffer `arbiter_alloc` hands the host for the next export's
    /// input. The export decodes it (copying what it keeps) before anything
    /// can reuse it: the host never calls `arbiter_alloc` during a call.
    static INBOX: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The reply of the last export, kept until the next call.
    static OUTBOX: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Inputs above this size do not keep their buffer for later calls.
const KEEP_INBOX_BYTES: usize = 1 << 20;

#[no_mangle]
pub extern "C" fn arbiter_abi_version() -> i32 {
    1
}

#[no_mangle]
pub extern "C" fn arbiter_alloc(size: u32) -> *mut u8 {
    INBOX.with(|b| {
        let mut b = b.borrow_mut();
        let n = size as usize;
        if b.capacity() > KEEP_INBOX_BYTES && n <= KEEP_INBOX_BYTES {
            *b = Vec::new();
        }
        if b.len() < n {
            let more = n - b.len();
            if b.try_reserve_exact(more).is_err() {
                return std::ptr::null_mut();
            }
            b.resize(n, 0);
        }
        b.as_mut_ptr()
    })
}

/// Runs an export: `f` over the input at `ptr`, the reply written to the
/// outbox and returned as `(ptr << 32) | len` (0 for OK with nil).
fn export(ptr: *const u8, len: u32, f: impl FnOnce(&[u8]) -> Reply) -> u64 {
    let input: &[u8] = if len == 0 || ptr.is_null() {
        &[]
    } else {
        // The host wrote len bytes at ptr, a buffer of arbiter_alloc.
        unsafe { std::slice::from_raw_parts(ptr, len as usize) }
    };
    let reply = f(input);
    OUTBOX.with(|o| {
        let mut o = o.borrow_mut();
        calls::write_reply(&mut o, reply);
        if o.is_empty() {
            0
        } else {
            (o.as_ptr() as usize as u64) << 32 | o.len() as u64
        }
    })
}

/// `arbiter_init`, for the `module!` macro.
pub fn init(ptr: *const u8, len: u32, register: fn(&mut Registry) -> Result<(), Error>) -> u64 {
    std::panic::set_hook(Box::new(|info| {
        crate::logger::error(&format!("panic: {}", info));
    }));
    export(ptr, len, |b| calls::init(b, register))
}

macro_rules! exports {
    ($($name:ident => $f:path,)*) => {$(
        #[no_mangle]
        pub extern "C" fn $name(ptr: *const u8, len: u32) -> u64 {
            export(ptr, len, $f)
        }
    )*};
}

exports! {
    arbiter_rpc => calls::rpc,
    arbiter_matchmaker_matched => calls::matchmaker_matched,
    arbiter_shutdown => calls::shutdown,
    arbiter_match_create => calls::match_create,
    arbiter_match_init => calls::match_init,
    arbiter_match_join_attempt => calls::match_join_attempt,
    arbiter_match_join => calls::match_join,
    arbiter_match_leave => calls::match_leave,
    arbiter_match_loop => calls::match_loop,
    arbiter_match_terminate => calls::match_terminate,
    arbiter_match_signal => calls::match_signal,
    arbiter_match_snapshot => calls::match_snapshot,
    arbiter_match_restore => calls::match_restore,
}
