//! What a module serves: the registry its init function fills.

use crate::matches::{DynMatch, Match, ReloadPolicy};
use crate::types::{Context, Error, MatchmakerEntry};
use crate::value::Map;
use std::collections::BTreeMap;
use std::rc::Rc;

pub(crate) type RpcFn = Rc<dyn Fn(&Context, &str) -> Result<String, Error>>;
pub(crate) type MatchmakerFn = Rc<dyn Fn(&Context, &[MatchmakerEntry]) -> Result<Option<String>, Error>>;
pub(crate) type ShutdownFn = Rc<dyn Fn(&Context) -> Result<(), Error>>;
pub(crate) type MatchInitFn = fn(&Context, Option<&Map>) -> Result<(Box<dyn DynMatch>, u32, String), Error>;
pub(crate) type MatchRestoreFn = fn(&Context, i64, &[u8]) -> Result<Box<dyn DynMatch>, Error>;

/// How a match handler makes its state: `match_init` for a new match,
/// `match_restore` for a running match moved from an earlier version.
#[derive(Clone, Copy)]
pub(crate) struct MatchFns {
    pub(crate) init: MatchInitFn,
    pub(crate) restore: MatchRestoreFn,
}

/// The registry a module fills in its init function (see
/// [`module!`](crate::module)): the RPCs, match handlers and hooks it
/// serves.
///
/// The init function runs in every instance of the module (each match has
/// its own instance, RPCs run on a pool of them), since each must know what
/// it serves; only the first instance, made when the server loads the
/// module, has [`Registry::load`] true: do one-time work (nk calls that
/// set things up) only then.
pub struct Registry {
    load: bool,
    module: String,
    context: Context,
    pub(crate) rpcs: BTreeMap<String, (String, RpcFn)>, // by lower-case id
    pub(crate) matches: BTreeMap<String, MatchFns>,
    pub(crate) policies: BTreeMap<String, ReloadPolicy>,
    pub(crate) matchmaker: Option<MatchmakerFn>,
    pub(crate) shutdown: Option<ShutdownFn>,
}

impl Registry {
    pub(crate) fn new(load: bool, module: String, context: Context) -> Self {
        Registry {
            load,
            module,
            context,
            rpcs: BTreeMap::new(),
            matches: BTreeMap::new(),
            policies: BTreeMap::new(),
            matchmaker: None,
            shutdown: None,
        }
    }

    /// True only in the instance the server makes when it loads the
    /// module: the one whose registrations count.
    pub fn load(&self) -> bool {
        self.load
    }

    /// The module's name (its path under the modules folder, without
    /// extension, `/` replaced by `.`).
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The init context (`execution_mode` "run_once").
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Serves the RPC `id` (case-insensitive; a later registration of the
    /// same id replaces an earlier one). `f` gets the caller's context and
    /// the payload and returns the response payload, or an error whose
    /// message and code the client sees.
    pub fn rpc<F>(&mut self, id: &str, f: F) -> &mut Self
    where
        F: Fn(&Context, &str) -> Result<String, Error> + 'static,
    {
        self.rpcs.insert(id.to_lowercase(), (id.to_string(), Rc::new(f)));
        self
    }

    /// Serves the match handler `name` with the match type `M`: each match
    /// created with that name gets a fresh instance, where
    /// [`Match::match_init`] makes its state.
    pub fn match_handler<M: Match>(&mut self, name: &str) -> &mut Self {
        let fns = MatchFns {
            init: crate::matches::init_of::<M>,
            restore: crate::matches::restore_of::<M>,
        };
        self.matches.insert(name.to_string(), fns);
        self
    }

    /// Sets what the running matches of handler `name` do when the server
    /// loads a new version of the module (ABI.md §5.6):
    /// [`ReloadPolicy::Keep`] (the default) or [`ReloadPolicy::Migrate`],
    /// which moves them to the new version with their state (the match type
    /// implements [`Match::match_snapshot`] and [`Match::match_restore`]).
    /// The policy of the **new** version decides. `name` must be a handler
    /// this module serves, or the server refuses the module.
    ///
    /// ```ignore
    /// r.match_handler::<Arena>("arena").reload_policy("arena", ReloadPolicy::Migrate);
    /// ```
    pub fn reload_policy(&mut self, name: &str, policy: ReloadPolicy) -> &mut Self {
        self.policies.insert(name.to_string(), policy);
        self
    }

    /// Sets the matchmaker matched hook: it returns the id of a match for
    /// the matched players, or `None` to let them meet in a relayed match.
    pub fn matchmaker_matched<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn(&Context, &[MatchmakerEntry]) -> Result<Option<String>, Error> + 'static,
    {
        self.matchmaker = Some(Rc::new(f));
        self
    }

    /// Sets the shutdown hook, run when the server shuts down gracefully.
    pub fn shutdown<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn(&Context) -> Result<(), Error> + 'static,
    {
        self.shutdown = Some(Rc::new(f));
        self
    }
}
