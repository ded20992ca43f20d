//! The PostgreSQL store. (Being written.)
use crate::*;
pub fn open(_url: &str) -> Result<Arc<dyn Store>> {
    Err(StoreError::Backend("PostgreSQL store not built yet".into()))
}
