//! Cursor paging: the server hands a `next_cursor`; we keep the cursors of
//! the pages seen so "Previous" works too.

use std::rc::Rc;

use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct Pager {
    stack: UseStateHandle<Rc<Vec<Option<String>>>>,
}

impl Pager {
    /// The cursor of the page on screen (None for the first).
    pub fn cursor(&self) -> Option<String> {
        self.stack.last().cloned().flatten()
    }

    /// 1-based page number.
    pub fn number(&self) -> usize {
        self.stack.len()
    }

    pub fn has_prev(&self) -> bool {
        self.stack.len() > 1
    }

    pub fn next(&self, cursor: String) {
        let mut s = (**self.stack).clone();
        s.push(Some(cursor));
        self.stack.set(Rc::new(s));
    }

    pub fn prev(&self) {
        let mut s = (**self.stack).clone();
        if s.len() > 1 {
            s.pop();
        }
        self.stack.set(Rc::new(s));
    }

    /// "Previous" and "Next" for [`crate::components::PagerNav`], given the
    /// page's `next_cursor`.
    pub fn nav_callbacks(&self, next_cursor: Option<String>) -> (Callback<()>, Callback<()>) {
        let (p, n) = (self.clone(), self.clone());
        (
            Callback::from(move |_| p.prev()),
            Callback::from(move |_| {
                if let Some(c) = next_cursor.clone() {
                    n.next(c);
                }
            }),
        )
    }

    pub fn reset(&self) {
        if self.stack.len() > 1 {
            self.stack.set(Rc::new(vec![None]));
        }
    }
}

#[hook]
pub fn use_pager() -> Pager {
    Pager { stack: use_state(|| Rc::new(vec![None])) }
}
