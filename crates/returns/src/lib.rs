//! Statutory returns: outputs the partnership must send to the Department for
//! Education, derived from the event log and never typed twice. The Children in
//! Need census (WT2026 ¶113 on monitoring) arrives with its own issue; this crate
//! holds the place in the architecture so that `web` and `cli` reach returns only
//! through `app`, as the design brief lays out.
