//! Loads data for a page: loading, data or error, and a reload that keeps
//! the current data on screen while it runs. Answers that arrive after the
//! inputs changed are dropped.

use std::future::Future;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::ApiError;

/// What a page shows: data (possibly stale while `loading`), or an error.
pub struct Fetch<T> {
    pub data: Option<Rc<T>>,
    pub error: Option<ApiError>,
    pub loading: bool,
    pub reload: Callback<()>,
}

struct State<T> {
    data: Option<Rc<T>>,
    error: Option<ApiError>,
    loading: bool,
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        State { data: self.data.clone(), error: self.error.clone(), loading: self.loading }
    }
}

/// Runs `load(deps)` when `deps` change (clearing the old data) and on
/// `reload` (keeping it).
#[hook]
pub fn use_fetch<T, D, F, Fut>(deps: D, load: F) -> Fetch<T>
where
    T: 'static,
    D: PartialEq + Clone + 'static,
    F: FnOnce(D) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = use_mut_ref(|| State::<T> { data: None, error: None, loading: true });
    let redraw = use_force_update();
    let tick = use_state(|| 0u32);
    let generation = use_mut_ref(|| 0u64);
    let last_deps = use_mut_ref(|| None::<D>);
    {
        let state = state.clone();
        let generation = generation.clone();
        let redraw = redraw.clone();
        use_effect_with((deps, *tick), move |(deps, _)| {
            let deps_changed = last_deps.borrow().as_ref() != Some(deps);
            *last_deps.borrow_mut() = Some(deps.clone());
            {
                let mut s = state.borrow_mut();
                if deps_changed {
                    s.data = None;
                }
                s.error = None;
                s.loading = true;
            }
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            let fut = load(deps.clone());
            spawn_local(async move {
                let result = fut.await;
                if *generation.borrow() != mine {
                    return;
                }
                {
                    let mut s = state.borrow_mut();
                    s.loading = false;
                    match result {
                        Ok(v) => s.data = Some(Rc::new(v)),
                        Err(e) => s.error = Some(e),
                    }
                }
                redraw.force_update();
            });
        });
    }
    let reload = {
        let tick = tick.clone();
        Callback::from(move |_| tick.set(tick.wrapping_add(1)))
    };
    let s = state.borrow().clone();
    Fetch { data: s.data, error: s.error, loading: s.loading, reload }
}
