//! A small AF_XDP ring layer over libc: the kernel's single-producer/single-consumer rings mapped into the
//! process (offsets from `getsockopt(XDP_MMAP_OFFSETS)`), indices read with acquire and published with release.

use std::os::fd::RawFd;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

/// One mmap'd ring of `size` entries of `T` (u64 frame addresses or `xdp_desc`).
pub(crate) struct Ring<T> {
    base: NonNull<u8>,
    map_len: usize,
    producer: NonNull<AtomicU32>,
    consumer: NonNull<AtomicU32>,
    flags: NonNull<AtomicU32>,
    descs: NonNull<T>,
    mask: u32,
    size: u32,
    /// Our copy of the index we own (producer for fill, consumer for RX/completion).
    local: u32,
    /// Last seen value of the index the kernel owns.
    cached: u32,
}

impl<T: Copy> Ring<T> {
    /// Maps the ring of `fd` at page offset `pgoff` with the given offsets and `size` entries (power of two).
    pub(crate) fn map(
        fd: RawFd,
        pgoff: i64,
        off: &libc::xdp_ring_offset,
        size: u32,
    ) -> std::io::Result<Self> {
        let desc_off = usize::try_from(off.desc)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        let map_len = desc_off + size as usize * std::mem::size_of::<T>();
        // SAFETY: a fresh shared mapping of the socket's ring; the kernel checks offset and length, and we check the
        // result for MAP_FAILED before using it.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd,
                pgoff,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let base = NonNull::new(p.cast::<u8>())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        let at = |o: u64| -> std::io::Result<NonNull<u8>> {
            let o = usize::try_from(o)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            if o + 4 > map_len {
                return Err(std::io::Error::from(std::io::ErrorKind::InvalidData));
            }
            // SAFETY: `o + 4 <= map_len`, so the pointer stays inside the mapping.
            Ok(unsafe { base.add(o) })
        };
        let ring = Self {
            base,
            map_len,
            producer: at(off.producer)?.cast(),
            consumer: at(off.consumer)?.cast(),
            flags: at(off.flags)?.cast(),
            // SAFETY: `desc_off + size * size_of::<T>() == map_len`: the descriptor array is inside the mapping.
            descs: unsafe { base.add(desc_off) }.cast(),
            mask: size - 1,
            size,
            local: 0,
            cached: 0,
        };
        Ok(ring)
    }

    fn producer(&self) -> &AtomicU32 {
        // SAFETY: points into the live mapping (checked in `map`), 4-byte aligned by the kernel's layout, and the
        // kernel only accesses it atomically too.
        unsafe { self.producer.as_ref() }
    }

    fn consumer(&self) -> &AtomicU32 {
        // SAFETY: as for `producer`.
        unsafe { self.consumer.as_ref() }
    }

    /// The ring's flags word (XDP_RING_NEED_WAKEUP).
    pub(crate) fn flags(&self) -> u32 {
        // SAFETY: as for `producer`.
        unsafe { self.flags.as_ref() }.load(Ordering::Relaxed)
    }

    // ---- consumer side (RX, completion) ----

    /// Entries ready to read (at most `max`), refreshing the kernel's producer index when needed.
    pub(crate) fn available(&mut self, max: u32) -> u32 {
        let mut n = self.cached.wrapping_sub(self.local);
        if n < max {
            self.cached = self.producer().load(Ordering::Acquire);
            n = self.cached.wrapping_sub(self.local);
        }
        n.min(max)
    }

    /// Entry `i` (0-based) after the current consumer position; `i < available()`.
    pub(crate) fn read(&self, i: u32) -> T {
        let idx = (self.local.wrapping_add(i) & self.mask) as usize;
        // SAFETY: `idx <= mask < size`, inside the descriptor array; the kernel published this entry (producer index
        // read with acquire) and will not touch it before we release it.
        unsafe { self.descs.as_ptr().add(idx).read_volatile() }
    }

    /// Starts loading entry `i` (0-based) after the current position into the cache; any `i`, even one not yet
    /// published (it is only a hint).
    pub(crate) fn prefetch(&self, i: u32) {
        let idx = (self.local.wrapping_add(i) & self.mask) as usize;
        super::sys::prefetch(self.descs.as_ptr().wrapping_add(idx).cast());
    }

    /// Gives `n` read entries back to the kernel.
    pub(crate) fn release(&mut self, n: u32) {
        self.local = self.local.wrapping_add(n);
        self.consumer().store(self.local, Ordering::Release);
    }

    // ---- producer side (fill) ----

    /// Free slots (at most `max`), refreshing the kernel's consumer index when needed.
    pub(crate) fn free(&mut self, max: u32) -> u32 {
        let mut n = self.size - self.local.wrapping_sub(self.cached);
        if n < max {
            self.cached = self.consumer().load(Ordering::Acquire);
            n = self.size - self.local.wrapping_sub(self.cached);
        }
        n.min(max)
    }

    /// Writes entry `i` (0-based) after the producer position; `i < free()`.
    pub(crate) fn write(&mut self, i: u32, v: T) {
        let idx = (self.local.wrapping_add(i) & self.mask) as usize;
        // SAFETY: `idx < size`, inside the descriptor array; the slot is free (the kernel consumed it, consumer index
        // read with acquire) and the kernel will not read it before we publish.
        unsafe { self.descs.as_ptr().add(idx).write_volatile(v) }
    }

    /// Publishes `n` written entries to the kernel.
    pub(crate) fn submit(&mut self, n: u32) {
        self.local = self.local.wrapping_add(n);
        self.producer().store(self.local, Ordering::Release);
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // SAFETY: `base`/`map_len` are exactly the mapping created in `map`, unmapped once, and no reference into it
        // outlives the ring.
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.map_len);
        }
    }
}
