//! A value built on a thread of its own while the scan gets ready, and waited for where it is
//! first needed. The rule set is built this way: a staged scan reads the git index (tens of
//! thousands of entries) in the meantime, a history scan opens the repository and its packs,
//! and the first blob to scan waits for whatever is left of the build.

use anyhow::{Context, Result};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;

pub struct Background<T> {
    building: Mutex<Option<JoinHandle<T>>>,
    value: OnceLock<T>,
}

impl<T: Send + 'static> Background<T> {
    pub fn spawn(name: &str, build: impl FnOnce() -> T + Send + 'static) -> Result<Self> {
        let handle = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(build)
            .with_context(|| format!("cannot start a thread to build the {name}"))?;
        Ok(Background {
            building: Mutex::new(Some(handle)),
            value: OnceLock::new(),
        })
    }

    /// A value that is already built.
    pub fn ready(value: T) -> Self {
        Background {
            building: Mutex::new(None),
            value: OnceLock::from(value),
        }
    }

    /// The value, once built (the first caller waits for the thread; a panic there goes on
    /// here, as if the value had been built on this thread).
    pub fn get(&self) -> &T {
        self.value.get_or_init(|| {
            let handle = self
                .building
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .expect("the value is initialised by the only caller that takes the thread");
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    pub fn into_inner(self) -> T {
        self.get();
        self.value
            .into_inner()
            .expect("get() just initialised the value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn the_value_is_built_once_and_shared_by_every_caller() {
        let (go, wait) = mpsc::channel::<()>();
        let value = Background::spawn("test value", move || {
            wait.recv().unwrap();
            vec![1, 2, 3]
        })
        .unwrap();
        go.send(()).unwrap();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| assert_eq!(value.get(), &[1, 2, 3]));
            }
        });
        assert_eq!(value.into_inner(), vec![1, 2, 3]);
    }
}
