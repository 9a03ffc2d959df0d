//! The imports of `arbiter_v1` (ABI.md §4). On wasm32 they are the host's;
//! elsewhere (native `cargo test`) a stub answers: by default every call
//! is refused with NOT_ALLOWED, and tests install a fake host with
//! [`crate::testing::set_host`].

use crate::types::status;

#[cfg(target_arch = "wasm32")]
mod imp {
    #[link(wasm_import_module = "arbiter_v1")]
    extern "C" {
        fn take(ptr: *mut u8, len: u32) -> u32;
        fn nk_call(name_ptr: *const u8, name_len: u32, args_ptr: *const u8, args_len: u32) -> u64;
        fn log(level: u32, msg_ptr: *const u8, msg_len: u32, fields_ptr: *const u8, fields_len: u32) -> u32;
        #[allow(clippy::too_many_arguments)]
        fn match_broadcast(
            op_code: i64,
            data_ptr: *const u8,
            data_len: u32,
            to_ptr: *const u8,
            to_len: u32,
            sender_ptr: *const u8,
            sender_len: u32,
            flags: u32,
        ) -> u64;
        fn match_kick(ptr: *const u8, len: u32) -> u64;
        fn match_label_update(ptr: *const u8, len: u32) -> u64;
    }

    // Slices are passed as pointer and length; an empty one as (ptr, 0),
    // which the host reads as empty whatever the pointer.

    pub fn host_take(buf: &mut [u8]) -> u32 {
        unsafe { take(buf.as_mut_ptr(), buf.len() as u32) }
    }

    pub fn host_nk(name: &str, args: &[u8]) -> u64 {
        unsafe { nk_call(name.as_ptr(), name.len() as u32, args.as_ptr(), args.len() as u32) }
    }

    pub fn host_log(level: i32, msg: &str, fields: &[u8]) -> u32 {
        unsafe {
            log(
                level as u32,
                msg.as_ptr(),
                msg.len() as u32,
                fields.as_ptr(),
                fields.len() as u32,
            )
        }
    }

    pub fn host_broadcast(op: i64, data: &[u8], to: &[u8], sender: &[u8], flags: u32) -> u64 {
        unsafe {
            match_broadcast(
                op,
                data.as_ptr(),
                data.len() as u32,
                to.as_ptr(),
                to.len() as u32,
                sender.as_ptr(),
                sender.len() as u32,
                flags,
            )
        }
    }

    pub fn host_kick(presences: &[u8]) -> u64 {
        unsafe { match_kick(presences.as_ptr(), presences.len() as u32) }
    }

    pub fn host_label(label: &str) -> u64 {
        unsafe { match_label_update(label.as_ptr(), label.len() as u32) }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use crate::testing::Host;
    use crate::types::status;
    use std::cell::RefCell;

    thread_local! {
        pub(crate) static HOST: RefCell<Option<Box<dyn Host>>> = const { RefCell::new(None) };
        static PENDING: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    }

    fn word(f: impl FnOnce(&mut dyn Host) -> (u8, Vec<u8>)) -> u64 {
        let (st, reply) = HOST.with(|h| match h.borrow_mut().as_mut() {
            Some(h) => f(h.as_mut()),
            None => (status::NOT_ALLOWED, Vec::new()),
        });
        let n = reply.len() as u64;
        PENDING.with(|p| *p.borrow_mut() = if reply.is_empty() { None } else { Some(reply) });
        (st as u64) << 32 | n
    }

    pub fn host_take(buf: &mut [u8]) -> u32 {
        match PENDING.with(|p| p.borrow_mut().take()) {
            None => status::NOT_FOUND as u32,
            Some(r) => {
                let n = r.len().min(buf.len());
                buf[..n].copy_from_slice(&r[..n]);
                status::OK as u32
            }
        }
    }

    pub fn host_nk(name: &str, args: &[u8]) -> u64 {
        word(|h| h.nk_call(name, args))
    }

    pub fn host_log(level: i32, msg: &str, fields: &[u8]) -> u32 {
        HOST.with(|h| {
            if let Some(h) = h.borrow_mut().as_mut() {
                h.log(level, msg, fields);
            }
        });
        status::OK as u32
    }

    pub fn host_broadcast(op: i64, data: &[u8], to: &[u8], sender: &[u8], flags: u32) -> u64 {
        word(|h| h.broadcast(op, data, to, sender, flags))
    }

    pub fn host_kick(presences: &[u8]) -> u64 {
        word(|h| h.kick(presences))
    }

    pub fn host_label(label: &str) -> u64 {
        word(|h| h.label_update(label))
    }
}

pub(crate) use imp::*;

/// Splits a result word and fetches its pending reply: the status and the
/// reply's bytes (empty when there is none).
pub(crate) fn result(word: u64) -> (u8, Vec<u8>) {
    let st = (word >> 32).min(255) as u8;
    let n = (word & 0xffff_ffff) as usize;
    if n == 0 {
        return (st, Vec::new());
    }
    let mut buf = vec![0u8; n];
    if host_take(&mut buf) != status::OK as u32 {
        return (status::BAD_POINTER, Vec::new());
    }
    (st, buf)
}

/// The outcome of a host call that returns no value.
pub(crate) fn check(word: u64) -> Result<(), crate::Error> {
    let (st, reply) = result(word);
    if st == status::OK {
        Ok(())
    } else {
        Err(crate::Error::from_host(st, &reply))
    }
}
