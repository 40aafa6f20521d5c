//! Intrusive doubly-linked lists over slot indices, ordered by last activity.
//!
//! Each flow sits in exactly one list (by expiry class). Touching a flow moves it to the tail, so the head is always
//! the idlest member: idle expiry checks heads only, and eviction compares a handful of heads. All operations are
//! O(1) and allocate nothing.

pub const NIL: u32 = u32::MAX;

/// Links stored inside each slot.
#[derive(Clone, Copy, Debug)]
pub struct Links {
    pub prev: u32,
    pub next: u32,
    pub list: u8,
    /// Not a link: a flag of the owner's, kept here where it costs no space (the struct has padding).
    pub mark: bool,
}

impl Default for Links {
    fn default() -> Self {
        Self {
            prev: NIL,
            next: NIL,
            list: u8::MAX,
            mark: false,
        }
    }
}

/// Head and tail of one list.
#[derive(Clone, Copy, Debug)]
pub struct List {
    pub head: u32,
    pub tail: u32,
}

impl Default for List {
    fn default() -> Self {
        Self {
            head: NIL,
            tail: NIL,
        }
    }
}

/// Anything that stores [`Links`] per slot.
pub trait LinkStore {
    fn links(&mut self, idx: u32) -> &mut Links;
}

/// Appends `idx` (not in any list) at the tail of `lists[which]`.
pub fn push_back<S: LinkStore>(store: &mut S, lists: &mut [List], which: u8, idx: u32) {
    let list = &mut lists[usize::from(which)];
    let old_tail = list.tail;
    {
        let l = store.links(idx);
        l.prev = old_tail;
        l.next = NIL;
        l.list = which;
    }
    if old_tail == NIL {
        list.head = idx;
    } else {
        store.links(old_tail).next = idx;
    }
    list.tail = idx;
}

/// Removes `idx` from whichever list holds it.
pub fn unlink<S: LinkStore>(store: &mut S, lists: &mut [List], idx: u32) {
    let Links {
        prev, next, list, ..
    } = *store.links(idx);
    if list == u8::MAX {
        return;
    }
    let list = &mut lists[usize::from(list)];
    if prev == NIL {
        list.head = next;
    } else {
        store.links(prev).next = next;
    }
    if next == NIL {
        list.tail = prev;
    } else {
        store.links(next).prev = prev;
    }
    let l = store.links(idx);
    l.prev = NIL;
    l.next = NIL;
    l.list = u8::MAX;
}

/// Moves `idx` to the tail of `lists[which]`, leaving its current list.
pub fn touch<S: LinkStore>(store: &mut S, lists: &mut [List], which: u8, idx: u32) {
    let l = *store.links(idx);
    if l.list == which && l.next == NIL {
        return;
    }
    unlink(store, lists, idx);
    push_back(store, lists, which, idx);
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Store(Vec<Links>);
    impl LinkStore for Store {
        fn links(&mut self, idx: u32) -> &mut Links {
            &mut self.0[idx as usize]
        }
    }

    fn collect(store: &Store, list: List) -> Vec<u32> {
        let mut out = vec![];
        let mut i = list.head;
        while i != NIL {
            out.push(i);
            i = store.0[i as usize].next;
        }
        out
    }

    #[test]
    fn push_touch_unlink() {
        let mut s = Store(vec![Links::default(); 4]);
        let mut lists = [List::default(); 2];
        for i in 0..4 {
            push_back(&mut s, &mut lists, 0, i);
        }
        touch(&mut s, &mut lists, 0, 1);
        assert_eq!(collect(&s, lists[0]), vec![0, 2, 3, 1]);
        touch(&mut s, &mut lists, 1, 0);
        assert_eq!(collect(&s, lists[0]), vec![2, 3, 1]);
        assert_eq!(collect(&s, lists[1]), vec![0]);
        unlink(&mut s, &mut lists, 3);
        unlink(&mut s, &mut lists, 3);
        assert_eq!(collect(&s, lists[0]), vec![2, 1]);
        unlink(&mut s, &mut lists, 2);
        unlink(&mut s, &mut lists, 1);
        assert_eq!(lists[0].head, NIL);
        assert_eq!(lists[0].tail, NIL);
    }
}
